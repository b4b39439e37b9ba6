"""Faults (issue 11, item 6): SIGKILL at random moments of `ingest` and of `link` (many seeds), a full
disk, and `serve` reading a database that `ingest` is writing.

Every run is the real command line in a subprocess. The random moments are seeded, so a failure
names the seed that reproduces it.
"""

import hashlib
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sousveil.synth.generate import write_corpus

from .conftest import run_cli

CORPUS = 300
INGEST_SEEDS = range(8)
LINK_SEEDS = range(8)
ENV = {**os.environ, "COLUMNS": "1000"}  # the console wraps long lines at 80 columns otherwise
# `sousveil link` with chunks of 10 notices instead of 500, so that a kill lands between and inside
# many chunk transactions of the 300 notices (the code path is the command's own).
SMALL_CHUNK_LINK = ("import sys, sousveil.resolve.link as link; link.CHUNK = 10; from sousveil.cli import cli;"
                    " sys.argv[0] = 'sousveil'; cli()")


def ingest_cmd(corpus, db, *args):
    return [sys.executable, "-m", "sousveil.cli", "ingest", str(corpus), "--db", str(db), "--no-progress", *args]


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120, **kwargs)


def rows(con, sql):
    return sorted(con.execute(sql).fetchall(), key=repr)  # None sorts with the rest


def link_state(db_path) -> dict:
    """The linking tables without their autoincrement ids: notices by sha256, organizations by key."""
    con = sqlite3.connect(db_path)
    try:
        return {
            "organizations": rows(con, "select key, name, kind, vendor, vendor_method, vendor_score, vendor_matched,"
                                       " branch from organizations"),
            "notice_parties": rows(con, "select n.sha256, o.key, p.role, p.lot, s.name from notice_parties p"
                                        " join notices n on n.id = p.notice_id join organizations o on o.id = p.org_id"
                                        " left join suppliers s on s.id = p.supplier_id"),
            "vendor_links": rows(con, "select n.sha256, v.vendor, v.kind, v.name, s.name, i.brand, v.method, v.score,"
                                      " v.matched, v.branch, v.registry_version from vendor_links v"
                                      " join notices n on n.id = v.notice_id left join suppliers s on s.id = v.supplier_id"
                                      " left join items i on i.id = v.item_id"),
            "processes": rows(con, "select p.ocid, o.key, p.project_code, p.code_key, p.title, p.title_key,"
                                   " p.link_method, p.first_published, p.last_published from processes p"
                                   " left join organizations o on o.id = p.buyer_org_id"),
            "process_notices": rows(con, "select n.sha256, pn.ocid, d.sha256, pn.similarity from process_notices pn"
                                         " join notices n on n.id = pn.notice_id"
                                         " left join notices d on d.id = pn.duplicate_of"),
            "not linked": con.execute("select count(*) from ingest_errors where reason like 'not linked%'").fetchone(),
        }
    finally:
        con.close()


def content(db_path) -> dict:
    """What an ingest stored: notices, facts, suppliers, tags, and the linking."""
    con = sqlite3.connect(db_path)
    try:
        state = {
            "notices": rows(con, "select sha256 from notices"),
            "facts": con.execute("select count(*) from facts").fetchone()[0],
            "suppliers": rows(con, "select n.sha256, s.name, s.role, s.lot, s.amount, s.span_start, s.span_end"
                                   " from suppliers s join notices n on n.id = s.notice_id"),
            "tags": con.execute("select count(*) from tags").fetchone()[0],
        }
    finally:
        con.close()
    return {**state, **link_state(db_path)}


def assert_same(state, reference, what):
    for key in reference:
        assert state[key] == reference[key], f"{what}: {key} differs ({len(state[key]) if isinstance(state[key], list) else state[key]}" \
                                             f" vs {len(reference[key]) if isinstance(reference[key], list) else reference[key]})"


def assert_stored_once(db_path, corpus, what):
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok", what
        docs = {r[0] for r in con.execute("select sha256 from documents")}
        assert con.execute("select count(*) from documents").fetchone()[0] == len(docs) == len(corpus["digests"]), what
        assert docs == corpus["digests"], what
        assert con.execute("select count(*) from documents where status != 'ok'").fetchone()[0] == 0, what
        names = [r[0] for r in con.execute("select name from sources")]
        assert sorted(names) == corpus["names"], f"{what}: sources are not one per file"
        with_text = con.execute("select count(*) from documents where coalesce(text, '') != ''").fetchone()[0]
        notices = con.execute("select count(*) from notices").fetchone()[0]
        assert notices == with_text == con.execute("select count(distinct sha256) from notices").fetchone()[0], what
        assert con.execute("select count(*) from notice_fts_docsize").fetchone()[0] == notices, what
    finally:
        con.close()


def stored(db_path, sql="select count(*) from documents") -> int:
    if not os.path.exists(db_path):
        return 0
    con = sqlite3.connect(db_path, timeout=5)
    try:
        return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # killed before the tables were created
        return 0
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """300 generated notices, ingested once without interruption (the reference), and once with --no-link."""
    root = tmp_path_factory.mktemp("faults")
    write_corpus(root / "c", CORPUS, seed=21)
    notices = root / "c" / "notices"
    files = sorted(p for p in notices.iterdir() if not p.name.endswith(".meta.json"))
    ref = root / "ref.db"
    started = time.perf_counter()
    result = run(ingest_cmd(notices, ref))
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    unlinked = root / "unlinked.db"
    assert run(ingest_cmd(notices, unlinked, "--no-link")).returncode == 0
    assert stored(unlinked, "select count(*) from processes") == 0
    linked = root / "linked.db"
    shutil.copy(unlinked, linked)
    started = time.perf_counter()
    assert run([sys.executable, "-m", "sousveil.cli", "link", "--db", str(linked)]).returncode == 0
    link_seconds = time.perf_counter() - started
    corpus = {"root": root, "notices": notices, "names": sorted(p.name for p in files), "ref": ref,
              "digests": {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}, "seconds": seconds,
              "unlinked": unlinked, "link_seconds": link_seconds}
    assert_stored_once(ref, corpus, "reference run")
    corpus["content"] = content(ref)
    assert link_state(linked) == {k: corpus["content"][k] for k in link_state(linked)}, "link alone != ingest's linking"
    return corpus


def test_sigkill_at_random_moments_of_ingest(corpus, tmp_path):
    """Kill `ingest` with SIGKILL at a seeded random moment (even seeds: one in each quarter of an
    uninterrupted run's time, from opening the database to the final checkpoint; odd seeds: up to
    0.3 s after the first batch is committed, while it is linked or the next one is written), then
    run the same command to completion: every document is stored exactly once and the database
    equals the reference run's."""
    partial_states = []
    killed_while_running = 0
    for seed in INGEST_SEEDS:
        rng = random.Random(seed)
        db = tmp_path / f"seed{seed}.db"
        proc = subprocess.Popen(ingest_cmd(corpus["notices"], db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if seed % 2 == 0:  # a moment in the n-th quarter of the reference run's time
            delay = (seed // 2 + rng.random()) / (len(INGEST_SEEDS) // 2) * corpus["seconds"]
            time.sleep(delay)
        else:  # the first batch is committed: while it is linked, or the next one extracted and written
            started = time.perf_counter()
            while proc.poll() is None and stored(db) == 0 and time.perf_counter() - started < 60:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.3))
            delay = time.perf_counter() - started
        killed_while_running += proc.poll() is None
        proc.kill()  # SIGKILL
        proc.wait()
        partial_states.append(stored(db))
        result = run(ingest_cmd(corpus["notices"], db))
        assert result.returncode == 0, f"seed {seed}: {result.stderr}"
        assert "Traceback" not in result.stderr
        assert_stored_once(db, corpus, f"seed {seed} (killed after {delay:.2f} s)")
        assert_same(content(db), corpus["content"], f"seed {seed} (killed after {delay:.2f} s)")
    assert killed_while_running >= len(INGEST_SEEDS) // 2, "the kills came after the runs had finished"
    assert any(0 < n < len(corpus["digests"]) for n in partial_states), f"no kill left a partial run: {partial_states}"


# A SIGKILL at a chosen moment of the main process: `ingest` with one function replaced by a version
# that kills the process at its n-th call (before it, or after it returns).
KILL_AT = """
import os, signal, sys
import sqlite_utils.db, sousveil.store.db, sousveil.resolve.link
owner, name, nth, after = {owner}, {name!r}, {nth}, {after}
real, calls = getattr(owner, name), [0]
def wrapper(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth and not after:
        os.kill(os.getpid(), signal.SIGKILL)
    result = real(*args, **kwargs)
    if calls[0] == nth and after:
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(owner, name, wrapper)
from sousveil.cli import cli
sys.argv[0] = "sousveil"
cli()
"""


@pytest.mark.parametrize("owner, name, nth, after", [
    ("sqlite_utils.db.Table", "create_index", 1, False),  # creating the schema: its tables exist, no index yet
    ("sousveil.store.db", "write_records", 1, True),  # the first batch written, not committed
    ("sousveil.resolve.link.Linker", "notice", 150, False),  # inside the linking of the first batch
], ids=["creating-the-schema", "batch-written-not-committed", "linking-a-batch"])
def test_sigkill_at_chosen_moments_of_ingest(corpus, tmp_path, owner, name, nth, after):
    """SIGKILL at moments too short to hit at random (the schema is created in milliseconds): the
    next run completes to the reference run's database."""
    db = tmp_path / "chosen.db"
    code = KILL_AT.format(owner=owner, name=name, nth=nth, after=after)
    killed = subprocess.run([sys.executable, "-c", code, *ingest_cmd(corpus["notices"], db)[3:]],
                            capture_output=True, text=True, env=ENV, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    result = run(ingest_cmd(corpus["notices"], db))
    assert result.returncode == 0, result.stderr
    assert_stored_once(db, corpus, f"killed at {name}")
    assert_same(content(db), corpus["content"], f"killed at {name}")


def test_sigkill_at_random_moments_of_linking(corpus, tmp_path):
    """Kill `sousveil link` with SIGKILL (half of the seeds after a random number of linked notices,
    inside the next chunk's transaction; half after a random delay, startup and the end included),
    then run `sousveil link` to completion: organizations, vendor links, processes and process
    notices equal linking without interruption."""
    reference = {k: corpus["content"][k] for k in link_state(corpus["ref"])}
    last = stored(corpus["unlinked"], "select max(id) from notices")
    partial = []
    for seed in LINK_SEEDS:
        rng = random.Random(100 + seed)
        db = tmp_path / f"link{seed}.db"
        shutil.copy(corpus["unlinked"], db)
        proc = subprocess.Popen([sys.executable, "-c", SMALL_CHUNK_LINK, "link", "--db", str(db)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if seed % 2:
            time.sleep(rng.uniform(0, 1.2) * corpus["link_seconds"])
        else:
            threshold = rng.randrange(10, last - 10)
            con = sqlite3.connect(db, timeout=5)
            deadline = time.time() + 30
            while proc.poll() is None and time.time() < deadline:
                row = con.execute("select value from meta where key = 'linked_through'").fetchone()
                if row and int(row[0]) >= threshold:
                    break
                time.sleep(0.001)
            con.close()
        proc.kill()
        proc.wait()
        through = int(stored(db, "select coalesce((select value from meta where key = 'linked_through'), 0)"))
        partial.append(through)
        result = run([sys.executable, "-m", "sousveil.cli", "link", "--db", str(db)])
        assert result.returncode == 0, f"seed {seed}: {result.stderr}"
        state = link_state(db)
        assert_same(state, reference, f"seed {seed} (killed with {through} of {last} notices linked)")
        assert stored(db, "select value from meta where key = 'linked_through'") == str(last)
    assert sum(0 < n < last for n in partial) >= len(LINK_SEEDS) // 2, f"too few kills inside the linking: {partial}"


def _ingest_on_full_disk(corpus, db, preexec=None):
    result = subprocess.run(ingest_cmd(corpus["notices"], db), capture_output=True, text=True, env=ENV, timeout=120,
                            preexec_fn=preexec)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode in (1, 3), (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(db) in lines[0], result.stderr
    return lines[0]


def _assert_intact_then_completes(corpus, db):
    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    con.close()
    before = stored(db)  # 0 when not even the schema could be written
    result = run(ingest_cmd(corpus["notices"], db))
    assert result.returncode == 0, result.stderr
    assert f"already present: {before} " in result.stdout
    assert_stored_once(db, corpus, "after the disk had space again")
    assert_same(content(db), corpus["content"], "after the disk had space again")
    return before


@pytest.mark.parametrize("fraction", [0.02, 1.2])
def test_file_size_limit_stops_the_run_cleanly(corpus, tmp_path, fraction):
    """A file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored so that writes fail with EFBIG) below what the
    database needs, when the tables are created (2 %) and in the middle of the run: exit code 1, one
    error line naming the database and the reason, no traceback; the database is intact and a run
    without the limit completes it."""
    limit = int(fraction * os.path.getsize(corpus["ref"]))

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    db = tmp_path / "limited.db"
    line = _ingest_on_full_disk(corpus, db, limited)
    assert "file-size limit" in line and "too large" in line, line
    before = _assert_intact_then_completes(corpus, db)
    assert before < len(corpus["digests"])
    if fraction > 1:
        assert before > 0, "the limit should have been reached after the first batch"


def _mount_tmpfs(path, size) -> bool:
    try:
        return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True).returncode == 0
    except OSError:
        return False


def test_full_disk_stops_the_run_cleanly(corpus, tmp_path):
    """The database on a 1 MB tmpfs (as root; elsewhere a file-size limit of 1 MB stands in): the
    write fails with ENOSPC; exit code 1, one error line saying the disk is full, the database
    intact; once the filesystem is grown to 64 MB the same command completes it."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    db = mnt / "full.db"
    if _mount_tmpfs(mnt, "1m"):
        try:
            line = _ingest_on_full_disk(corpus, db)
            assert "disk is full" in line, line
            assert subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)]).returncode == 0
            _assert_intact_then_completes(corpus, db)
        finally:
            subprocess.run(["umount", str(mnt)], check=True)
    else:  # not root: the same run under a file-size limit

        def limited():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))

        line = _ingest_on_full_disk(corpus, db, limited)
        assert "file-size limit" in line, line
        _assert_intact_then_completes(corpus, db)


def test_serve_while_ingest_writes_the_same_database(corpus, tmp_path):
    """`sousveil serve` on a database while `ingest` adds 900 notices to it: every response is 200,
    the totals shown (search results, the overview's notices and documents) never go down, and a
    notice page shows the same facts and tags during the ingest as after it (no partial document)."""
    db = tmp_path / "live.db"
    shutil.copy(corpus["ref"], db)
    more = tmp_path / "more"
    write_corpus(more, 900, seed=22)
    server = subprocess.Popen([sys.executable, "-m", "sousveil.cli", "serve", str(db), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    ingest = None
    try:
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"serve did not start: {line}"
        url = match.group(0).rstrip("/")
        seen = []  # (search total, overview notices, overview documents), in time order
        pages = {}  # notice id -> (facts, tags) as shown during the ingest
        requests = 0
        with httpx.Client(base_url=url, timeout=30, headers={"Accept-Language": "en"}) as client:

            def get(path, **params):
                nonlocal requests
                requests += 1
                response = client.get(path, params=params)
                assert response.status_code == 200, (path, params, response.status_code, response.text[:500])
                return response

            def notice_page(nid):
                html = get(f"/-/notice/{nid}").text
                facts = html.split('id="facts"', 1)[1].split("</section>", 1)[0]
                return len(re.findall(r'data-target="f\d+"', facts)), html.count('id="tag-')

            def round_():
                total = int(re.search(r'<p class="total"><strong>(\d+)</strong>', get("/-/search", q="采购").text).group(1))
                overview = re.search(r'<p class="totals"><strong>(\d+)</strong> notices from (\d+) documents', get("/").text)
                newest = get("/live/notices.json", _sort_desc="id", _size=1, _col="id", _shape="array").json()
                if newest:
                    nid = newest[0]["id"]
                    pages.setdefault(nid, notice_page(nid))
                seen.append((total, int(overview.group(1)), int(overview.group(2))))

            round_()
            ingest = subprocess.Popen(ingest_cmd(more / "notices", db), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=ENV)
            during = 0
            pause = corpus["seconds"] * 3 / 100  # about 100 rounds over the ingest of 900 documents
            while ingest.poll() is None and during < 150:
                round_()
                during += 1
                time.sleep(pause)
            out, err = ingest.communicate(timeout=120)
            assert ingest.returncode == 0, err
            round_()
            for a, b in zip(seen, seen[1:]):
                assert all(x <= y for x, y in zip(a, b)), f"a count went down: {a} -> {b}"
            assert all(notices <= documents for _, notices, documents in seen)
            assert seen[0][1] == CORPUS and seen[-1][1] == CORPUS + 900, (seen[0], seen[-1])
            assert len({s[1] for s in seen}) > 2, f"no request saw the ingest in progress: {seen}"
            assert during >= 5
            for nid, shown in pages.items():  # a notice shown while written has all its facts and tags
                assert notice_page(nid) == shown, f"notice {nid} was shown partially: {shown}"
    finally:
        if ingest and ingest.poll() is None:
            ingest.kill()
            ingest.wait()
        server.terminate()
        server.wait(10)
    assert requests <= 620


def test_link_on_a_full_disk_stops_cleanly_and_resumes(corpus, tmp_path):
    """`sousveil link` past a file-size limit: one error line, no traceback, and linking resumes to the
    uninterrupted result once there is room."""
    db = tmp_path / "link.db"
    shutil.copy(corpus["unlinked"], db)
    limit = os.path.getsize(db) + 4096  # the organizations and processes do not fit

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    cmd = [sys.executable, "-m", "sousveil.cli", "link", "--db", str(db)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120, preexec_fn=limited)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and str(db) in lines[0] and "cannot write" in lines[0], result.stderr
    assert run(cmd).returncode == 0
    assert link_state(db) == {k: corpus["content"][k] for k in link_state(db)}


def test_the_export_process_ends_with_a_killed_server(corpus, tmp_path):
    """`serve` writes exports in a process of its own (web/views.py): a server killed with SIGKILL, which
    runs no clean-up, leaves no such process behind."""
    db = tmp_path / "served.db"
    shutil.copy(corpus["ref"], db)
    server = subprocess.Popen([sys.executable, "-m", "sousveil.cli", "serve", str(db), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
        assert match, "serve did not start"
        export = httpx.get(match.group(0) + "-/export.csv", params={"type": "award"}, timeout=60)
        assert export.status_code == 200 and export.text.count("\n") > 10
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert children, "the export process was not started"
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in children):
        assert time.monotonic() < deadline, f"processes {children} outlived the server"
        time.sleep(0.2)


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0].lower()
    except (FileNotFoundError, IndexError):
        return "zombie"

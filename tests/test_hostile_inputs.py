"""Hostile and broken inputs (issue 11, items 2, 3 and provenance): no input aborts a run, what is
not a document is skipped with its reason, and provenance never names the investigator's folders.

The broken files are made here, in tmp_path, rather than kept in the repository."""

import builtins
import gzip
import io
import json
import os
import sqlite3
import zipfile

import pytest

from sousveil.ingest.run import ingest
from sousveil.ingest.sources import Failure, Skipped, Source, iter_sources, looks_binary

from .conftest import CCGP_SAMPLE, run_cli
from .test_sources import write_warc, zip_bytes

GOOD = CCGP_SAMPLE.read_bytes()


def sources(paths, **kw):
    return list(iter_sources(paths, **kw))


def by_kind(out):
    return ({s.name: s for s in out if isinstance(s, Source)}, {f.name: f.reason for f in out if isinstance(f, Failure)},
            {s.name: s.reason for s in out if isinstance(s, Skipped)})


def warc_bytes(tmp_path, gz=False):
    path = tmp_path / ("w.warc.gz" if gz else "w.warc")
    write_warc(path, gz=gz)
    data = path.read_bytes()
    path.unlink()
    return data


# --- WARC -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tail, expect", [
    (b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: abc\r\n\r\nhello", "Content-Length 'abc'"),
    (b"WARC/1.0\r\n\x00\x01\x02garbage\xff\r\n\r\n", "malformed WARC record"),
    (b"this is not a record at all\r\n" * 3, "not a readable WARC after 3 records"),
    (b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: -5\r\n\r\nhello", "Content-Length '-5'"),
])
def test_malformed_warc_records_are_failures_after_the_good_ones(tmp_path, tail, expect):
    (tmp_path / "crawl.warc").write_bytes(warc_bytes(tmp_path) + tail)
    docs, failures, _ = by_kind(sources([tmp_path]))
    assert list(docs) == ["crawl.warc#0"]  # the good record before the bad one is read
    assert any(name.startswith("crawl.warc") and expect in reason for name, reason in failures.items()), failures


def test_truncated_and_empty_warcs(tmp_path):
    data = warc_bytes(tmp_path)
    (tmp_path / "cut.warc").write_bytes(data[:-40])
    (tmp_path / "header-only.warc").write_bytes(b"WARC/1.0\r\n")
    gz = warc_bytes(tmp_path, gz=True)
    (tmp_path / "cut.warc.gz").write_bytes(gz[: len(gz) - 30])
    (tmp_path / "not-gzip.warc.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage")
    docs, failures, _ = by_kind(sources([tmp_path]))
    assert failures["cut.warc#2"].startswith("WARC record truncated")
    assert "malformed WARC record" in failures["header-only.warc#0"]
    assert any(n.startswith("cut.warc.gz") and "truncated" in r for n, r in failures.items())
    assert "not-gzip.warc.gz" in failures


# --- gzip, zip, PDF, DOCX, JSON -----------------------------------------------------------------------


def test_gzip_files_are_read_and_truncated_gzip_is_a_failure(tmp_path):
    (tmp_path / "n.html.gz").write_bytes(gzip.compress(GOOD))
    cut = gzip.compress(GOOD)
    (tmp_path / "cut.html.gz").write_bytes(cut[: len(cut) // 2])
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b\x08\x00garbage that is no deflate stream")
    docs, failures, _ = by_kind(sources([tmp_path]))
    assert docs["n.html.gz!n.html"].data == GOOD
    assert "truncated or corrupt gzip" in failures["cut.html.gz"]
    assert "truncated or corrupt gzip" in failures["bad.gz"]


def test_broken_zip_members_and_corrupt_zips(tmp_path):
    good = zip_bytes({"a.html": GOOD, "b.html": GOOD + b"<p>b</p>"})
    # Flip bytes inside b.html's compressed data: its CRC or its deflate stream breaks.
    start = good.index(b"b.html") + len(b"b.html") + 10
    broken = bytearray(good)
    for i in range(start, start + 40):
        broken[i] ^= 0xFF
    (tmp_path / "member.zip").write_bytes(bytes(broken))
    (tmp_path / "cut.zip").write_bytes(good[: len(good) // 2])
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04" + os.urandom(300))
    docs, failures, _ = by_kind(sources([tmp_path]))
    assert "member.zip!a.html" in docs
    assert "cannot extract" in failures["member.zip!b.html"]
    assert "corrupt zip archive" in failures["cut.zip"] and "junk.zip" in failures


def test_bad_pdf_docx_and_json_are_failures_in_a_run(tmp_path):
    from .test_convert import make_docx

    docx = make_docx()
    (tmp_path / "good.html").write_bytes(GOOD)
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    (tmp_path / "noise.pdf").write_bytes(os.urandom(3000))
    (tmp_path / "cut.docx").write_bytes(docx[: len(docx) // 2])
    (tmp_path / "noise.docx").write_bytes(os.urandom(3000))
    with zipfile.ZipFile(tmp_path / "xml.docx", "w") as zf:
        zf.writestr("word/document.xml", "<w:document><w:body><unclosed")
    (tmp_path / "broken.json").write_text('{"releases": [ {"ocid": ', encoding="utf-8")
    (tmp_path / "broken2.json").write_text("{not json at all", encoding="utf-8")
    s = ingest([tmp_path], tmp_path / "x.db", progress=False)
    failures = dict(s.failures)
    assert s.new == 1 and set(failures) == {"bad.pdf", "noise.pdf", "cut.docx", "noise.docx", "xml.docx", "broken.json",
                                            "broken2.json"}, failures
    assert "unreadable PDF" in failures["bad.pdf"] and "not a PDF" in failures["noise.pdf"]
    assert "corrupt DOCX" in failures["cut.docx"] and "not a DOCX" in failures["noise.docx"]
    assert "not valid JSON" in failures["broken.json"] and "not valid JSON" in failures["broken2.json"]
    assert all(reason for reason in failures.values())


def test_binary_sniffing_keeps_utf16_and_chinese_text():
    text = "某市公安局视频监控采购中标公告 采购人：某市公安局 金额：100万元\n" * 50
    for enc in ("utf-8", "gb18030", "big5", "utf-16-le", "utf-16-be", "utf-16"):
        assert not looks_binary(text.encode(enc, errors="ignore")[:4096]), enc
    assert looks_binary(os.urandom(4096))


# --- links, permissions, vanishing folders ---------------------------------------------------------------


def test_symbolic_link_loops_dangling_links_and_links_outside(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.html").write_bytes(GOOD)
    os.symlink("self.html", corpus / "self.html")  # points to itself
    os.symlink("nowhere.html", corpus / "dangling.html")
    os.symlink("..", corpus / "sub" / "up")  # a folder that contains it
    os.symlink("../a.html", corpus / "sub" / "alias.html")  # inside the folder: followed
    (tmp_path / "private.txt").write_text("my own notes", encoding="utf-8")
    os.symlink(tmp_path / "private.txt", corpus / "leak.txt")
    out = sources([corpus, corpus / "self.html", corpus / "dangling.html"])
    docs, failures, skipped = by_kind(out)
    assert sorted(docs) == ["a.html", "sub/alias.html"]
    assert failures["self.html"] == "symbolic link loop"
    assert "dangling symbolic link" in failures["dangling.html"]
    assert "symbolic link loop" in failures["sub/up"]
    assert "outside the folder" in skipped["leak.txt"]
    # Given on the command line, the same names fail the same way (relative to the current folder or base names).
    assert [f.name for f in out if isinstance(f, Failure)].count("self.html") == 2
    docs, _, _ = by_kind(sources([corpus], include=["leak.txt"]))
    assert docs["leak.txt"].data == b"my own notes"


def test_unreadable_files_and_folders(tmp_path, monkeypatch):
    (tmp_path / "good.html").write_bytes(GOOD)
    (tmp_path / "locked.html").write_bytes(GOOD + b"<p>locked</p>")
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "c.html").write_bytes(GOOD + b"<p>c</p>")
    (tmp_path / "gone").mkdir()
    os.chmod(tmp_path / "locked.html", 0)
    os.chmod(tmp_path / "closed", 0)
    # Tests may run as root, whom chmod does not stop: simulate what an ordinary user meets.
    real_open, real_scandir = builtins.open, os.scandir

    def open_(file, *args, **kwargs):
        if str(file).endswith("locked.html"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def scandir(path="."):
        if str(path).endswith("closed"):
            raise PermissionError(13, "Permission denied", str(path))
        if str(path).endswith("gone"):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_scandir(path)

    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(os, "scandir", scandir)
    try:
        s = ingest([tmp_path], tmp_path / "x.db", progress=False)
    finally:
        os.chmod(tmp_path / "locked.html", 0o644)
        os.chmod(tmp_path / "closed", 0o755)
    failures = dict(s.failures)
    assert s.new == 1
    assert failures == {"locked.html": "cannot read: permission denied",
                        "closed": "cannot list the folder: permission denied",
                        "gone": "folder vanished while it was being read"}
    con = sqlite3.connect(tmp_path / "x.db")
    assert dict(con.execute("select name, reason from ingest_errors")) == failures
    assert str(tmp_path) not in json.dumps(failures)


def test_deep_folders_fifos_and_undecodable_file_names(tmp_path):
    deep = tmp_path
    for _ in range(1200):  # deeper than Python's recursion limit
        deep = deep / "d"
        os.mkdir(deep)
    (deep / "n.html").write_bytes(GOOD)
    try:
        check_deep_folders_fifos_and_undecodable_file_names(tmp_path)
    finally:  # shutil.rmtree, which cleans pytest's folders, recurses: remove the tree bottom up
        os.unlink(deep / "n.html")
        while deep != tmp_path:
            os.rmdir(deep)
            deep = deep.parent


def check_deep_folders_fifos_and_undecodable_file_names(tmp_path):
    os.mkfifo(tmp_path / "pipe.html")  # opening it would block the run for good
    (tmp_path / os.fsdecode(b"\xb9\xab\xb8\xe6.html")).write_bytes(GOOD + b"<p>gbk name</p>")  # 公告 in GBK
    docs, failures, skipped = by_kind(sources([tmp_path]))
    assert "/".join(["d"] * 1200) + "/n.html" in docs
    assert "not a regular file" in skipped["pipe.html"]
    assert "\\xb9\\xab\\xb8\\xe6.html" in docs and not failures
    s = ingest([tmp_path], tmp_path / "x.db", progress=False)
    assert (s.new, s.failed) == (2, 0)


# --- not documents ---------------------------------------------------------------------------------------


def make_mixed_folder(root):
    root.mkdir(exist_ok=True)
    (root / "n.html").write_bytes(GOOD)
    (root / "README.md").write_text("# my scrape\n采购人：某市公安局", encoding="utf-8")
    (root / "LICENSE").write_text("MIT", encoding="utf-8")
    (root / "CHANGELOG.md").write_text("v1", encoding="utf-8")
    (root / "labels.jsonl").write_text('{"file": "n.html", "buyer": "某市公安局"}\n', encoding="utf-8")
    (root / "truth.jsonl").write_text('{"file": "n.html"}\n', encoding="utf-8")
    (root / "scores.jsonl").write_text('{"f1": 0.9}\n', encoding="utf-8")
    (root / "config.json").write_text('{"portal": "ccgp", "pages": 3}', encoding="utf-8")
    (root / "looks-ocds.json").write_text('{"ocid": "x", "note": "no tag, no releases"}', encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / ".git").mkdir(exist_ok=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (root / "orphan.html.meta.json").write_text('{"url": "https://example.gov.cn/x"}')
    (root / "pages.zip").write_bytes(zip_bytes({"p.html": GOOD + b"<p>p</p>", "__MACOSX/._p.html": b"\x00\x05",
                                                "README.txt": "about"}))


def test_non_documents_are_skipped_with_their_reasons(tmp_path):
    make_mixed_folder(tmp_path / "c")
    docs, failures, skipped = by_kind(sources([tmp_path / "c"]))
    assert sorted(docs) == ["n.html", "pages.zip!p.html"] and not failures
    assert skipped == {"README.md": "a README", "LICENSE": "a licence", "CHANGELOG.md": "a changelog",
                       "labels.jsonl": "labels", "truth.jsonl": "ground truth (sousveil synth)",
                       "scores.jsonl": "JSON Lines, not OCDS", "config.json": "JSON, not OCDS",
                       "looks-ocds.json": "JSON, not OCDS", ".DS_Store": "hidden", ".git": "hidden",
                       "logo.png": "an image (PNG) that cannot be read",
                       "orphan.html.meta.json": "a sidecar without its document",
                       "pages.zip!__MACOSX/._p.html": "macOS metadata", "pages.zip!README.txt": "a README"}


def test_include_forces_files_in_and_files_named_on_the_command_line_are_read(tmp_path, monkeypatch):
    make_mixed_folder(tmp_path / "c")
    docs, _, skipped = by_kind(sources([tmp_path / "c"], include=["README*", ".git/*", "*.jsonl"]))
    assert {"README.md", ".git/HEAD", "labels.jsonl", "scores.jsonl", "pages.zip!README.txt"} <= set(docs)
    assert "README.md" not in skipped and ".DS_Store" in skipped
    monkeypatch.chdir(tmp_path)
    docs, _, skipped = by_kind(sources(["c/README.md", "c/labels.jsonl", "c/n.html.meta.json", "c/orphan.html.meta.json"]))
    assert sorted(docs) == ["c/README.md", "c/labels.jsonl"]
    assert "sidecar" in skipped["c/orphan.html.meta.json"]


def test_cli_lists_skips_and_include(tmp_path):
    make_mixed_folder(tmp_path / "c")
    result = run_cli("ingest", tmp_path / "c", "--db", tmp_path / "x.db", "--no-progress")
    line = " ".join(result.stdout.split())
    assert "new: 2 already present: 0 failed: 0 skipped (not documents): 14 (" in line
    assert "README.md: a README" in line and "and 6 more" in line
    result = run_cli("ingest", tmp_path / "c", "--db", tmp_path / "y.db", "--no-progress", "--include", "README.md",
                     "--include", "*.jsonl")
    assert "new: 6" in result.stdout


def test_synth_output_and_forms_folder_store_only_their_notices(tmp_path):
    from .conftest import FIXTURES

    run_cli("synth", "--n", "20", tmp_path / "s")
    result = run_cli("ingest", tmp_path / "s", "--db", tmp_path / "s.db", "--no-progress")
    assert "new: 20" in result.stdout and "truth.jsonl: ground truth" in result.stdout
    result = run_cli("ingest", FIXTURES / "forms", "--db", tmp_path / "f.db", "--no-progress")
    assert "new: 39" in result.stdout and "README.md: a README" in result.stdout and "labels.jsonl: labels" in result.stdout
    con = sqlite3.connect(tmp_path / "f.db")
    assert con.execute("select count(*) from notices").fetchone()[0] == 39


# --- the command line: a summary, exit 3, never a traceback ----------------------------------------------------


def test_a_folder_of_hostile_files_ends_with_a_summary_and_exit_3(tmp_path):
    root = tmp_path / "hostile"
    root.mkdir()
    (root / "good.html").write_bytes(GOOD)
    (root / "crawl.warc").write_bytes(warc_bytes(tmp_path) + b"WARC/1.0\r\nContent-Length: abc\r\n\r\n")
    cut = gzip.compress(GOOD)
    (root / "cut.html.gz").write_bytes(cut[:40])
    os.symlink("loop", root / "loop")
    os.symlink("missing.html", root / "dangling.html")
    (root / "bad.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    (root / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    (root / "bad.json").write_text("{", encoding="utf-8")
    (root / "odd.zip").write_bytes(zip_bytes({"[/red]odd.pdf": b"%PDF-1.4 odd and broken"}))  # a name that is no markup
    (root / "README.md").write_text("about", encoding="utf-8")
    db = tmp_path / "x.db"
    for jobs in ("1", "2"):
        result = run_cli("ingest", root, "--db", db, "--no-progress", "--jobs", jobs, check=False)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        err = " ".join(result.stderr.split())
        for name in ("crawl.warc", "cut.html.gz", "loop: symbolic link loop", "dangling.html: dangling symbolic link",
                     "bad.zip: corrupt zip", "bad.pdf: unreadable PDF", "bad.json: not valid JSON",
                     "odd.zip![/red]odd.pdf: unreadable PDF"):
            assert name in err, name
        assert "skipped (not documents):" in result.stdout and "README.md: a README" in result.stdout
    con = sqlite3.connect(db)
    names = [r[0] for r in con.execute("select name from sources union all select name from ingest_errors")]
    assert "odd.zip![/red]odd.pdf" in names and "good.html" in names
    assert not any(str(tmp_path) in n or n.startswith("/") for n in names)


# --- provenance -----------------------------------------------------------------------------------------------


def test_provenance_is_relative_to_the_path_given(tmp_path, monkeypatch):
    corpus = tmp_path / "investigations" / "alice" / "leak"
    (corpus / "2020").mkdir(parents=True)
    (corpus / "2020" / "a.html").write_bytes(GOOD)
    (corpus / "b.zip").write_bytes(zip_bytes({"in/b.html": GOOD + b"<p>b</p>"}))
    write_warc(corpus / "c.warc.gz")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "d.html").write_bytes(GOOD + b"<p>d</p>")
    (corpus / "e.html").write_bytes(GOOD + b"<p>e</p>")
    work = tmp_path / "investigations" / "alice"
    monkeypatch.chdir(work)
    db = tmp_path / "x.db"
    s = ingest([corpus, elsewhere / "d.html", "leak/e.html"], db, progress=False)
    assert s.failed == 0
    con = sqlite3.connect(db)
    names = sorted(r[0] for r in con.execute("select name from sources"))
    assert names == ["2020/a.html", "b.zip!in/b.html", "c.warc.gz#0", "d.html", "e.html", "leak/e.html"]
    raw = open(db, "rb").read() + (open(str(db) + "-wal", "rb").read() if os.path.exists(str(db) + "-wal") else b"")
    assert str(tmp_path).encode() not in raw and b"alice" not in raw
    # De-duplication and resume are unaffected: a second run adds nothing.
    again = ingest([corpus, elsewhere / "d.html", "leak/e.html"], db, progress=False)
    assert again.new == 0 and again.present == s.new + s.present
    assert con.execute("select count(*) from sources").fetchone()[0] == len(names)


def test_evaluate_still_matches_labels_by_file_name(tmp_path, monkeypatch):
    from sousveil.evaluate import evaluate

    folder = tmp_path / "labelled"
    folder.mkdir()
    (folder / "n.html").write_bytes(GOOD)
    (folder / "labels.jsonl").write_text(json.dumps({"file": "n.html", "notice_type": "award"}) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = evaluate(folder)
    assert (report.documents, report.ingested) == (1, 1)
    monkeypatch.chdir("/")
    assert evaluate(folder).ingested == 1

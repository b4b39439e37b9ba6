import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from sousveil.ingest.run import ingest
from sousveil.synth.generate import write_corpus

from .conftest import CCGP_SAMPLE, run_cli


def counts(db_path):
    """Documents, notices, sources, tags and full-text rows (notice_fts_docsize has one row per indexed notice)."""
    con = sqlite3.connect(db_path)
    try:
        return con.execute("select (select count(*) from documents), (select count(*) from notices),"
                           " (select count(*) from sources), (select count(*) from tags),"
                           " (select count(*) from notice_fts_docsize)").fetchone()
    finally:
        con.close()


def test_second_run_adds_nothing_and_says_so(tmp_path):
    write_corpus(tmp_path / "c", 30, seed=3)
    db = tmp_path / "x.db"
    first = ingest([tmp_path / "c" / "notices"], db, progress=False)
    assert (first.new, first.present, first.failed) == (30, 0, 0)
    before = counts(db)
    second = ingest([tmp_path / "c" / "notices"], db, progress=False)
    assert (second.new, second.present, second.failed) == (0, 30, 0)
    assert counts(db) == before
    result = run_cli("ingest", tmp_path / "c" / "notices", "--db", db)
    assert "new: 0  already present: 30  failed: 0" in result.stdout
    assert "nothing new" in result.stdout


def test_same_bytes_from_two_places_is_one_document_with_two_sources(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "n.html").write_bytes(CCGP_SAMPLE.read_bytes())
    db = tmp_path / "x.db"
    s = ingest([tmp_path], db, progress=False)
    assert (s.new, s.present) == (1, 1)
    docs, notices, sources, _, fts_rows = counts(db)
    assert (docs, notices, sources, fts_rows) == (1, 1, 2, 1)
    con = sqlite3.connect(db)
    assert sorted(r[0] for r in con.execute("select name from sources")) == ["a/n.html", "b/n.html"]
    # Given as two folders, both files are n.html below the folder given: one provenance, stored once.
    s = ingest([tmp_path / "a", tmp_path / "b"], tmp_path / "y.db", progress=False)
    assert (s.new, s.present) == (1, 1) and counts(tmp_path / "y.db")[:3] == (1, 1, 1)


def test_failures_are_recorded_with_reasons_and_do_not_stop_the_run(tmp_path):
    (tmp_path / "good.html").write_bytes(CCGP_SAMPLE.read_bytes())
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    (tmp_path / "empty.html").write_bytes(b"<html><body></body></html>")
    db = tmp_path / "x.db"
    result = run_cli("ingest", tmp_path, "--db", db, check=False)
    assert result.returncode == 3
    assert "broken.pdf: unreadable PDF" in result.stderr
    assert "empty.html: no text in the document" in result.stderr
    assert "new: 1" in result.stdout and "failed: 2" in result.stdout
    con = sqlite3.connect(db)
    failed = dict(con.execute("select s.name, d.error from documents d join sources s on s.sha256 = d.sha256"
                              " where d.status = 'failed'").fetchall())
    assert {os.path.basename(k) for k in failed} == {"broken.pdf", "empty.html"}
    assert all(failed.values())


def test_pdf_without_text_is_kept_as_needs_ocr(tmp_path):
    import pymupdf

    doc = pymupdf.open()
    doc.new_page()
    (tmp_path / "scan.pdf").write_bytes(doc.tobytes())
    s = ingest([tmp_path], tmp_path / "x.db", progress=False)
    assert (s.new, s.needs_ocr, s.failed) == (1, 1, 0)
    con = sqlite3.connect(tmp_path / "x.db")
    assert con.execute("select status, ocr_pages from documents").fetchone() == ("needs_ocr", "[1]")


def test_every_input_format(tmp_path):
    """HTML (UTF-8, GBK), text, PDF, DOCX, zip and WARC in one run."""
    from .test_convert import make_docx, make_pdf
    from .test_sources import write_warc, zip_bytes

    (tmp_path / "a.html").write_bytes(CCGP_SAMPLE.read_bytes())
    (tmp_path / "b.html").write_bytes("<meta charset=gbk><h3>某县公安局视频监控采购中标公告</h3><p>采购人：某县公安局</p>".encode("gbk"))
    (tmp_path / "c.txt").write_text("某市法院办公家具采购更正公告\n采购人：某市中级人民法院", encoding="utf-8")
    (tmp_path / "d.pdf").write_bytes(make_pdf(["某市公安局手机取证设备采购中标公告 中标金额：100万元"]))
    (tmp_path / "e.docx").write_bytes(make_docx())
    (tmp_path / "f.zip").write_bytes(zip_bytes({"inner.html": "<h3>某校空调采购结果公告</h3><p>采购人：某某中学</p>"}))
    write_warc(tmp_path / "g.warc.gz")
    s = ingest([tmp_path], tmp_path / "x.db", progress=False)
    assert (s.new, s.failed, s.skipped) == (7, 0, 2)
    con = sqlite3.connect(tmp_path / "x.db")
    media = sorted(r[0] for r in con.execute("select media_type from documents"))
    assert media.count("text/html") == 4 and "application/pdf" in media and "text/plain" in media
    urls = [r[0] for r in con.execute("select url from sources where url is not null")]
    assert any(u.endswith("t20250527_1.htm") for u in urls)
    warc_type = con.execute("select n.type from notices n join sources s on s.sha256 = n.sha256"
                            " where s.url like '%t20250527_1.htm'").fetchone()[0]
    assert warc_type == "award"


def start_ingest_and_wait(corpus, db, *args, **popen):
    """Start `sousveil ingest` and return it once at least 200 documents are committed."""
    proc = subprocess.Popen([sys.executable, "-m", "sousveil.cli", "ingest", str(corpus), "--db", str(db), "--no-progress",
                             *args], **popen)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            con = sqlite3.connect(db, timeout=0.1)
            stored = con.execute("select count(*) from documents").fetchone()[0]
            con.close()
        except sqlite3.Error:
            continue
        if stored >= 200:
            break
    assert proc.poll() is None, "ingest finished before it could be stopped; make the corpus larger"
    return proc


def assert_complete_after_resume(db, corpus, total, partial):
    s = ingest([corpus], db, progress=False)
    assert s.new + s.present == total and s.present == partial and s.failed == 0
    docs, notices, sources, tags, fts_rows = counts(db)
    assert (docs, notices, sources, fts_rows) == (total, total, total, total)
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from (select sha256 from documents group by sha256 having count(*) > 1)").fetchone()[0] == 0
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_resume_after_sigkill(tmp_path):
    """Kill an ingest with SIGKILL mid-run; the next run completes without loss or duplicates."""
    truth = write_corpus(tmp_path / "c", 1500, seed=5)
    db = tmp_path / "x.db"
    proc = start_ingest_and_wait(tmp_path / "c" / "notices", db, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = counts(db)[0]
    assert 0 < partial < 1500
    assert_complete_after_resume(db, tmp_path / "c" / "notices", 1500, partial)
    assert sum(1 for _ in open(truth, encoding="utf-8")) == 1500


def test_ctrl_c_stops_workers_and_says_how_to_resume(tmp_path):
    """Ctrl-C (SIGINT to the whole process group) during a parallel ingest: a clear message and exit
    code 130, no traceback, no worker left behind; the next run completes the rest."""
    write_corpus(tmp_path / "c", 1500, seed=6)
    db = tmp_path / "x.db"
    proc = start_ingest_and_wait(tmp_path / "c" / "notices", db, "--jobs", "2", stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    message = " ".join(err.split())  # the console wraps long lines
    assert "interrupted after" in message and "Run the same command again" in message
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # the workers have gone with the main process
    partial = counts(db)[0]
    assert 0 < partial < 1500
    assert_complete_after_resume(db, tmp_path / "c" / "notices", 1500, partial)


def test_failed_document_is_retried(tmp_path):
    (tmp_path / "n.html").write_bytes(b"<html><body></body></html>")
    db = tmp_path / "x.db"
    assert ingest([tmp_path], db, progress=False).failed == 1
    assert ingest([tmp_path], db, progress=False).failed == 1
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from documents").fetchone()[0] == 1


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("hello")
    result = run_cli("ingest", CCGP_SAMPLE, "--db", bad, check=False)
    assert result.returncode == 1 and "not an SQLite database" in result.stderr or "not a sousveil" in result.stderr
    result = run_cli("stats", "--db", tmp_path / "missing.db", check=False)
    assert result.returncode == 1 and "no such database" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_an_internal_error_on_one_document_is_recorded_and_the_run_goes_on(tmp_path, monkeypatch):
    import sousveil.pipeline as pipeline

    real = pipeline.extract_notice

    def brittle(text, *args, **kwargs):
        if "BOOM" in text:
            raise IndexError("list index out of range")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pipeline, "extract_notice", brittle)
    (tmp_path / "a.html").write_text("<h3>某校空调采购结果公告</h3><p>BOOM</p>", encoding="utf-8")
    (tmp_path / "b.html").write_bytes(CCGP_SAMPLE.read_bytes())
    s = ingest([tmp_path], tmp_path / "x.db", progress=False)
    assert (s.new, s.failed) == (1, 1)
    [(name, reason)] = s.failures
    assert name.endswith("a.html") and "internal error (IndexError" in reason


def test_parallel_ingest_with_duplicates_matches_a_serial_one(tmp_path):
    write_corpus(tmp_path / "c", 120, seed=4)
    notices = tmp_path / "c" / "notices"
    for i in range(0, 120, 7):  # the same bytes again, later in the walk
        (notices / f"zz-copy-{i}.html").write_bytes((notices / f"notice-{i:06d}.html").read_bytes())
    serial = ingest([notices], tmp_path / "serial.db", progress=False, batch_size=10)
    parallel = ingest([notices], tmp_path / "parallel.db", progress=False, batch_size=10, jobs=2)
    assert (serial.new, serial.present, serial.failed) == (parallel.new, parallel.present, parallel.failed) == (120, 18, 0)

    def dump(db):
        con = sqlite3.connect(db)
        return sorted(con.execute("select d.sha256, n.type, n.award_total, n.categories from documents d"
                                  " join notices n on n.sha256 = d.sha256").fetchall())

    assert dump(tmp_path / "serial.db") == dump(tmp_path / "parallel.db")


def test_document_size_is_recorded_for_ok_and_failed_documents(tmp_path):
    (tmp_path / "good.html").write_bytes(CCGP_SAMPLE.read_bytes())
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 not really")
    ingest([tmp_path], tmp_path / "x.db", progress=False)
    con = sqlite3.connect(tmp_path / "x.db")
    sizes = dict(con.execute("select status, bytes from documents").fetchall())
    assert sizes == {"ok": CCGP_SAMPLE.stat().st_size, "failed": 19}


def test_batches_grow_with_the_database_and_stay_bounded_in_bytes(tmp_path, monkeypatch):
    """A commit holds a share of the notices already stored (run.BATCH_SHARE), at least batch_size and at
    most BATCH_MAX documents, and never more than BATCH_BYTES of documents; every document is stored."""
    import sousveil.ingest.run as run

    write_corpus(tmp_path / "first", 40, seed=5)
    write_corpus(tmp_path / "more", 60, seed=6)
    db = tmp_path / "x.db"
    ingest([tmp_path / "first" / "notices"], db, progress=False, link=False)
    commits = []
    real = run.store.write_records
    monkeypatch.setattr(run.store, "write_records", lambda db, records, ver: (commits.append([r.size for r in records]),
                                                                              real(db, records, ver)))
    monkeypatch.setattr(run, "BATCH_SHARE", 2)
    monkeypatch.setattr(run, "BATCH_MAX", 25)
    s = ingest([tmp_path / "more" / "notices"], db, progress=False, batch_size=10, link=False)
    # 40 notices stored: batches of 20; after the first commit 60: of 25 (the most), and the rest.
    assert [len(c) for c in commits] == [20, 25, 15] and s.new == 60
    assert counts(db)[1] == 100
    write_corpus(tmp_path / "third", 30, seed=7)
    commits.clear()
    size = max(f.stat().st_size for f in (tmp_path / "third" / "notices").iterdir())
    monkeypatch.setattr(run, "BATCH_BYTES", 3 * size)
    ingest([tmp_path / "third" / "notices"], db, progress=False, batch_size=10, link=False)
    # A commit is made as soon as the batch reaches the bound: it passes it by one document at most.
    assert sum(len(c) for c in commits) == 30 and len(commits) >= 5
    assert all(sum(c[:-1]) < 3 * size for c in commits)

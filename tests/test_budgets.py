"""Every document runs under a time budget and, in the worker processes, a memory budget: one that
exceeds either is recorded as failed with its reason, and the run goes on with the next."""

import time

from sousveil.ingest.sources import Source
from sousveil import pipeline
from sousveil.pipeline import process

from .conftest import run_cli

NOTICE = "<h3>某县公安局视频监控采购项目中标公告</h3><p>采购人：某县公安局</p><p>中标供应商：某某科技有限公司</p>".encode()


def test_a_document_over_its_time_budget_is_a_failure_and_the_next_goes_on(monkeypatch):
    slow = pipeline._process

    def stalls(source, digest, ocr=None):
        if source.name == "slow.html":
            while True:  # a page that keeps a worker busy for good
                time.sleep(0.01)
        return slow(source, digest, ocr)

    monkeypatch.setattr(pipeline, "_process", stalls)
    started = time.perf_counter()
    rec = process(Source(NOTICE, "slow.html"), seconds=0.3)
    assert rec.status == "failed" and "time budget of 0.3 s" in rec.error
    assert time.perf_counter() - started < 5
    assert process(Source(NOTICE, "next.html")).status == "ok"  # the default budget: the alarm was reset


def test_a_document_over_its_memory_budget_is_a_failure(monkeypatch):
    def hungry(source, digest, ocr=None):
        raise MemoryError

    monkeypatch.setattr(pipeline, "_process", hungry)
    rec = process(Source(NOTICE, "big.html"))
    assert rec.status == "failed" and "memory budget" in rec.error


def test_ingest_records_a_document_over_the_memory_budget_and_goes_on(tmp_path):
    # A 30 MB page would need about 3 GB: over a budget of 1,000 MB, it is refused before it is read;
    # the small one is stored, with one worker process and with two, and the command exits 3.
    (tmp_path / "big.html").write_bytes(b"<p>" + "某".encode() * 10_000_000 + b"</p>")
    (tmp_path / "small.html").write_bytes(NOTICE)
    for jobs in ("1", "2"):
        db = tmp_path / f"b{jobs}.db"
        result = run_cli("ingest", tmp_path, "--db", db, "--jobs", jobs, "--memory-budget", "1000", check=False)
        assert result.returncode == 3, result.stderr
        assert "big.html" in result.stderr and "memory budget of 1000 MB" in result.stderr
        assert "new: 1" in result.stdout

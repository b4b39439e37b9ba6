"""`sousveil ingest`: sources -> pipeline -> store, resumable and idempotent.

Each document is keyed by the SHA-256 of its bytes. Records are written in batches, each in
one transaction, so a run killed at any moment leaves only whole documents behind; the next
run skips what is stored and processes the rest. A document that failed before is retried.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import sqlite3
import sys
import time
from collections import deque
from dataclasses import dataclass, field

from ..ocr import read as ocr_read
from ..pipeline import DEFAULT_MEMORY_MB, DEFAULT_SECONDS, Record, process, sha256, versions
from ..resolve.link import LinkSummary
from ..resolve.link import link as link_notices
from ..store import db as store
from .sources import Failure, Limits, Skipped, Source, iter_files, iter_sources

# Documents a commit holds: at least BATCH, and a hundredth (BATCH_SHARE) of the notices stored, up to BATCH_MAX.
# Each commit writes every page it changed, and a new document changes pages all over the indexes keyed
# by digests and names; the larger the database, the more of them, so its batches grow with it
# (docs/benchmark.md). Bounded in bytes too, since a batch holds its documents' bytes in memory.
BATCH = 200
BATCH_MAX = 2000
BATCH_SHARE = 100
BATCH_BYTES = 64 * 1024 * 1024
MAX_SKIPS_KEPT = 1000  # skipped inputs listed in the summary (all are counted)
CHUNK = 16  # documents a worker takes at once: a task per document cost the main process more than writing it
# Chunks the workers may have ahead of the writer, per worker, and their bytes in all: the documents in
# flight are bounded in memory whatever their size. At least a batch's worth, so that the workers do not
# wait while the writer stores and links a large batch.
AHEAD_CHUNKS = 8
AHEAD_BYTES = 64 * 1024 * 1024


@dataclass
class Summary:
    new: int = 0
    present: int = 0
    failed: int = 0
    skipped: int = 0
    stored: int = 0  # new documents committed to the database so far
    needs_ocr: int = 0
    ocr_pages: int = 0  # pages read by OCR (or taken from its cache)
    synthetic: int = 0
    bytes: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    skips: list[tuple[str, str]] = field(default_factory=list)  # (name, why it is not a document), the first ones
    link: LinkSummary | None = None

    @property
    def documents(self) -> int:
        return self.new + self.present + self.failed


def _file_of(name: str) -> str:
    return name.split("!", 1)[0].split("#", 1)[0]


def ingest(paths, db_path, progress: bool | None = None, limits: Limits = Limits(), batch_size: int = BATCH,
           jobs: int = 1, keep_originals: bool = False, link: bool = True, ocid_prefix: str | None = None,
           include=(), seconds: float | None = DEFAULT_SECONDS, memory_mb: int | None = DEFAULT_MEMORY_MB,
           ocr: bool = True) -> Summary:
    """Ingest everything under `paths`. With jobs > 1, documents are processed in a pool of worker
    processes (pipeline.process is pure); reading, de-duplication and writing stay in this process,
    in input order. keep_originals stores the original bytes too (they carry unredacted personal data).
    The new notices are linked (organizations, vendors, processes: resolve/link.py) after each batch is
    stored, unless link is False: with a pool, the main process links while the workers extract.
    Files that are not documents (READMEs, labels, hidden files …) are skipped unless a glob of
    `include` matches them; provenance names are relative to the path they were found under.
    Each document has a time budget (`seconds`) and a memory budget (`memory_mb`, estimated from its
    size): one that exceeds either is recorded as failed and the run goes on."""
    summary = Summary()
    ocr_options = ocr_read.Options(cache=ocr_read.cache_beside(db_path)) if ocr else None
    try:
        db = store.open_db(db_path)  # creating the tables writes too
    except (sqlite3.OperationalError, OSError) as e:
        refused = _write_refused(db_path, e, summary)
        if refused is None:
            raise
        raise refused from None
    # Fold the write-ahead log into the database every 40 MB rather than every 4 MB: each
    # checkpoint syncs the file, and during a long ingest they cost more than the inserts.
    db.execute("PRAGMA wal_autocheckpoint=10000")
    ver = versions()  # load the data files before forking, so that workers share them
    db_file = os.path.abspath(db_path)
    exclude = frozenset(db_file + suffix for suffix in ("", "-wal", "-shm", "-journal"))
    show = sys.stderr.isatty() if progress is None else progress
    # Count the files for the progress bar without keeping them: memory must not grow with the corpus.
    total_files = sum(1 for _ in iter_files(paths, exclude, include)) if show else None  # skipped ones too
    started = time.perf_counter()
    batch: list[Record | tuple] = []
    pending: set[str] = set()
    batch_bytes = [0]
    stored_before = db.execute("select count(*) from notices").fetchone()[0]  # open_db made the tables
    commit_at = [_batch_size(batch_size, stored_before)]

    def full() -> bool:
        return len(batch) >= commit_at[0] or batch_bytes[0] >= BATCH_BYTES

    def flush():
        later = []  # another source of a document the pool has not returned yet
        records = [item for item in batch if isinstance(item, Record)]
        with db.conn:
            for rec in records:
                if store.document_status(db, rec.sha256) == "failed":
                    store.delete_document(db, rec.sha256)
            store.write_records(db, records, ver)  # documents before their other sources
            for item in batch:
                if isinstance(item, Record):
                    continue
                if item[0] == "source":
                    if store.document_status(db, item[1]) is None:
                        later.append(item)
                    else:
                        store.add_source(db, item[1], item[2])
                else:
                    store.record_error(db, item[1], item[2])
        # Digests still being processed by the pool stay pending, so a copy of them is not processed twice.
        pending.difference_update(rec.sha256 for rec in records)
        summary.stored += len(records)
        batch[:] = later
        batch_bytes[0] = 0
        commit_at[0] = _batch_size(batch_size, stored_before + summary.stored)
        if link and records:
            summary.link = (summary.link or LinkSummary()).add(link_notices(db, ocid_prefix))

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
               TextColumn("{task.fields[docs]} docs · {task.fields[rate]:.0f} docs/s · {task.fields[mbs]:.1f} MB/s"
                          "{task.fields[ocr]}"),
               TimeElapsedColumn()]
    pool = _pool(jobs) if jobs > 1 else None
    inflight: deque = deque()  # (AsyncResult, bytes) of chunks, in input order
    ahead = [0]  # bytes of the chunks in flight
    chunk: list[tuple[Source, str]] = []

    def submit():
        if chunk:
            size = sum(len(source.data) for source, _ in chunk)
            inflight.append((pool.apply_async(process_chunk, (chunk[:], keep_originals, seconds, memory_mb, ocr_options)), size))
            ahead[0] += size
            chunk.clear()

    def collect(chunks: int, size: int):
        while inflight and (len(inflight) > chunks or ahead[0] > size):
            result, n = inflight.popleft()
            ahead[0] -= n
            for rec in result.get():
                _record(rec, summary, batch, batch_bytes)
            if full():
                flush()

    try:
        with Progress(*columns, disable=not show, transient=False) as bar:
            task = bar.add_task("ingest", total=total_files, docs=0, rate=0.0, mbs=0.0, ocr="")

            def report():
                elapsed = max(time.perf_counter() - started, 1e-9)
                bar.update(task, docs=summary.documents, rate=summary.documents / elapsed,
                           mbs=summary.bytes / elapsed / 1e6, ocr=_ocr_rate(summary, elapsed))

            current_file = None
            for item in iter_sources(paths, limits, exclude, include):
                name = item.name
                if _file_of(name) != current_file:
                    if current_file is not None:
                        bar.advance(task)
                    current_file = _file_of(name)
                if isinstance(item, Failure):
                    summary.failed += 1
                    summary.failures.append((item.name, item.reason))
                    batch.append(("error", item.name, item.reason))
                elif isinstance(item, Skipped):
                    summary.skipped += 1
                    if len(summary.skips) < MAX_SKIPS_KEPT:
                        summary.skips.append((item.name, item.reason))
                else:
                    digest = _check(db, item, summary, batch, pending)
                    if digest and pool:
                        chunk.append((item, digest))
                        if len(chunk) >= CHUNK:
                            submit()
                            collect(max(AHEAD_CHUNKS * jobs, commit_at[0] // CHUNK), AHEAD_BYTES)
                    elif digest:
                        rec = process(item, digest, keep_originals, seconds, memory_mb, ocr_options)
                        _record(rec, summary, batch, batch_bytes)
                if full():
                    flush()
                report()
            if current_file is not None:
                bar.advance(task)
            if pool:
                submit()
            collect(0, 0)
            flush()
            report()
        if pool:
            pool.close()
            pool.join()
        if link:  # what no batch linked: a run that stored nothing new, after a new prefix or registry
            summary.link = (summary.link or LinkSummary()).add(link_notices(db, ocid_prefix, progress=show))
        # Fold the write-ahead log back into the database file, so that the file alone is complete
        # (copied, published or opened read-only) once the run has finished.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.close()
    except KeyboardInterrupt:
        # What was committed stays: whole documents only. The batch in memory and the documents in the
        # workers are done again by the next run.
        if pool:
            pool.terminate()
            pool.join()
        db.conn.close()
        summary.seconds = time.perf_counter() - started
        raise Interrupted(summary) from None
    except (sqlite3.OperationalError, OSError) as e:
        # A full disk (or a file-size limit): the transaction of the batch is rolled back, what was
        # committed before stays whole. One clear error (the CLI prints StoreError), no traceback.
        refused = _write_refused(db_path, e, summary)
        if refused is None:
            raise
        if pool:
            pool.terminate()
            pool.join()
        try:
            db.conn.close()
        except sqlite3.Error:
            pass
        raise refused from None
    summary.seconds = time.perf_counter() - started
    return summary


def _write_refused(db_path, e: Exception, summary: Summary) -> store.StoreError | None:
    """The error to report when the disk refused a write of an ingest; None for any other error."""
    reason = disk_refusal(db_path, e)
    if reason is None:
        return None
    return store.StoreError(f"{db_path}: cannot write to the database: {reason}. The run stopped: {summary.stored} "
                            "new documents were committed before, whole, and the database is intact; make room and "
                            "run the same command again to go on.")


def disk_refusal(db_path, e: Exception) -> str | None:
    """Why the disk refused a write (full, or a file over the file-size limit, which SQLite reports as a
    disk I/O error); None for any other error."""
    if isinstance(e, OSError):
        reasons = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
                   errno.EFBIG: "a file is too large (the file-size limit is reached)"}
        reason = reasons.get(e.errno)
    else:
        code = (getattr(e, "sqlite_errorcode", None) or 0) & 0xFF  # primary result code
        if code == sqlite3.SQLITE_FULL or "disk is full" in str(e):
            reason = "the disk is full"
        elif code == sqlite3.SQLITE_IOERR or "disk I/O error" in str(e):
            reason = f"a write failed ({e})"
            try:
                import resource

                limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
                limit = None if limit == resource.RLIM_INFINITY else limit
            except (ImportError, OSError, ValueError):  # no resource module (Windows)
                limit = None
            sizes = [os.path.getsize(f) for f in (str(db_path), f"{db_path}-wal") if os.path.exists(f)]
            if limit is not None and sizes and max(sizes) + 65536 >= limit:
                reason = f"the database file is too large: the file-size limit ({limit} bytes, ulimit -f) is reached"
        else:
            reason = None
    return reason


class Interrupted(Exception):
    """The run was stopped (Ctrl-C); `summary.stored` documents were committed before."""

    def __init__(self, summary: Summary):
        super().__init__("interrupted")
        self.summary = summary


def _pool(jobs: int):
    """Forked workers share the data files loaded before; a process that has run OCR itself starts them from
    a fresh interpreter instead, since a fork of it could not run the OCR engine (ocr/engine.py)."""
    from ..ocr.engine import fork_safe

    return multiprocessing.get_context("fork" if fork_safe() else "forkserver").Pool(jobs, initializer=_start_worker)


def _start_worker() -> None:
    # Ctrl-C reaches every process of the terminal's group; the main process stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_chunk(chunk: list[tuple[Source, str]], keep_originals: bool, seconds: float | None,
                  memory_mb: int | None, ocr_options=None) -> list[Record]:
    return [process(source, digest, keep_originals, seconds, memory_mb, ocr_options) for source, digest in chunk]


def _check(db, source: Source, summary: Summary, batch: list, pending: set) -> str | None:
    """The document's digest when it needs processing; None when it is stored already."""
    digest = sha256(source.data)
    summary.bytes += len(source.data)
    status = "pending" if digest in pending else store.document_status(db, digest)
    if status is not None and status != "failed":
        summary.present += 1
        batch.append(("source", digest, source))  # another place the same bytes came from
        return None
    pending.add(digest)
    return digest


def _batch_size(least: int, notices: int) -> int:
    return max(least, min(BATCH_MAX, notices // BATCH_SHARE))


def _ocr_rate(summary: Summary, elapsed: float) -> str:
    """The progress bar's word on OCR, once a page has been read: pages and pages/s."""
    return f" · {summary.ocr_pages} pages OCR · {summary.ocr_pages / elapsed:.1f} pages/s" if summary.ocr_pages else ""


def _record(rec: Record, summary: Summary, batch: list, batch_bytes: list) -> None:
    batch.append(rec)
    batch_bytes[0] += rec.size
    if rec.status == "failed":
        summary.failed += 1
        summary.failures.append((rec.source.name, rec.error or "failed"))
    else:
        summary.new += 1
        summary.needs_ocr += rec.status in ("needs_ocr", "partial_ocr")
        summary.ocr_pages += len(rec.converted.ocr) if rec.converted else 0
        summary.synthetic += rec.synthetic

"""`sousveil ingest`: sources -> pipeline -> store, resumable and idempotent.

Each document is keyed by the SHA-256 of its bytes. Records are written in batches, each in
one transaction, so a run killed at any moment leaves only whole documents behind; the next
run skips what is stored and processes the rest. A document that failed before is retried.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import Record, process, sha256, versions
from ..store import db as store
from .sources import Failure, Limits, Skipped, Source, iter_files, iter_sources

BATCH = 200


@dataclass
class Summary:
    new: int = 0
    present: int = 0
    failed: int = 0
    skipped: int = 0
    needs_ocr: int = 0
    synthetic: int = 0
    bytes: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return self.new + self.present + self.failed


def _file_of(name: str) -> str:
    return name.split("!", 1)[0].split("#", 1)[0]


def ingest(paths, db_path, progress: bool | None = None, limits: Limits = Limits(), batch_size: int = BATCH) -> Summary:
    db = store.open_db(db_path)
    ver = versions()
    summary = Summary()
    db_file = Path(db_path).resolve()
    exclude = frozenset(db_file.with_name(db_file.name + suffix) for suffix in ("", "-wal", "-shm", "-journal"))
    files = [f for f in iter_files(paths, exclude) if isinstance(f, Path)]
    show = sys.stderr.isatty() if progress is None else progress
    started = time.perf_counter()
    batch: list[Record | tuple] = []
    pending: set[str] = set()

    def flush():
        with db.conn:
            for item in batch:
                if isinstance(item, Record):
                    if store.document_status(db, item.sha256) == "failed":
                        store.delete_document(db, item.sha256)
                    store.write_record(db, item, ver)
                elif item[0] == "source":
                    store.add_source(db, item[1], item[2])
                else:
                    store.record_error(db, item[1], item[2])
        batch.clear()
        pending.clear()

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
               TextColumn("{task.fields[docs]} docs · {task.fields[rate]:.0f} docs/s · {task.fields[mbs]:.1f} MB/s"),
               TimeElapsedColumn()]
    with Progress(*columns, disable=not show, transient=False) as bar:
        task = bar.add_task("ingest", total=len(files), docs=0, rate=0.0, mbs=0.0)
        current_file = None
        for item in iter_sources(paths, limits, exclude):
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
            else:
                _one(db, item, summary, batch, pending)
            if len(batch) >= batch_size:
                flush()
            elapsed = max(time.perf_counter() - started, 1e-9)
            bar.update(task, docs=summary.documents, rate=summary.documents / elapsed,
                       mbs=summary.bytes / elapsed / 1e6)
        if current_file is not None:
            bar.advance(task)
        flush()
    summary.seconds = time.perf_counter() - started
    return summary


def _one(db, source: Source, summary: Summary, batch: list, pending: set) -> None:
    digest = sha256(source.data)
    summary.bytes += len(source.data)
    status = "pending" if digest in pending else store.document_status(db, digest)
    if status is not None and status != "failed":
        summary.present += 1
        batch.append(("source", digest, source))  # another place the same bytes came from
        return
    rec = process(source, digest)
    pending.add(digest)
    batch.append(rec)
    if rec.status == "failed":
        summary.failed += 1
        summary.failures.append((source.name, rec.error or "failed"))
    else:
        summary.new += 1
        summary.needs_ocr += rec.status in ("needs_ocr", "partial_ocr")
        summary.synthetic += rec.synthetic

"""Where an ingest's CPU time goes, stage by stage, beside the floor, on the same generated files.

    python bench/stages.py [--n 2000] [--workdir bench/out]

Runs each stage over the same N notices in this one process and prints its CPU time per notice
(the best of three rounds, `time.process_time`), then the CPU budget that the throughput target
leaves: end to end at two thirds of the floor's rate, with every CPU of the machine busy and no
cost for moving records between processes. Ratios and shares are what to quote.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import corpus, floor  # noqa: E402  (bench/run.py: the same corpus and the same floor)

ROUNDS = 3


def best_ms(fn, items) -> float:
    """CPU milliseconds per item of the fastest round."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for item in items:
            fn(item)
        best = min(best, time.process_time() - started)
    return best / len(items) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="notices of the 10,000 corpus to measure on")
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()

    from selectolax.lexbor import LexborHTMLParser

    from sousveil.classify.classify import classify, party_spans
    from sousveil.extract.notice import extract_notice
    from sousveil.ingest.convert import convert
    from sousveil.ingest.decode import decode
    from sousveil.ingest.sources import iter_sources
    from sousveil.pipeline import process, versions
    from sousveil.privacy.redact import redact_folded
    from sousveil.resolve import duplicates
    from sousveil.resolve.link import link
    from sousveil.store import db as store
    from sousveil.store import fts

    files_dir = corpus(args.workdir, 10_000)
    files = sorted(p for p in files_dir.iterdir() if p.suffix == ".html")[:args.n]
    ver = versions()
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "notices"
        subset.mkdir()
        for f in files:  # the same files with their sidecars, for iter_sources
            os.link(f, subset / f.name)
            sidecar = f.with_name(f.name + ".meta.json")
            if sidecar.exists():
                os.link(sidecar, subset / sidecar.name)
        floor_ms = best_ms(lambda _: floor(files, Path(tmp) / "floor.db"), [None]) / len(files)

        sources = [s for s in iter_sources([subset])]
        texts = [decode(s.data)[0] for s in sources]
        converted = [convert(s.data, s.name, s.content_type) for s in sources]
        redacted = [redact_folded(c.text) for c in converted]
        notices = [extract_notice(r[0], c.html_meta, s.url, r[2]) for r, c, s in zip(redacted, converted, sources)]
        floor_index = [fts.index_text(LexborHTMLParser(t).body.text(separator="\n")) for t in texts]

        rows = [
            ("read files and sidecars", best_ms(lambda _: list(iter_sources([subset])), [None]) / len(files)),
            ("decode", best_ms(lambda s: decode(s.data), sources)),
            ("HTML to text (floor: bare parse and body text)", best_ms(lambda t: LexborHTMLParser(t).body.text(separator="\n"), texts)),
            ("HTML to text (sousveil: blocks, cells, chrome, spans)", best_ms(lambda s: convert(s.data, s.name, s.content_type), sources)),
            ("fold and redact", best_ms(lambda c: redact_folded(c.text), converted)),
            ("extract the notice", best_ms(lambda x: extract_notice(x[0][0], x[1].html_meta, x[2].url, x[0][2]),
                                           list(zip(redacted, converted, sources)))),
            ("classify", best_ms(lambda x: classify(x[0][0], x[1].buyer_type, folded=x[0][2], exclude=party_spans(
                x[0][2], [w.name for w in x[1].suppliers] + [x[1].agency])), list(zip(redacted, notices)))),
            ("index terms (CJK bigrams)", best_ms(lambda r: fts.index_text(r[2], folded=True), redacted)),
            ("MinHash signature", best_ms(lambda r: duplicates.signature(r[2]), redacted)),
            ("pipeline.process, all of the above but reading", best_ms(process, sources)),
        ]

        records = [process(s) for s in sources]

        def write_and_link(_):
            path = Path(tmp) / "store.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            db = store.open_db(path)
            for i in range(0, len(records), 200):
                with db.conn:
                    store.write_records(db, records[i:i + 200], ver)
            write_ms = time.process_time()
            link(db)
            db.conn.close()
            return write_ms

        best_write = best_link = float("inf")
        for _ in range(ROUNDS):
            started = time.process_time()
            after_write = write_and_link(None)
            best_write = min(best_write, after_write - started)
            best_link = min(best_link, time.process_time() - after_write)
        rows.append(("store: documents, facts, tags, full-text index", best_write / len(files) * 1000))
        rows.append(("link: organizations, vendors, processes, copies", best_link / len(files) * 1000))

        con = sqlite3.connect(Path(tmp) / "fts.db")
        con.execute("CREATE VIRTUAL TABLE f USING fts5(body, content='', tokenize='unicode61 remove_diacritics 0')")
        started = time.process_time()
        with con:
            con.executemany("insert into f(rowid, body) values (?, ?)", enumerate(floor_index, 1))
        fts_ms = (time.process_time() - started) / len(files) * 1000
        con.close()

    total = rows[0][1] + rows[-3][1] + rows[-2][1] + rows[-1][1]  # read + process + store + link
    cpus = os.cpu_count() or 1
    budget = floor_ms * 1.5 * cpus  # CPU per notice when every CPU works at 2/3 of the floor's rate
    print(f"{len(files)} notices of {files_dir}, CPU ms per notice, best of {ROUNDS} rounds\n")
    print("| stage | CPU ms/notice | share of sousveil's |")
    print("|---|---|---|")
    for name, ms in rows:
        share = "" if name.startswith(("HTML to text (floor", "pipeline.process")) else f"{ms / total:.0%}"
        print(f"| {name} | {ms:.3f} | {share} |")
    print(f"| **sousveil in one process** (read + process + store + link) | **{total:.3f}** | 100% |")
    print(f"| floor: read, decode, bare parse, index terms, FTS5 insert | {floor_ms:.3f} | |")
    print(f"| of which the FTS5 insert of the same terms | {fts_ms:.3f} | |")
    print()
    print(f"Target: end to end at 2/3 of the floor's rate = {1000 / floor_ms * 2 / 3:,.0f} notices/s. With all {cpus} CPUs "
          f"busy and nothing spent between processes, that leaves {budget:.3f} ms of CPU per notice; "
          f"sousveil needs {total:.3f} ms ({total / budget:.2f} x the budget). "
          f"The same budget with the CPUs needed: {total / (floor_ms * 1.5):.1f} CPUs.")


if __name__ == "__main__":
    main()

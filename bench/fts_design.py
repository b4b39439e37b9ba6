"""Measure full-text index designs on the same texts, to choose one (docs/search.md).

    python bench/fts_design.py [--n 10000] [--workdir bench/out]

Texts are the stored texts of a generated corpus ingested by sousveil. For each design it
prints the build rate, the index size per notice, and query latency for a two-character and a
four-character Chinese query, and whether the two-character query is answered by the index.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import corpus  # noqa: E402

from sousveil.store import fts  # noqa: E402

DESIGNS = {
    "trigram, content stored": ("fts5(body, tokenize='trigram')", lambda t: t),
    "trigram, contentless": ("fts5(body, content='', tokenize='trigram')", lambda t: t),
    "unicode61 (default)": ("fts5(body, content='')", lambda t: t),
    "CJK bigrams, contentless (sousveil)": ("fts5(body, content='', tokenize='unicode61 remove_diacritics 0')",
                                            lambda t: fts.index_text(t)),
}
QUERIES = {"two chars": "人脸", "four chars": "电子围栏"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db_path = args.workdir / f"sousveil-{args.n}.db"
    if not db_path.exists():
        notices = corpus(args.workdir, args.n)
        subprocess.run([sys.executable, "-m", "sousveil.cli", "ingest", str(notices), "--db", str(db_path),
                        "--no-progress"], check=True, stdout=subprocess.DEVNULL)
    texts = [r[0] for r in sqlite3.connect(db_path).execute("select text from documents order by rowid")]
    text_bytes = sum(len(t.encode()) for t in texts)
    print(f"{len(texts)} texts, {text_bytes / len(texts):,.0f} bytes of text per notice")
    print("| design | build notices/s | index bytes/notice | index / text | 2-char query ms | 4-char query ms | 2-char by index |")
    print("|---|---|---|---|---|---|---|")
    for name, (ddl, prepare) in DESIGNS.items():
        path = args.workdir / "fts-probe.db"
        path.unlink(missing_ok=True)
        con = sqlite3.connect(path)
        con.execute(f"create virtual table f using {ddl}")
        t = time.perf_counter()
        with con:
            con.executemany("insert into f(rowid, body) values (?, ?)", ((i, prepare(x)) for i, x in enumerate(texts, 1)))
        build = time.perf_counter() - t
        con.execute("vacuum")
        size = path.stat().st_size
        row = [name, f"{len(texts) / build:,.0f}", f"{size / len(texts):,.0f}", f"{size / text_bytes:.2f}"]
        by_index = ""
        for label, q in QUERIES.items():
            if "bigram" in name:
                sql, params = "select count(*) from f where f match ?", [fts.match_expression(q)]
            elif "trigram" in name and len(q) < 3:
                # The trigram tokenizer cannot answer a two-character MATCH; LIKE scans the table.
                sql, params = "select count(*) from f where body like ?", [f"%{q}%"]
            else:
                sql, params = "select count(*) from f where f match ?", [f'"{q}"']
            times = []
            try:
                for _ in range(5):
                    s = time.perf_counter()
                    hits = con.execute(sql, params).fetchone()[0]
                    times.append(time.perf_counter() - s)
                row.append(f"{statistics.median(times) * 1000:.1f} ({hits} hits)")
            except sqlite3.OperationalError as e:
                row.append(f"n/a ({e})")
            if label == "two chars":
                by_index = "yes" if "bigram" in name else "no (the tokenizer has no two-character terms)"
        row.append(by_index)
        print("| " + " | ".join(row) + " |")
        con.close()
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

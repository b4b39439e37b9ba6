"""Ingest benchmark: sousveil end to end against the floor, on the same generated files.

    python bench/run.py [--sizes 10000 100000] [--workdir bench/out] [--jobs 1 0]

For each size it generates a corpus (seeded, cached in the workdir), then measures
- the floor: read each file, decode it, parse it with the bare HTML parser (selectolax/lexbor),
  take the body text, and build the same full-text index (CJK bigrams in a contentless FTS5
  table) over those texts, in one process;
- sousveil end to end: `sousveil ingest` in a child process (conversion, redaction, extraction,
  classification, storage, full-text index, linking), its peak RSS (the largest of its processes)
  and the database size; once for each `--jobs` value (1: one process; 0: the command's default,
  a worker per CPU);
- search latency over a fixed set of queries (p50 / p95).
Ratios are what to quote: absolute rates depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = ["人脸", "电子围栏", "视频监控", "公安局", "dna", "舆情", "空调", "WiFi探针", "中标", "采购", "人脸识别 公安",
           "face", "指纹", "雪亮工程", "看守所", "取证"]
FILTERED = [("人脸", {"category": "video"}), ("", {"province": "广东"}), ("采购", {"buyer_type": "police", "year": 2020}),
            ("", {"category": "phone_tracking", "type": "award"})]


def corpus(workdir: Path, n: int) -> Path:
    root = workdir / f"corpus-{n}"
    if not (root / "truth.jsonl").exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sousveil.cli", "synth", "--n", str(n), "--seed", "42", str(root)],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"  generated {n} notices in {time.perf_counter() - t:.0f} s", flush=True)
    return root / "notices"


def floor(files: list[Path], db_path: Path) -> tuple[float, int]:
    from selectolax.lexbor import LexborHTMLParser

    from sousveil.ingest.decode import decode
    from sousveil.store import fts

    db_path.unlink(missing_ok=True)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(body, content='', tokenize='unicode61 remove_diacritics 0')")
    started = time.perf_counter()
    total = 0
    batch = []
    for i, path in enumerate(files, 1):
        data = path.read_bytes()
        total += len(data)
        text, _ = decode(data)
        body = LexborHTMLParser(text).body
        batch.append((i, fts.index_text(body.text(separator="\n") if body is not None else "")))
        if len(batch) >= 200:
            with con:
                con.executemany("insert into f(rowid, body) values (?, ?)", batch)
            batch.clear()
    with con:
        con.executemany("insert into f(rowid, body) values (?, ?)", batch)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return time.perf_counter() - started, total


def floor_in_child(files_dir: Path, db_path: Path) -> tuple[float, int]:
    """The floor in its own process: the bench process must stay small, because a child's peak RSS
    as the kernel reports it includes the parent's image at the moment it was spawned."""
    out = subprocess.run([sys.executable, __file__, "--floor", str(files_dir), str(db_path)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def end_to_end(notices: Path, db_path: Path, jobs: int) -> tuple[float, int]:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "sousveil.cli", "ingest", str(notices), "--db", str(db_path), "--no-progress"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        out.seek(0)
        report = out.read()
    if status != 0:
        raise SystemExit(f"ingest failed with status {status}")
    # The ingest ends by linking the new notices (organizations, vendors, processes): its share.
    linked = re.search(r"linked \d+ notices in ([\d.]+) s", report)
    return elapsed, usage.ru_maxrss * 1024, float(linked.group(1)) if linked else 0.0


def search_latency(db_path: Path, rounds: int = 5) -> list[float]:
    from sousveil.store import queries
    from sousveil.store.db import open_db

    db = open_db(db_path, create=False)
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            queries.search(db, q, queries.Filters(), limit=20)
            times.append(time.perf_counter() - t)
        for q, f in FILTERED:
            t = time.perf_counter()
            queries.search(db, q or None, queries.Filters(**f), limit=20)
            times.append(time.perf_counter() - t)
    return times


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 0],
                        help="worker processes for sousveil ingest, a run each (0: the command's default)")
    parser.add_argument("--floor", nargs=2, metavar=("NOTICES", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        files = sorted(p for p in Path(args.floor[0]).iterdir() if p.suffix == ".html")
        seconds, total = floor(files, Path(args.floor[1]))
        print(seconds, total)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        print(f"== {n} notices", flush=True)
        notices = corpus(args.workdir, n)
        floor_s, total_bytes = floor_in_child(notices, args.workdir / f"floor-{n}.db")
        floor_db = (args.workdir / f"floor-{n}.db").stat().st_size
        print(f"  floor: {n / floor_s:,.0f} notices/s, {total_bytes / floor_s / 1e6:.1f} MB/s, "
              f"index {floor_db / n:,.0f} bytes/notice", flush=True)
        for jobs in args.jobs:
            db_path = args.workdir / f"sousveil-{n}.db"
            e2e_s, rss, link_s = end_to_end(notices, db_path, jobs)
            size = db_path.stat().st_size
            lat = search_latency(db_path)
            row = {"n": n, "jobs": jobs or "default", "e2e_rate": n / e2e_s, "e2e_mbs": total_bytes / e2e_s / 1e6,
                   "floor_rate": n / floor_s, "floor_mbs": total_bytes / floor_s / 1e6, "ratio": floor_s / e2e_s,
                   "rss_mb": rss / 1e6, "db_bytes_per_notice": size / n, "floor_bytes_per_notice": floor_db / n,
                   "input_bytes_per_notice": total_bytes / n, "p50_ms": percentile(lat, 50) * 1000,
                   "p95_ms": percentile(lat, 95) * 1000, "link_share": link_s / e2e_s}
            rows.append(row)
            print(f"  sousveil (jobs={row['jobs']}): {row['e2e_rate']:,.0f} notices/s, {row['e2e_mbs']:.1f} MB/s, "
                  f"{row['ratio']:.2f} x the floor's rate (linking {row['link_share']:.0%} of the time); "
                  f"peak RSS {row['rss_mb']:.0f} MB; database {row['db_bytes_per_notice']:,.0f} bytes/notice; "
                  f"search p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms", flush=True)
    print()
    print("| notices | jobs | sousveil notices/s | MB/s | floor notices/s | floor MB/s | ratio (target >= 0.67) | peak RSS MB |"
          " DB bytes/notice | input bytes/notice | search p50 ms | p95 ms (target < 100) | linking share |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['jobs']} | {r['e2e_rate']:,.0f} | {r['e2e_mbs']:.1f} | {r['floor_rate']:,.0f} | {r['floor_mbs']:.1f} |"
              f" {r['ratio']:.2f} | {r['rss_mb']:.0f} | {r['db_bytes_per_notice']:,.0f} | {r['input_bytes_per_notice']:,.0f} |"
              f" {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['link_share']:.0%} |")
    one = {r["n"]: r["e2e_rate"] for r in rows if r["jobs"] == 1}
    for r in rows:
        if r["jobs"] != 1 and r["n"] in one:
            workers = r["jobs"] if r["jobs"] != "default" else os.cpu_count()
            print(f"parallel speed-up at {r['n']:,} notices, {workers} workers on {os.cpu_count()} CPUs: "
                  f"{r['e2e_rate'] / one[r['n']]:.2f} x the one-process rate (target >= 1.85 on 2 CPUs)")


if __name__ == "__main__":
    main()

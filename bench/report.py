"""Findings report benchmark: `sousveil report` end to end, its wall time and peak RSS.

    python bench/report.py [--small 1000] [--big bench/out/sousveil-100000.db] [--workdir bench/out]

- a report on a database of `--small` generated notices (generated and ingested once, cached in the
  workdir), twice: the target is under 10 s;
- a report on the whole `--big` database (bench/run.py builds bench/out/sousveil-100000.db), once:
  it summarises and cites the top items of a 100,000-notice scope; its peak RSS is what to watch.
Each report runs as a child process (`sousveil report`), measured from outside (os.wait4).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOUSVEIL = [sys.executable, "-m", "sousveil.cli"]


def small_db(workdir: Path, n: int) -> Path:
    db = workdir / f"sousveil-{n}.db"
    if not db.exists():
        corpus = workdir / f"corpus-{n}"
        subprocess.run([*SOUSVEIL, "synth", "--n", str(n), "--seed", "42", str(corpus)], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([*SOUSVEIL, "ingest", str(corpus / "notices"), "--db", str(db), "--no-progress"], check=True,
                       stdout=subprocess.DEVNULL)
    return db


def run_report(db: Path, out: Path, *options: str) -> tuple[float, float, str]:
    """Wall seconds, the report process's own peak RSS (MB) and its first output line."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout:
        proc = subprocess.Popen([*SOUSVEIL, "report", "--db", str(db), "-o", str(out), *options], stdout=stdout,
                                stderr=subprocess.STDOUT, text=True, env={**os.environ, "COLUMNS": "200"})
        _, status, usage = os.wait4(proc.pid, 0)  # the rusage of this child alone
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        output = stdout.read()
    if proc.returncode:
        raise SystemExit(f"report failed on {db}:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output.strip().splitlines()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--big", type=Path, default=Path("bench/out/sousveil-100000.db"))
    ap.add_argument("--workdir", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = small_db(args.workdir, args.small)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        for i in (1, 2):
            seconds, rss, line = run_report(db, out)
            size = out.stat().st_size / 1e6
            print(f"{args.small} notices, run {i}: {seconds:.1f} s (target < 10 s), peak RSS {rss:.0f} MB, "
                  f"HTML {size:.1f} MB: {line}", flush=True)
        if not args.big.exists():
            print(f"{args.big} is missing: build it with `python bench/run.py --sizes 100000`")
            return
        seconds, rss, line = run_report(args.big, out)
        data = sum(p.stat().st_size for p in (Path(tmp) / "report-data").iterdir()) / 1e6
        print(f"{args.big.name}: {seconds:.1f} s, peak RSS {rss:.0f} MB, HTML {out.stat().st_size / 1e6:.1f} MB, "
              f"data package {data:.1f} MB: {line}", flush=True)


if __name__ == "__main__":
    main()

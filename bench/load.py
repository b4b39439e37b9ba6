"""A bounded load test of `sousveil serve` on a benchmark database, over loopback only.

    python bench/load.py [--db bench/out/sousveil-100000.db] [--requests 2000] [--clients 20]

Starts `sousveil serve` on a copy of the database (serving adds the review tables: the benchmark's
file stays as it is) on 127.0.0.1 and a free port, then sends a fixed number of requests from
concurrent clients (httpx.AsyncClient, one connection each): searches of several queries with
sorts and pages, facet pages (filters without a query), notice pages and CSV exports, in a seeded
order. It prints requests/s, errors, and p50 / p95 / p99 per kind, then stops the server. A
database that is missing is built first with bench/run.py's helpers (`sousveil synth` with seed 42,
then `sousveil ingest`: a few minutes for 100,000 notices). Target: no errors, search p95 under
300 ms with 20 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import run  # noqa: E402  (bench/run.py: corpus and ingest helpers, percentile)

HOST = "127.0.0.1"  # loopback only: the server binds it and every request goes to it
SORTS = ["date", "amount"]
FACETS = [{"category": "video"}, {"province": "440000"}, {"category": "video", "province": "440000"},
          {"buyer_type": "police", "year": "2020"}, {"type": "award"}, {"category": "phone_tracking", "type": "award"},
          {"year": "2021"}, {"synthetic": "1", "category": "dna"}]
EXPORTS = [{"category": "phone_tracking", "year": "2021"}, {"q": "人脸", "province": "440000"},
           {"category": "dna", "year": "2020"}, {"q": "电子围栏", "type": "award"}]
MIX = [("search", 50), ("facets", 20), ("notice", 20), ("export", 10)]  # percent of the requests


def build_if_missing(db: Path) -> None:
    if db.exists():
        return
    m = re.search(r"sousveil-(\d+)\.db$", db.name)
    n = int(m.group(1)) if m else 100_000
    print(f"{db} is missing: building it from {n:,} generated notices (a few minutes)", flush=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    notices = run.corpus(db.parent, n)
    seconds, _, _ = run.end_to_end(notices, db, 0)
    print(f"  ingested in {seconds:.0f} s", flush=True)


def plan(db: Path, total: int, seed: int) -> list[tuple[str, str]]:
    """The fixed, seeded list of (kind, path) to request."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = [r[0] for r in con.execute("select id from notices order by id")]
    con.close()
    rng = random.Random(seed)
    kinds = [k for k, share in MIX for _ in range(share)]
    requests = []
    for _ in range(total):
        kind = rng.choice(kinds)
        if kind == "search":
            params = {"q": rng.choice(run.QUERIES)}
            if rng.random() < 0.3:
                params.update(rng.choice(FACETS))
            if rng.random() < 0.3:
                params["sort"] = rng.choice(SORTS)
            if rng.random() < 0.3:
                params["page"] = str(rng.randint(2, 5))
            path = "/-/search?" + urlencode(params)
        elif kind == "facets":
            params = dict(rng.choice(FACETS))
            if rng.random() < 0.3:
                params["page"] = str(rng.randint(2, 5))
            path = "/-/search?" + urlencode(params)
        elif kind == "notice":
            path = f"/-/notice/{rng.choice(ids)}"
        else:
            path = "/-/export.csv?" + urlencode(rng.choice(EXPORTS))
        requests.append((kind, path))
    return requests


async def load(base: str, requests: list[tuple[str, str]], clients: int) -> tuple[float, dict, list]:
    queue: asyncio.Queue = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    times: dict[str, list[float]] = {}
    errors: list[tuple[str, str]] = []

    async def client():
        async with httpx.AsyncClient(base_url=base, timeout=120, trust_env=False,
                                     limits=httpx.Limits(max_connections=1)) as http:
            while True:
                try:
                    kind, path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                start = time.perf_counter()
                try:
                    response = await http.get(path)
                    await response.aread()
                    if response.status_code != 200:
                        errors.append((path, f"HTTP {response.status_code}"))
                except httpx.HTTPError as e:
                    errors.append((path, repr(e)))
                times.setdefault(kind, []).append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, times, errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"sousveil serve exited with {proc.returncode}")
        try:
            if httpx.get(base + "/-/versions.json", timeout=5, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"sousveil serve did not answer within {limit:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("bench/out/sousveil-100000.db"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    build_if_missing(args.db)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / args.db.name
        shutil.copy(args.db, copy)
        requests = plan(copy, args.requests, args.seed)
        port = free_port()
        base = f"http://{HOST}:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "sousveil.cli", "serve", str(copy), "--port", str(port)],
                                stdout=subprocess.DEVNULL)
        try:
            wait_until_up(base, proc)
            seconds, times, errors = asyncio.run(load(base, requests, args.clients))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    n = sum(len(v) for v in times.values())
    print(f"{args.db}: {n} requests from {args.clients} clients in {seconds:.1f} s: {n / seconds:.1f} requests/s, "
          f"{len(errors)} errors")
    for path, reason in errors[:10]:
        print(f"  error: {path}: {reason}")
    print("| kind | requests | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|")
    for kind, _ in MIX:
        t = times.get(kind, [])
        if t:
            print(f"| {kind} | {len(t)} | {run.percentile(t, 50) * 1000:.0f} | {run.percentile(t, 95) * 1000:.0f} |"
                  f" {run.percentile(t, 99) * 1000:.0f} | {max(t) * 1000:.0f} |")
    search_p95 = run.percentile(times.get("search", [0]), 95) * 1000
    print(f"target (no errors, search p95 < 300 ms): {'met' if not errors and search_p95 < 300 else 'NOT met'}")


if __name__ == "__main__":
    main()

"""Latency of the web interface's pages on a benchmark database (run `make bench` first).

    python bench/web.py [bench/out/sousveil-100000.db]

Each page is requested twice through Datasette's in-process client: the first request computes
the aggregates, the second finds them cached (they are kept until the data changes)."""

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sousveil.web.server import make_app

PAGES = ["/", "/-/search", "/-/search?q=人脸", "/-/search?q=采购", "/-/search?category=video&province=440000",
         "/-/search?q=人脸&sort=amount&page=3", "/-/notice/5000", "/-/export.csv?category=phone_tracking&year=2021"]


async def measure(ds) -> list[tuple[str, float, float]]:
    await ds.invoke_startup()
    rows = []
    for path in PAGES:
        times = []
        for _ in range(2):
            start = time.perf_counter()
            response = await ds.client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        rows.append((path, *times))
    return rows


def main(db: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / Path(db).name  # serving adds the review tables: leave the benchmark's file as it is
        shutil.copy(db, copy)
        rows = asyncio.run(measure(make_app(str(copy))))
    print(f"| page | first ms | again ms |  ({db})\n|---|---|---|")
    for path, first, again in rows:
        print(f"| `{path}` | {first:.0f} | {again:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/out/sousveil-100000.db")

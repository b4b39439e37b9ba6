"""Reading a multi-GB OCDS file: peak memory (RSS) and throughput of the stream of releases.

Writes a JSON Lines file of generated releases (labelled synthetic) of the size asked, gzipped or
not, then reads it with sousveil's reader (ingest/sources.iter_sources) in a child process and
reports its peak resident memory. The reading only: the pipeline that follows processes each
release on its own (bench/run.py measures it).

usage: python bench/ocds_stream.py [--gb 2] [--gzip] [--keep]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

RELEASE = {"ocid": "", "id": "", "date": "2019-05-02T00:00:00Z", "tag": ["award"], "initiationType": "tender",
           "language": "es", "sousveil": {"synthetic": True, "label": "SYNTHETIC"},
           "buyer": {"id": "b", "name": "SYNTHETIC Ministerio del Interior"},
           "tender": {"id": "t", "title": "SYNTHETIC Sistema de videovigilancia", "description": "x" * 3000,
                      "items": [{"id": str(i), "description": "Cámara IP domo", "quantity": 4} for i in range(20)]},
           "awards": [{"id": "a", "value": {"amount": 1500000.5, "currency": "USD"},
                       "suppliers": [{"id": "s", "name": "SYNTHETIC Huawei Technologies Co., Ltd."}]}]}


def write(path: str, size: int, gz: bool) -> int:
    import gzip

    opener = gzip.open if gz else open
    n = written = 0
    with opener(path, "wt", encoding="utf-8") as fh:
        while written < size:
            RELEASE["ocid"], RELEASE["id"] = f"ocds-synthe-{n}", str(n)
            line = json.dumps(RELEASE, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line.encode())
            n += 1
    return n


def read(path: str) -> None:
    from sousveil.ingest.sources import Source, iter_sources

    start = time.perf_counter()
    count = sum(isinstance(s, Source) for s in iter_sources([path]))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"releases": count, "seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb, 1)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=2.0, help="size of the JSON (before gzip)")
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--keep", action="store_true", help="leave the generated file in bench/out/")
    ap.add_argument("--read", help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args()
    if args.read:
        read(args.read)
        return
    folder = "bench/out" if args.keep else tempfile.mkdtemp()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "stream.jsonl" + (".gz" if args.gzip else ""))
    t = time.perf_counter()
    n = write(path, int(args.gb * 1e9), args.gzip)
    print(f"wrote {n} releases, {os.path.getsize(path) / 1e9:.2f} GB on disk in {time.perf_counter() - t:.0f} s: {path}")
    out = subprocess.run([sys.executable, __file__, "--read", path], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    result["mb_per_s"] = round(args.gb * 1000 / result["seconds"], 1)
    print(json.dumps(result))
    if not args.keep:
        os.remove(path)
        os.rmdir(folder)


if __name__ == "__main__":
    main()

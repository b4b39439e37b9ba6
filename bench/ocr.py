"""OCR on this machine: character accuracy and pages per second per CPU on scanned renderings of generated
notices (clean at 300 dpi, and degraded: skew, blur, noise, a stamp, 200 dpi), then the fields of
`sousveil evaluate` on the scanned notices beside the same notices as HTML.

usage: python bench/ocr.py [--n 40] [--workdir bench/out] [--no-fields]
40 notices (about 50 pages each way) are enough for a field to be measured to about 3 points and take
about ten minutes here, renderings included. The renderings are made once (scripts/render_scans.py:
Debian's chromium through Playwright) and kept in the workdir. Character accuracy is 1 - edit distance / length against the text chromium printed on each
page, white space aside and full-width forms folded (NFKC), after the layout the pipeline stores. Speed is
measured in one worker process with one thread, as `ingest --jobs N` runs a page on each of N CPUs.
"""

import argparse
import json
import re
import subprocess
import sys
import time
import unicodedata
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def pages(folder: Path):
    """(file, page number, reference text, grey image) of every rendered page of a folder."""
    import numpy as np

    from sousveil.ocr.read import image_pages, pdf_page_image

    refs = [json.loads(line) for line in (folder / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    docs = folder / "notices" if (folder / "notices").is_dir() else folder
    images = {}
    for ref in refs:
        path = docs / ref["file"]
        if path not in images:
            images.clear()  # a file's pages at a time: a page image is 9 MB
            if path.suffix == ".pdf":
                import pymupdf

                with pymupdf.open(path) as doc:
                    images[path] = [pdf_page_image(p)[0] for p in doc]
            else:
                images[path] = [g for g, _ in image_pages(path.read_bytes())]
        yield ref["file"], ref["page"], ref["text"], np.ascontiguousarray(images[path][ref["page"] - 1])


def read_page(gray):
    """In the worker: the laid-out text of a page and the CPU seconds it took."""
    from sousveil.ocr.read import Options, read

    started = time.process_time()
    page = read(gray, 1, None, Options(page_seconds=None))
    return page.text, time.process_time() - started


def load_engine() -> None:
    """In the worker, before the clock: an ingest loads the engine once for thousands of pages."""
    from sousveil.ocr.engine import engine

    engine()


def measure(folder: Path, pool) -> dict:
    from rapidfuzz.distance import Levenshtein

    errors = length = 0
    cpu = 0.0
    worst = []
    n = 0
    for name, number, ref, gray in pages(folder):
        text, seconds = pool.apply(read_page, (gray,))
        r, h = norm(ref), norm(text)
        e = Levenshtein.distance(r, h)
        errors, length, cpu, n = errors + e, length + len(r), cpu + seconds, n + 1
        worst.append((1 - e / max(len(r), 1), f"{name} p{number}"))
    return {"pages": n, "accuracy": 1 - errors / max(length, 1), "cpu_per_page": cpu / max(n, 1),
            "pages_per_cpu_second": n / cpu if cpu else 0.0, "worst": sorted(worst)[:3]}


def render(src: Path, out: Path, *extra: str) -> None:
    if not (out / "pages.jsonl").is_file():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "render_scans.py"), str(src), str(out), *extra],
                       check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40, help="Generated notices rendered.")
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument("--no-fields", action="store_true", help="Skip `sousveil evaluate` on the scans.")
    args = parser.parse_args()
    started = time.perf_counter()
    from sousveil.synth.generate import write_corpus

    base = args.workdir / f"ocr-{args.n}"
    synth = base / "synth"
    if not (synth / "truth.jsonl").is_file():
        write_corpus(synth, args.n, seed=1)
    render(synth, base / "clean", "--limit", str(args.n))
    render(synth, base / "degraded", "--limit", str(args.n), "--degrade")
    with Pool(1) as pool:  # a worker, as in `ingest --jobs`: one thread
        pool.apply(load_engine)
        for kind in ("clean", "degraded"):
            m = measure(base / kind, pool)
            worst = ", ".join(f"{name} {acc:.3f}" for acc, name in m["worst"])
            print(f"OCR {kind:8} {m['pages']} pages: character accuracy {m['accuracy']:.4f}; "
                  f"{m['cpu_per_page']:.2f} CPU s a page = {m['pages_per_cpu_second']:.2f} pages/s per CPU "
                  f"(worst pages: {worst})", flush=True)
    if args.no_fields:
        print(f"({time.perf_counter() - started:.0f} s)")
        return
    from sousveil.evaluate import evaluate, format_report

    html = base / "html"
    if not (html / "truth.jsonl").is_file():  # the same notices as the scans, as HTML
        (html / "notices").mkdir(parents=True, exist_ok=True)
        rows = []
        for line in (base / "clean" / "truth.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            name = row["file"].rsplit(".", 1)[0] + ".html"
            for suffix in ("", ".meta.json"):
                (html / "notices" / (name + suffix)).write_bytes((synth / "notices" / (name + suffix)).read_bytes())
            rows.append(json.dumps({**row, "file": name}, ensure_ascii=False))
        (html / "truth.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scores = {}
    for kind in ("html", "clean", "degraded"):
        report = evaluate(base / kind, jobs=2)
        scores[kind] = report.accuracy()
        print(format_report(report, misses=2), end="\n\n", flush=True)
    print(f"field accuracy, scans against HTML (points; {report.documents} notices):")
    for field, value in scores["html"].items():
        diffs = "  ".join(f"{kind} {100 * (scores[kind].get(field, 0) - value):+.1f}" for kind in ("clean", "degraded"))
        print(f"  {field:14} html {value:.3f}  {diffs}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

"""Main content against page chrome: how much of a notice each method keeps and how much chrome it drops.

usage: python bench/main_content.py [--real ../shared/real/yichang-awards] [--synth N]
Methods: sousveil's convert (selectors, link density and chrome words of data/chrome.yaml), the page
with nothing removed, and trafilatura and readability-lxml when they are installed (pip install
trafilatura readability-lxml; not dependencies). Sets: tests/fixtures/chrome/ (expected.json: lines to
keep and to drop), every <td> of the real pages (nothing may be lost), and generated pages (their
truth kept, the generator's chrome classes dropped). docs/main-content.md has the figures.
"""

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

import lxml.html

from sousveil.ingest import convert
from sousveil.ingest.decode import decode
from sousveil.synth.generate import write_corpus

ROOT = Path(__file__).resolve().parents[1]
_NORM = re.compile(r"[\s|\u3000\xa0]+")
CHROME_CLASSES = {"header", "crumb", "footer", "userbar", "related", "tools", "copy"}


def norm(s: str) -> str:
    return _NORM.sub("", s)


def load(path) -> str:
    return decode(Path(path).read_bytes(), None)[0]


def nothing_removed(html: str) -> str:
    saved = convert._drop_chrome
    convert._drop_chrome = lambda tree: None
    try:
        return convert.html_to_text(html)[0]
    finally:
        convert._drop_chrome = saved


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_tables=True, include_comments=False, deduplicate=False) or ""


def readability_text(html: str) -> str:
    from readability import Document

    return nothing_removed(Document(html).summary(html_partial=True))


def methods() -> dict:
    found = {"sousveil": lambda html: convert.html_to_text(html)[0], "nothing removed": nothing_removed}
    for name, module, fn in (("trafilatura", "trafilatura", trafilatura_text), ("readability-lxml", "readability", readability_text)):
        try:
            __import__(module)
            found[name] = fn
        except ImportError:
            print(f"({name} is not installed: skipped)")
    return found


def fixture_cases():
    folder = ROOT / "tests" / "fixtures" / "chrome"
    for name, e in json.loads((folder / "expected.json").read_text(encoding="utf-8")).items():
        yield name, load(folder / name), e["keep"], e["drop"]


def real_cases(folder: Path):
    for f in sorted(folder.glob("*.html")):
        html = load(f)
        keep = [t for t in (" ".join(td.text_content().split()) for td in lxml.html.fromstring(html).iter("td")) if t]
        yield f.name, html, keep, []


def synth_cases(n: int):
    root = Path(tempfile.mkdtemp(prefix="sousveil-chrome-"))
    write_corpus(root, n, seed=5)
    truth = {json.loads(line)["file"]: json.loads(line) for line in open(root / "truth.jsonl", encoding="utf-8")}
    for f in sorted((root / "notices").glob("*.html")):
        t, html = truth[f.name], load(f)
        doc = lxml.html.fromstring(html)
        chrome = [el for el in doc.iter() if isinstance(el.tag, str) and set((el.get("class") or "").split()) & CHROME_CLASSES]
        drop = [s.strip() for el in chrome for s in el.itertext() if len(s.strip()) >= 2]
        for el in chrome:
            el.drop_tree()
        body = norm(doc.body.text_content())
        drop = sorted({d for d in drop if norm(d) not in body})
        base = norm(nothing_removed(html))
        keep = [k for k in [t["title"], t["buyer"], t["project_code"], t["agency"]] + [w["name"] for w in t["winners"]]
                if k and norm(k) in base]
        yield f.name, html, keep, drop


def score(method, cases) -> str:
    kept = keep_total = dropped = drop_total = 0
    times = []
    method(cases[0][1])  # warm up: imports and data files
    for _, html, keep, drop in cases:
        t0 = time.perf_counter()
        out = norm(method(html))
        times.append((time.perf_counter() - t0) * 1000)
        keep_total, drop_total = keep_total + len(keep), drop_total + len(drop)
        kept += sum(1 for s in keep if norm(s) in out)
        dropped += sum(1 for s in drop if norm(s) not in out)
    share = lambda a, b: f"{a / b:6.1%}" if b else "     -"
    return f"kept {share(kept, keep_total)} of {keep_total:5d}  dropped {share(dropped, drop_total)} of {drop_total:5d}  {statistics.mean(times):6.2f} ms/page"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "real" / "yichang-awards")
    parser.add_argument("--synth", type=int, default=200)
    args = parser.parse_args()
    found = methods()
    for name, cases in (("chrome fixtures", list(fixture_cases())), ("real pages", list(real_cases(args.real))),
                        ("generated pages", list(synth_cases(args.synth)))):
        print(f"== {name}: {len(cases)} pages")
        for m, fn in found.items():
            print(f"  {m:18s} {score(fn, cases)}")


if __name__ == "__main__":
    main()

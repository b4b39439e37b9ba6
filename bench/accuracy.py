"""Field accuracy on the generated corpus and on every labelled real folder (../shared/real/*/labels.jsonl).

usage: python bench/accuracy.py [--n 2000] [--real ../shared/real] [--workdir bench/out]
Prints `sousveil evaluate` for each folder; the generated corpus is cached in the workdir.
"""

import argparse
from pathlib import Path

from sousveil.evaluate import evaluate, format_report
from sousveil.synth.generate import write_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="Generated notices.")
    parser.add_argument("--real", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "real")
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    generated = args.workdir / f"accuracy-{args.n}"
    if not (generated / "truth.jsonl").is_file():
        write_corpus(generated, args.n, seed=7)
    folders = [generated] + sorted(p.parent for p in args.real.glob("*/labels.jsonl"))
    for folder in folders:
        print(format_report(evaluate(folder, jobs=2), misses=3), end="\n\n", flush=True)


if __name__ == "__main__":
    main()

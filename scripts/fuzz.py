"""A longer fuzzing run of `pipeline.process` (issue 11, item 5); `make fuzz` runs it for 600 s.

With atheris (optional: `.venv/bin/pip install atheris`; not a dependency of sousveil) it is
coverage-guided: libFuzzer mutates the bytes of a corpus seeded with real notices
(../shared/real/yichang-awards), the hand-made forms, generated notices and a PDF and a DOCX of a real
notice. Without atheris it is a long hypothesis run of the mutations of tests/test_fuzz.py.

Every input is checked with the invariants of tests/test_fuzz.py (`check_record`): no internal error,
within the time budget, every span inside the stored text and spelling its evidence, markers spelling
themselves; an input whose second byte is odd also gets a contact person injected after 联系人：, who
must not survive. Each failure is written to OUT/crashes/ (the input and a .txt with the reason), one
per distinct reason, and the run goes on; the summary is printed at the end. Exit code 1 when anything
was found.

    .venv/bin/python scripts/fuzz.py [--seconds 600] [--out fuzz-out] [--engine atheris|hypothesis]
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import os
import re
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    import atheris
except ImportError:
    atheris = None

if atheris is not None and "--engine=hypothesis" not in sys.argv and "hypothesis" not in sys.argv:
    with atheris.instrument_imports(include=["sousveil"]):
        import sousveil.pipeline  # noqa: F401  (instrumented for coverage before anything else imports it)

from sousveil.extract.ocds import MEDIA_TYPE as OCDS_MEDIA_TYPE  # noqa: E402
from sousveil.ingest.decode import decode  # noqa: E402
from sousveil.synth.generate import Generator  # noqa: E402
from tests.test_fuzz import SECONDS, all_seeds, documents, run_one  # noqa: E402

NAMES = [".html", ".txt", ".htm", "", ".pdf", ".docx", ".shtml", ".jsp"]


class Findings:
    def __init__(self, out: Path):
        self.dir = out / "crashes"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.seen: dict[str, int] = {}
        self.runs = 0
        self.started = time.monotonic()

    def record(self, data: bytes, name: str, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        key = re.sub(r"\d+", "N", reason.split("\n")[0])[:160]  # one file per kind of failure
        self.seen[key] = self.seen.get(key, 0) + 1
        if self.seen[key] > 1:
            return
        digest = hashlib.sha256(data).hexdigest()[:16]
        (self.dir / f"crash-{digest}{Path(name).suffix or '.bin'}").write_bytes(data)
        (self.dir / f"crash-{digest}.txt").write_text(
            f"name: {name}\nreason: {reason[:4000]}\n\n{traceback.format_exc()[-4000:]}", encoding="utf-8")
        print(f"\n[fuzz] new failure ({digest}, {name}): {reason[:300]}", flush=True)

    def summary(self) -> None:
        took = time.monotonic() - self.started
        print(f"\n[fuzz] {self.runs} inputs in {took:.0f} s; {len(self.seen)} distinct failures "
              f"(in {self.dir})", flush=True)
        for key, count in sorted(self.seen.items(), key=lambda kv: -kv[1]):
            print(f"  {count:6d} × {key}", flush=True)


def inject_contact(name: str, data: bytes, choice: int) -> tuple[bytes, str | None]:
    text, _ = decode(data)
    person = Generator(choice).person()
    if person in text:
        return data, None
    if "<" in text[:2000]:
        cuts = [m.start() for m in re.finditer(r"<(?:p|tr|div|br|/body)\b", text)] or [len(text)]
        line = f"<p>联系人：{person}</p>"
    else:
        cuts = [m.start() for m in re.finditer("\n", text)] or [len(text)]
        line = f"\n联系人：{person}\n"
    at = cuts[choice % len(cuts)]
    return (text[:at] + line + text[at:]).encode("utf-8"), person


def check(findings: Findings, name: str, data: bytes, person: str | None = None,
          content_type: str | None = None) -> None:
    findings.runs += 1
    try:
        rec = run_one(name, data, SECONDS, content_type)
        if person:
            assert person not in (rec.text or ""), f"the contact person {person} survived"
    except Exception as exc:  # AssertionError: a broken invariant; anything else: process raised
        findings.record(data, name, exc)


def run_atheris(seconds: int, out: Path, seeds) -> None:
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, (name, data) in enumerate(seeds):  # byte 0: the name's suffix; byte 1: inject a contact person
        suffix = Path(name).suffix
        head = bytes([NAMES.index(suffix) if suffix in NAMES else 0, 0])
        (corpus / f"seed-{i:03d}").write_bytes(head + data)
    findings = Findings(out)
    atexit.register(findings.summary)

    last = [time.monotonic()]

    def one_input(buf: bytes) -> None:
        if time.monotonic() - last[0] > 60:  # libFuzzer ends the process with exit(): say where we are as we go
            last[0] = time.monotonic()
            findings.summary()
        if len(buf) < 2:
            return
        name = "doc" + NAMES[buf[0] % len(NAMES)]
        data, person = buf[2:], None
        if buf[1] & 1:
            data, person = inject_contact(name, data, buf[1])
        check(findings, name, data, person)

    # -timeout=0: libFuzzer's own SIGALRM watchdog would take the alarm that process() uses for its budget.
    argv = [sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-timeout=0", "-max_len=300000",
            "-rss_limit_mb=4096", f"-artifact_prefix={out}/", "-print_final_stats=1"]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def run_hypothesis(seconds: int, out: Path, seeds) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    findings = Findings(out)
    deadline = time.monotonic() + seconds

    @settings(max_examples=20_000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(doc=documents(seeds), inject=st.integers(0, 255))
    def one(doc, inject):
        if time.monotonic() > deadline:
            return
        name, data = doc
        person = None
        if inject & 1 and not name.endswith((".pdf", ".docx")):
            data, person = inject_contact(name, data, inject)
        check(findings, name, data, person)

    while time.monotonic() < deadline:
        one()
    findings.summary()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--out", type=Path, default=ROOT / "fuzz-out")
    ap.add_argument("--engine", choices=["atheris", "hypothesis"], default="atheris" if atheris else "hypothesis")
    ap.add_argument("--real", type=int, default=40, help="how many real notices to seed with")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    seeds = all_seeds(args.out / "synth", real=args.real, synth=30)
    print(f"[fuzz] {args.engine}, {len(seeds)} seeds, {args.seconds} s, findings in {args.out / 'crashes'}", flush=True)
    if args.engine == "atheris":
        if atheris is None:
            sys.exit("atheris is not installed: .venv/bin/pip install atheris, or --engine hypothesis")
        run_atheris(args.seconds, args.out, seeds)  # libFuzzer exits the process itself
    else:
        run_hypothesis(args.seconds, args.out, seeds)
    crashes = args.out / "crashes"
    return 1 if crashes.exists() and any(crashes.iterdir()) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())

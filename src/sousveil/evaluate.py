"""How right sousveil is on a labelled folder: per field, correct / asserted wrong / missed, and the
personal data that survive anywhere it writes (stored text, facts, suppliers, every export).

A folder holds documents and their labels: `labels.jsonl` in the keys of real labelled folders
(../shared/real/README.md: notice_type, buyer, agency, suppliers, award_cny, date, region_code,
must_redact …) or the generator's `truth.jsonl` (sousveil synth), whose documents are in `notices/`.
The documents are ingested into a temporary database, as a new user would, and scored there.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .extract.names import ORG_SUFFIXES
from .text import fold

# Fields in the order they are printed; each applies only to the notices whose labels give it.
FIELDS = ("type", "title", "project_code", "buyer", "buyer_type", "agency", "winners", "award_total", "budget",
          "published", "region", "method", "categories", "redaction")
AMOUNTS = ("award_total", "budget")
# Facts that name an institution or a place, never a person.
_PARTIES = ("buyer", "agency", "supplier", "candidate", "bidder")
_NAMED = ", ".join(f"'{f}'" for f in ("buyer", "agency", "supplier", "candidate", "bidder", "heading", "title", "province",
                                       "city", "county"))


class LabelsError(Exception):
    """The folder has no labels sousveil can read (named with the reason)."""


@dataclass
class Labelled:
    file: Path  # the document
    name: str  # its file name, as the labels give it
    expected: dict  # field -> expected value (None: the document has none)
    personal: list  # strings that must not survive anywhere
    organisations: list  # names that may contain a personal name legitimately (林华 in 榆林华安…公司)


@dataclass
class Report:
    folder: str
    kind: str  # labels | truth
    documents: int = 0
    ingested: int = 0
    counts: dict = field(default_factory=dict)  # field -> [correct, wrong, missed]
    misses: dict = field(default_factory=dict)  # field -> [{file, expected, got}]
    personal: int = 0  # distinct personal strings in the labels
    survived: dict = field(default_factory=dict)  # string -> [where it survives]; printed masked
    over_redacted: list = field(default_factory=list)  # labelled institutions no longer in their stored text

    def accuracy(self) -> dict:
        return {f: c[0] / sum(c) for f, c in self.counts.items() if sum(c)}

    def wrong_rate(self) -> dict:
        return {f: c[1] / sum(c) for f, c in self.counts.items() if sum(c)}

    def as_dict(self) -> dict:
        return {"folder": self.folder, "kind": self.kind, "documents": self.documents, "ingested": self.ingested,
                "fields": {f: {"correct": c[0], "wrong": c[1], "missed": c[2], "accuracy": round(c[0] / sum(c), 4)}
                           for f, c in self.counts.items() if sum(c)},
                "misses": self.misses, "personal_data": {"labelled": self.personal, "surviving": len(self.survived),
                                                         "where": {mask(p): w for p, w in self.survived.items()}},
                "over_redacted": self.over_redacted}


def load(folder: Path) -> tuple[str, list[Labelled]]:
    """The labelled documents of a folder: ('labels', …) or ('truth', …)."""
    folder = Path(folder)
    if (folder / "labels.jsonl").is_file():
        return "labels", [_from_labels(folder, row) for row in _rows(folder / "labels.jsonl")]
    if (folder / "truth.jsonl").is_file():
        return "truth", [_from_truth(folder / "notices", row) for row in _rows(folder / "truth.jsonl")]
    raise LabelsError(f"{folder}: no labels.jsonl or truth.jsonl (see `sousveil evaluate --help`)")


def _rows(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise LabelsError(f"{path}:{n}: not JSON ({e.msg})") from None
    return rows


def _from_labels(folder: Path, lab: dict) -> Labelled:
    """The keys of ../shared/real/README.md. A price given only as a sentence (award_kind text) is not scored."""
    exp = {"type": lab.get("notice_type"), "buyer": lab.get("buyer"), "agency": lab.get("agency"),
           "winners": sorted(fold(s) for s in lab.get("suppliers") or []), "published": lab.get("date"),
           "region": lab.get("region_code")}
    if lab.get("award_kind") != "text" and "award_cny" in lab:
        exp["award_total"] = lab["award_cny"]
    if "categories" in lab:
        exp["categories"] = sorted(lab["categories"])
    orgs = [x for x in (lab.get("buyer"), lab.get("agency"), *(lab.get("suppliers") or [])) if x]
    return Labelled(folder / lab["file"], lab["file"], exp, list(lab.get("must_redact") or []), orgs)


def _from_truth(folder: Path, t: dict) -> Labelled:
    """The generator's ground truth: budgets are scored on tenders, sums and winners on awards."""
    exp = {k: t[k] for k in ("type", "title", "project_code", "buyer", "buyer_type", "agency", "published", "method")}
    exp.update(region=t["region_code"], categories=sorted(t["categories"]))
    if t["type"] == "tender":
        exp["budget"] = t["budget"]
    if t["type"] == "award":
        exp["award_total"] = t["award_total"]
        lots = len(t["winners"]) > 1
        exp["winners"] = sorted(f"{fold(w['name'])}|{w['lot']}" if lots else fold(w["name"]) for w in t["winners"])
    orgs = [t["buyer"], t["agency"], *(w["name"] for w in t["winners"])]
    return Labelled(folder / t["file"], t["file"], exp, list(t["personal"]), [o for o in orgs if o])


def evaluate(folder, jobs: int = 1, progress: bool = False) -> Report:
    """Ingest the labelled documents of `folder` into a temporary database and score it."""
    from .ingest.run import ingest
    from .store.db import open_db

    kind, labelled = load(folder)
    missing = [x.file for x in labelled if not x.file.is_file()]
    if missing:
        raise LabelsError(f"{missing[0]}: named in the labels but not there ({len(missing)} missing)")
    with tempfile.TemporaryDirectory(prefix="sousveil-evaluate-") as tmp:
        db_path = Path(tmp) / "evaluate.db"
        ingest([x.file for x in labelled], db_path, progress=progress, jobs=jobs)
        db = open_db(db_path, create=False)
        try:
            return score(db, labelled, str(folder), kind)
        finally:
            db.conn.close()


def score(db, labelled: list[Labelled], folder: str = "", kind: str = "labels") -> Report:
    report = Report(folder, kind, documents=len(labelled), counts={f: [0, 0, 0] for f in FIELDS})
    rows = {}
    for r in db.query("select n.*, d.text, s.name as source_name from notices n join documents d on d.sha256 = n.sha256"
                      " join sources s on s.sha256 = n.sha256"):
        rows[Path(r["source_name"]).name] = r
    report.ingested = sum(1 for x in labelled if x.name in rows)
    for x in labelled:
        r = rows.get(x.name)
        got = _got(db, r, len(x.expected.get("winners") or []) > 1 and kind == "truth") if r else {}
        for f, want in x.expected.items():
            _count(report, f, x.name, want, got.get(f) if r else None, r is not None)
        if r is not None:
            text = _without(r["text"] or "", x.organisations + _suppliers(db, r["id"]))
            leaked = [p for p in x.personal if p in text]
            _count(report, "redaction", x.name, [], [mask(p) for p in leaked] or None, True, same=not leaked)
            report.over_redacted += [{"file": x.name, "name": o} for o in x.organisations
                                     if fold(o).replace(" ", "") not in fold(r["text"] or "").replace(" ", "")]
    report.counts = {f: c for f, c in report.counts.items() if sum(c)}
    personal = sorted({p for x in labelled for p in x.personal})
    report.personal = len(personal)
    report.survived = _survivors(db, personal, sorted({o for x in labelled for o in x.organisations}))
    return report


def _got(db, r, with_lots: bool) -> dict:
    winners = db.query("select name, lot from suppliers where notice_id = ? and role = 'winner'", [r["id"]])
    return {"type": r["type"], "title": r["title"], "project_code": r["project_code"], "buyer": r["buyer"],
            "buyer_type": r["buyer_type"], "agency": r["agency"], "published": (r["published"] or "")[:10] or None,
            "method": r["method"], "region": r["region_code"], "award_total": r["award_total"], "budget": r["budget"],
            "categories": sorted((r["categories"] or "").split()),
            "winners": sorted({f"{fold(w['name'])}|{w['lot'] or ''}" if with_lots else fold(w["name"]) for w in winners})}


def _count(report: Report, f: str, name: str, want, got, ingested: bool, same: bool | None = None) -> None:
    if same is None:
        same = _same(f, want, got)
    empty = got is None or got == [] or got == ""
    slot = 0 if same else (2 if empty or not ingested else 1)
    report.counts[f][slot] += 1
    if slot and len(report.misses.setdefault(f, [])) < 50:
        report.misses[f].append({"file": name, "expected": want, "got": got if ingested else "(not ingested)"})


def _same(f: str, want, got) -> bool:
    if f in AMOUNTS:
        if want is None or got is None:
            return want is None and got is None
        return Decimal(str(want)) == Decimal(str(got))
    if isinstance(want, str) or isinstance(got, str):
        norm = (lambda v: fold(v).replace(" ", "") if v else None) if f != "project_code" else \
            (lambda v: v.upper() if v else None)
        return norm(want) == norm(got)
    return (want or None) == (got or None)


def _suppliers(db, notice_id: int) -> list[str]:
    """The notice's suppliers that are named as institutions are: a person taken for a supplier is a leak."""
    return [row[0] for row in db.execute("select name from suppliers where notice_id = ?", [notice_id]).fetchall()
            if fold(row[0]).endswith(ORG_SUFFIXES)]


def _without(text: str, names: list[str]) -> str:
    """The text with institutions' names taken out: a personal name inside one (林华 in 榆林华安…公司) is no leak."""
    for name in sorted(set(names), key=len, reverse=True):
        text = text.replace(name, "\x00")
    return text


def _stands_alone(text: str, personal: str, names: list[str]) -> bool:
    """Whether `personal` occurs in `text` other than inside an institution's name, that name cut short
    by a snippet's ellipsis too (…确定桂林华安宏图电子科技有限…)."""
    holders = [n for n in names if personal in n]
    i = text.find(personal)
    while i >= 0:
        if not any(_inside(text, i, personal, n) for n in holders):
            return True
        i = text.find(personal, i + 1)
    return False


def _inside(text: str, i: int, personal: str, name: str) -> bool:
    k = name.find(personal)
    while k >= 0:
        left = text[max(0, i - k):i].split("…")[-1]
        right = text[i + len(personal):i + len(name) - k].split("…")[0]
        if name[:k].endswith(left) and name[k + len(personal):].startswith(right) and len(left) + len(right) >= 2:
            return True
        k = name.find(personal, k + 1)
    return False


def _survivors(db, personal: list[str], organisations: list[str]) -> dict:
    """Where each personal string survives: the stored texts, the facts, the suppliers and every export.
    (The full-text index is built from the stored text, so nothing can be in it that is not there.)"""
    if not personal:
        return {}
    from .export import flat, ftm, ocds
    from .store import queries

    places = {
        "stored text": "\n".join(r[0] or "" for r in db.execute("select text from documents")),
        "facts": "\n".join(r[0] or "" for r in db.execute("select value from facts")),
        "suppliers": "\n".join(r[0] for r in db.execute("select name from suppliers")),
    }
    for name, write in (("export csv", lambda fh: flat.write_csv(queries.iter_export(db), fh)),
                        ("export jsonl", lambda fh: flat.write_jsonl(queries.iter_export(db), fh)),
                        ("export ocds", lambda fh: ocds.write_release_package(db, fh)),
                        ("export ftm", lambda fh: ftm.write_entities(db, fh))):
        buf = io.StringIO()
        write(buf)
        places[name] = buf.getvalue()
    # A person's name inside an institution's or a place's (高明 in 高明区人民检察院) is no leak; a party
    # counts as an institution only when its name is one (a person taken for a supplier is a leak).
    named = [(field, value.split(" ")[0]) for field, value in db.execute(
        f"select field, value from facts where value is not null and field in ({_NAMED})")]
    organisations = organisations + [r[0] for r in db.execute("select name from suppliers")
                                     if fold(r[0]).endswith(ORG_SUFFIXES)] + [
        value for field, value in named if field not in _PARTIES or fold(value).endswith(ORG_SUFFIXES)]
    places = {k: _without(v, organisations) for k, v in places.items()}
    found = {}
    for p in personal:
        where = [k for k, v in places.items() if p in v and _stands_alone(v, p, organisations)]
        if where:
            found[p] = where
    return found


def mask(personal: str) -> str:
    """A personal string as a report may print it: its first character, the rest hidden."""
    return personal[:1] + "*" * (len(personal) - 1)


def format_report(report: Report, misses: int = 5) -> str:
    """A plain-text table, the misses of each field and the personal data that survive."""
    lines = [f"{report.folder}: {report.ingested} of {report.documents} documents ingested ({report.kind})",
             f"{'field':<14}{'correct':>9}{'wrong':>7}{'missed':>8}{'accuracy':>10}"]
    for f, (ok, wrong, missed) in report.counts.items():
        lines.append(f"{f:<14}{ok:>9}{wrong:>7}{missed:>8}{ok / (ok + wrong + missed):>10.3f}")
    lines.append(f"personal data: {len(report.survived)} of {report.personal} labelled names and numbers survive "
                 "in the database or an export")
    for p, where in list(report.survived.items())[:misses * 4]:
        lines.append(f"  survives in {', '.join(where)}: {mask(p)}")
    lines.append(f"over-redaction: {len(report.over_redacted)} labelled institution names missing from their stored text")
    if misses:
        for f, rows in report.misses.items():
            for m in rows[:misses]:
                lines.append(f"  {f}: {m['file']}: want {m['expected']!r} got {m['got']!r}")
    return "\n".join(lines)

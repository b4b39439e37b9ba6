"""Compare a database built from a generated corpus with the corpus's ground truth, field by field."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from ..text import fold

FIELDS = ("type", "title", "project_code", "buyer", "buyer_type", "agency", "region", "published", "method",
          "budget", "award_total", "winners", "categories", "redaction")


def load_truth(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _same_amount(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


def evaluate(db, truth_path) -> tuple[dict, dict]:
    """Per field: (accuracy over the notices where the field applies, list of misses)."""
    truths = load_truth(truth_path)
    rows = {}
    for r in db.query(
            "select n.*, d.text, s.name as source_name from notices n join documents d on d.sha256 = n.sha256"
            " join sources s on s.sha256 = n.sha256"):
        rows[Path(r["source_name"]).name] = r
    hits, totals, misses = defaultdict(int), defaultdict(int), defaultdict(list)

    def check(field, ok, expected, got, file):
        totals[field] += 1
        if ok:
            hits[field] += 1
        elif len(misses[field]) < 20:
            misses[field].append({"file": file, "expected": expected, "got": got})

    for t in truths:
        r = rows.get(t["file"])
        if r is None:
            check("type", False, t["type"], "(not ingested)", t["file"])
            continue
        f = t["file"]
        check("type", r["type"] == t["type"], t["type"], r["type"], f)
        check("title", fold(r["title"] or "") == fold(t["title"]), t["title"], r["title"], f)
        check("project_code", (r["project_code"] or "").upper() == t["project_code"].upper(), t["project_code"], r["project_code"], f)
        check("buyer", fold(r["buyer"] or "") == fold(t["buyer"]), t["buyer"], r["buyer"], f)
        check("buyer_type", r["buyer_type"] == t["buyer_type"], t["buyer_type"], r["buyer_type"], f)
        check("agency", fold(r["agency"] or "") == fold(t["agency"]), t["agency"], r["agency"], f)
        check("region", r["region_code"] == t["region_code"], t["region_code"], r["region_code"], f)
        check("published", (r["published"] or "")[:10] == t["published"], t["published"], r["published"], f)
        if t["type"] == "tender":
            check("budget", _same_amount(r["budget"], t["budget"]), t["budget"], r["budget"], f)
        if t["type"] == "award":
            check("award_total", _same_amount(r["award_total"], t["award_total"]), t["award_total"], r["award_total"], f)
            got = {(fold(s["name"]), s["lot"] if len(t["winners"]) > 1 else None) for s in db.query(
                "select name, lot from suppliers where notice_id = ? and role = 'winner'", [r["id"]])}
            want = {(fold(w["name"]), w["lot"]) for w in t["winners"]}
            check("winners", got == want, sorted(want), sorted(got), f)
        got_cats = sorted((r["categories"] or "").split())
        check("categories", got_cats == t["categories"], t["categories"], got_cats, f)
        # A personal name inside an organisation's name (林华 in 榆林华安…公司) is not a leak.
        text = r["text"] or ""
        for (name,) in db.execute("select name from suppliers where notice_id = ?", [r["id"]]).fetchall():
            text = text.replace(name, "")
        for name in (t["buyer"], t["agency"], *(w["name"] for w in t["winners"])):
            text = text.replace(name, "")
        leaked = [p for p in t["personal"] if p in text]
        check("redaction", not leaked, [], leaked, f)
    accuracy = {k: hits[k] / totals[k] for k in totals}
    return accuracy, dict(misses)

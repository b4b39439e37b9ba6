"""The evidence of the notices a report cites: their provenance, the facts behind its figures and
the tags behind its capabilities, each with the stored text around its span."""

from __future__ import annotations

import sqlite_utils

from ..store import linked, queries
from ..store.queries import VALUE_COUNTS

# The facts a figure rests on: what the notice is, who bought, who won, where, when, how much.
CITED_FIELDS = ("title", "type", "published", "buyer", "province", "city", "county", "award_total", "supplier", "award")
CONTEXT = 30  # characters of stored text shown on each side of a span


class Citations:
    """Notices numbered N1, N2… in the order the report first cites them."""

    def __init__(self):
        self.number: dict[int, int] = {}

    def cite(self, ids) -> list[int]:
        for nid in ids:
            self.number.setdefault(nid, len(self.number) + 1)
        return [self.number[nid] for nid in ids]

    @property
    def ids(self) -> list[int]:
        return list(self.number)


def snippet(text: str, start: int | None, end: int | None) -> dict | None:
    """The span and its context: `before`, `span` (the stored text at start:end), `after`."""
    if start is None or end is None or not 0 <= start <= end <= len(text):
        return None
    return {"start": start, "end": end, "before": _one_line(text[max(0, start - CONTEXT):start]),
            "span": text[start:end], "after": _one_line(text[end:end + CONTEXT]),
            "cut_before": start > CONTEXT, "cut_after": end + CONTEXT < len(text)}


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ").replace("\r", " ")


def notice_evidence(db: sqlite_utils.Database, notice_id: int, number: int) -> dict:
    """One cited notice: provenance, how its value counts, its cited facts and its tags with their
    latest review (verdict, reviewer, time)."""
    n = queries.notice(db, notice_id)
    text = n["document"]["text"] or ""
    counted = db.execute(f"select n.award_total is not null and {VALUE_COUNTS} from notices n where n.id = ?",
                         [notice_id]).fetchone()[0]
    process = linked.notice_links(db, notice_id)
    latest: dict = {}
    for r in queries.reviews(db, notice_id):
        latest[r["tag_id"]] = r
    facts = [dict(f, snippet=snippet(text, f["span_start"], f["span_end"])) for f in n["facts"]
             if f["field"] in CITED_FIELDS and f["value"] is not None]
    tags = [dict(t, snippet=snippet(text, t["span_start"], t["span_end"]), review=latest.get(t["id"]))
            for t in n["tags"] if t["kind"] == "capability"]
    return {"number": number, "id": notice_id, "sha256": n["sha256"], "synthetic": bool(n["synthetic"]),
            "type": n["type"], "title": n["title"] or n["heading"], "published": n["published"], "buyer": n["buyer"],
            "province": n["province"], "city": n["city"], "award_total": n["award_total"],
            "amount_status": n["amount_status"], "currency": n.get("currency") or "CNY",
            "counted_value": n["award_total"] if counted and not process["duplicate_of"] else None,
            "duplicate_of": process["duplicate_of"], "ocid": process["process"]["ocid"] if process["process"] else None,
            "winners": [s for s in n["suppliers"] if s["role"] == "winner"], "categories": n["categories"],
            "sources": n["sources"], "facts": facts, "tags": tags,
            "taxonomy_version": n["taxonomy_version"], "labels_version": n["labels_version"],
            "code_version": n["code_version"]}

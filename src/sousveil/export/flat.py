"""Flat exports of notices (CSV, JSON Lines), shared by `sousveil export` and the web interface.

Rows come from `store.queries.iter_export`; a synthetic notice is labelled in every row.
"""

from __future__ import annotations

import csv
import json

from ..store.queries import NOTICE_COLUMNS

SYNTHETIC_LABEL = "SYNTHETIC"
CSV_FIELDS = ["label", *NOTICE_COLUMNS, "ocid", "duplicate_of", "winners", "vendors", "tags", "reviews", "source_urls",
              "how_found"]
# How the notice's key facts were found, in one CSV cell: type:inferred 0.60; buyer:label 0.95
HOW_FOUND = ("type", "buyer", "agency", "award_total", "published", "province", "city", "county")


def money(value: str | None) -> str:
    """An exact yuan amount with thousands separators, for reading (exports keep the plain decimal)."""
    if not value:
        return ""
    whole, _, frac = value.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def jsonl_line(rec: dict) -> str:
    rec = dict(rec, synthetic=bool(rec["synthetic"]), label=SYNTHETIC_LABEL if rec["synthetic"] else None)
    return json.dumps(rec, ensure_ascii=False) + "\n"


def csv_row(rec: dict) -> dict:
    winners = "; ".join(s["name"] + (f" ({s['amount']})" if s["amount"] else "") + (f" [lot {s['lot']}]" if s["lot"] else "")
                        + (" [consortium member]" if s.get("consortium") else "")
                        for s in rec["suppliers"] if s["role"] == "winner")
    tags = "; ".join(f"{t['category']}:{t['term']}@{t['span_start']}" for t in rec["tags"])
    reviews = "; ".join(f"{r['category']}:{r['term']}={r['verdict']} by {r['reviewer']} {r['at']}" for r in rec["reviews"])
    urls = "; ".join(s["url"] or s["name"] for s in rec["sources"])
    row = {k: rec[k] for k in NOTICE_COLUMNS}
    vendors = "; ".join(f"{v['vendor']} ({v['kind']}: {v['name']}, {v['method']} {v['score']:g})" for v in rec["vendors"])
    how = "; ".join(f"{f['field']}:{f['method']} {f['confidence']:.2f}" for f in rec.get("facts", [])
                    if f["field"] in HOW_FOUND and f["method"] and f["value"] is not None)
    row.update(label=SYNTHETIC_LABEL if rec["synthetic"] else "", winners=winners, tags=tags, reviews=reviews,
               source_urls=urls, ocid=rec["ocid"], duplicate_of=rec["duplicate_of"], vendors=vendors, how_found=how)
    return row


def write_jsonl(rows, output) -> None:
    for rec in rows:
        output.write(jsonl_line(rec))


def write_csv(rows, output, header: bool = True) -> None:
    writer = csv.DictWriter(output, fieldnames=CSV_FIELDS)
    if header:
        writer.writeheader()
    for rec in rows:
        writer.writerow(csv_row(rec))

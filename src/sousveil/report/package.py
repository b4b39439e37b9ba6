"""The data package beside a report (report-data/): the scope, the figures, the cited notices,
their facts and tags as CSV, described by a Frictionless Data Package (datapackage.json), so
that anyone can recount every figure and check every citation.

CSV cells go through export.flat.safe_cell (formula injection); the exact values are those of
`sousveil export --format jsonl`.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from ..export.flat import CSV_FIELDS, SYNTHETIC_LABEL, csv_row, csv_writer, safe_cell
from ..store import queries
from . import scope_filters

# (name, title, [(field, Frictionless type)], description)
RESOURCES = [
    ("scope", "Every notice of the scope, with the value the sums count for it", [
        ("id", "integer"), ("sha256", "string"), ("synthetic", "integer"), ("type", "string"), ("published", "string"),
        ("year", "integer"), ("buyer", "string"), ("province", "string"), ("province_code", "string"),
        ("categories", "string"), ("award_total", "number"), ("counted_value", "number"), ("currency", "string"),
        ("ocid", "string"), ("duplicate_of", "integer")],
     "counted_value (in the notice's currency) is empty for a republished copy and where the procurement's value"
     " counts in another notice"),
    ("figures", "Every numbered figure and row of the report, with the notices it cites", [
        ("figure", "string"), ("section", "string"), ("label", "string"), ("year", "integer"), ("notices", "integer"),
        ("award_value", "number"), ("currency", "string"), ("cites", "string"), ("cited_notice_ids", "string")],
     "cites: the report's citation numbers (N1 …); cited_notice_ids: the notices' ids in the database"),
    ("notices", "The cited notices, as `sousveil export --format csv` writes them", [
        (name, "string") for name in CSV_FIELDS], "cells that a spreadsheet would run as a formula start with '"),
    ("facts", "The cited facts, each with its span in the stored text", [
        ("citation", "string"), ("notice_id", "integer"), ("sha256", "string"), ("fact_id", "integer"),
        ("field", "string"), ("value", "string"), ("lot", "string"), ("span_start", "integer"), ("span_end", "integer"),
        ("span_text", "string"), ("method", "string"), ("confidence", "number"), ("origin", "string")],
     "span_text is the stored text from span_start to span_end (character offsets)"),
    ("tags", "The cited capability tags, each with its span and its latest review", [
        ("citation", "string"), ("notice_id", "integer"), ("sha256", "string"), ("tag_id", "integer"),
        ("category", "string"), ("term", "string"), ("strength", "string"), ("span_start", "integer"),
        ("span_end", "integer"), ("span_text", "string"), ("verdict", "string"), ("reviewer", "string"),
        ("reviewed_at", "string"), ("review_note", "string"), ("taxonomy_version", "string")],
     "verdict, reviewer and reviewed_at: the tag's latest review; empty when not reviewed"),
]


def write_package(db: sqlite_utils.Database, report: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    spec = report["spec"]
    scope = queries.iter_scope(db, scope_filters(spec), spec.query)
    next(scope)  # its header: the schema's field names
    rows = {
        "scope": scope,
        "figures": _figures(report),
        "notices": _notices(db, report),
        "facts": ([f"N{e['number']}", e["id"], e["sha256"], f["id"], f["field"], f["value"], f["lot"], f["span_start"],
                   f["span_end"], f["snippet"]["span"] if f["snippet"] else None, f["method"], f["confidence"],
                   f["origin"]] for e in report["evidence"] for f in e["facts"]),
        "tags": ([f"N{e['number']}", e["id"], e["sha256"], t["id"], t["category"], t["term"], t["strength"],
                  t["span_start"], t["span_end"], t["snippet"]["span"] if t["snippet"] else None,
                  *((t["review"]["verdict"], t["review"]["reviewer"], t["review"]["at"], t["review"]["note"])
                    if t["review"] else (None,) * 4), t["taxonomy_version"]]
                 for e in report["evidence"] for t in e["tags"]),
    }
    for name, _, schema, _ in RESOURCES:
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv_writer(fh, [f for f, _ in schema])
            writer.writeheader()
            for row in rows[name]:
                values = row if isinstance(row, dict) else dict(zip((f for f, _ in schema), row))
                writer.writerow({k: safe_cell(v) for k, v in values.items()})
    descriptor = {
        "profile": "tabular-data-package",
        "name": "sousveil-report",
        "title": "Data of a sousveil findings report",
        "description": "The scope, figures and citations of the report beside this folder."
                       + (f" {report['synthetic']} of the notices are {SYNTHETIC_LABEL}: generated test documents,"
                          " not real notices." if report["synthetic"] else ""),
        "version": report["scope"]["summary"]["data_as_of"] or "",
        "sources": [{"title": f"sousveil {report['scope']['versions']['sousveil']}: {report['command']}"}],
        "resources": [{
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "title": title,
            "description": about, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "lineTerminator": "\r\n"},
            "schema": {"fields": [{"name": f, "type": kind} for f, kind in schema]},
        } for name, title, schema, about in RESOURCES],
    }
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _figures(report: dict):
    currency = report["spec"].currency
    cited = {e["number"]: e["id"] for e in report["evidence"]}

    def row(fid, section, label, year, notices, value, numbers, in_currency=currency):
        return [fid, section, label, year, notices, value, in_currency if value is not None else None,
                " ".join(f"N{n}" for n in numbers), " ".join(str(cited[n]) for n in numbers)]

    for h in report["headline"]:
        yield row(h["id"], "headline", h["key"], None, None if h.get("money") else h["value"],
                  h["value"] if h.get("money") else None, h["cites"], h.get("currency"))
    for c in report["capabilities"]:
        yield row(c["id"], "capability", c["category"], c["year"], c["notices"], c["award_value"], c["cites"])
    for p in report["provinces"]:
        yield row(p["id"], "province", p["province"], None, p["notices"], p["award_value"], p["cites"])
    for c in report["countries"]:
        yield row(c["id"], "country", c["country"], None, c["notices"], c["award_value"], c["cites"])
    for name in ("buyers", "suppliers"):
        for p in report[name]:
            yield row(p["id"], name[:-1], p["name"], None, p["notices"], p["award_value"], p["cites"])
    for v in report["vendors"]:
        yield row(v["id"], "vendor", v["vendor"], None, v["won_notices"], v["award_value"], v["cites"])
    for n in report["key_notices"]:
        yield row(n["row"], "key_notice", n["title"], None, 1, n["counted_value"], [n["number"]], n["currency"])


def _notices(db: sqlite_utils.Database, report: dict):
    for e in report["evidence"]:
        # One notice through the export's own query and row (after_id: the id before it, limit 1).
        for rec in queries.iter_export(db, queries.Filters(), None, e["id"] - 1, 1):
            yield csv_row(rec)

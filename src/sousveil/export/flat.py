"""Flat exports of notices (CSV, JSON Lines), shared by `sousveil export` and the web interface.

Rows come from `store.queries.iter_export`; a synthetic notice is labelled in every row.

CSV is for spreadsheets, and documents are hostile input: every CSV cell is neutralised against
formula injection (OWASP "CSV Injection", ASVS 5.0 V1.2.10; see `safe_cell`). JSON Lines is data,
written unchanged.
"""

from __future__ import annotations

import csv
import json

from ..store.queries import NOTICE_COLUMNS

SYNTHETIC_LABEL = "SYNTHETIC"
CSV_FIELDS = ["label", *NOTICE_COLUMNS, "ocid", "duplicate_of", "winners", "vendors", "tags", "reviews", "source_urls",
              "how_found", "measure_currency", "award_in_measure", "exchange_rate", "rate_date"]
# How the notice's key facts were found, in one CSV cell: type:inferred 0.60; buyer:label 0.95
HOW_FOUND = ("type", "buyer", "agency", "award_total", "published", "province", "city", "county")


# A spreadsheet reads a cell starting with one of these as a formula (OWASP: = + - @ tab CR; ASVS
# adds NUL), also after leading white space; spreadsheets in Chinese locales accept the full-width
# forms as well.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\0＝＋－＠")
# Stripped before looking at the first character: white space (Python's, which includes the
# ideographic space U+3000 and no-break spaces) and invisible format characters.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def safe_cell(value):
    """A CSV cell a spreadsheet shows as text: a value that would start a formula gets a leading `'`.

    Legitimate values are prefixed too ("-5", "+86 …"); the exact values are in the JSON Lines export.
    Quoting and doubling of embedded quotes is left to the csv module (every field quoted).
    """
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    first = next((c for c in text if not (c.isspace() or c in _INVISIBLE)), "")
    if text[:1] in FORMULA_TRIGGERS or first in FORMULA_TRIGGERS:
        return "'" + text
    return text


def money(value: str | None, currency: str | None = None) -> str:
    """An exact amount with thousands separators, for reading (exports keep the plain decimal), with
    its currency when one is given."""
    if not value:
        return ""
    whole, _, frac = value.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "") + (f" {currency}" if currency else "")


def jsonl_line(rec: dict) -> str:
    rec = dict(rec, synthetic=bool(rec["synthetic"]), label=SYNTHETIC_LABEL if rec["synthetic"] else None)
    return json.dumps(rec, ensure_ascii=False) + "\n"


def csv_row(rec: dict) -> dict:
    winners = "; ".join(s["name"] + (f" ({s['amount']} {s.get('currency') or 'CNY'})" if s["amount"] else "") + (f" [lot {s['lot']}]" if s["lot"] else "")
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
    measure = rec.get("measure") or {}  # the award total in the export's currency, and the rate used
    row.update(measure_currency=measure.get("currency"), award_in_measure=measure.get("award_total"),
               exchange_rate=measure.get("rate"), rate_date=measure.get("rate_date"))
    return {k: safe_cell(v) for k, v in row.items()}


def write_jsonl(rows, output) -> None:
    for rec in rows:
        output.write(jsonl_line(rec))


def csv_writer(output, fieldnames=CSV_FIELDS) -> csv.DictWriter:
    """RFC 4180 output with every field quoted and embedded quotes doubled (OWASP's advice), for cells
    already passed through `safe_cell`."""
    return csv.DictWriter(output, fieldnames=fieldnames, quoting=csv.QUOTE_ALL, doublequote=True, lineterminator="\r\n")


def write_csv(rows, output, header: bool = True) -> None:
    """CSV with every cell neutralised against formula injection (`safe_cell`)."""
    writer = csv_writer(output)
    if header:
        writer.writeheader()
    for rec in rows:
        writer.writerow(csv_row(rec))

"""The figures of a report, read through the queries `stats` and `export` use, each numbered and
citing the notices it counts (the largest by counted value; the whole scope is in the data package)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from decimal import Decimal

import sqlite_utils

from .. import __version__
from ..classify.taxonomy import taxonomy
from ..extract.amounts import yuan
from ..extract.labels import vocabulary
from ..resolve.vendors import registry
from ..store import linked, queries
from . import Spec, command, scope_filters
from .evidence import Citations, notice_evidence


def gather(db: sqlite_utils.Database, spec: Spec, db_path: str, output: str = "report.html",
           pdf: str | None = None) -> dict:
    filters, q = scope_filters(spec), spec.query
    cites = Citations()

    def cited(**part) -> tuple[int, list[int]]:
        count, ids = queries.top_notices(db, filters, q, spec.cite, spec.confirmed_only, **part)
        return count, cites.cite(ids)

    stats = queries.stats(db, spec.top, filters, q, spec.confirmed_only, spec.currency)
    summary = queries.scope_summary(db, filters, q)
    totals = stats["totals"]
    # Every notice that is not a republished copy is in one province row (or "(unknown)"): their sums
    # are the scope's.
    counted = sum(r["notices"] for r in stats["by_province"])
    value = sum((Decimal(r["award_value"] or 0) for r in stats["by_province"]), Decimal(0))
    published: dict = defaultdict(Decimal)  # the same sums as published, before conversion
    for r in stats["by_province"]:
        for cur, amount in r["by_currency"].items():
            published[cur] += Decimal(amount)
    _, key_ids = queries.top_notices(db, filters, q, spec.key_notices, spec.confirmed_only)
    key_numbers = cites.cite(key_ids)
    top_cited = key_numbers[:spec.cite]
    headline = [
        {"id": "H1", "key": "report_h_notices", "value": totals["notices"], "cites": top_cited,
         "note": {"copies": totals["republished"], "synthetic": totals["synthetic"]}},
        {"id": "H2", "key": "report_h_documents", "value": totals["documents"], "cites": top_cited},
        {"id": "H3", "key": "report_h_buyers", "value": summary["buyers"], "cites": top_cited},
        {"id": "H4", "key": "report_h_suppliers", "value": summary["suppliers"], "cites": top_cited},
        {"id": "H5", "key": "report_h_processes", "value": summary["processes"], "cites": top_cited,
         "note": {"unlinked": summary["unlinked"]}},
        {"id": "H6", "key": "report_h_value", "value": yuan(value), "money": True, "currency": spec.currency,
         "cites": top_cited, "note": {"counted": counted}},
    ]
    headline += [{"id": f"H6.{i}", "key": "report_h_value_published", "value": yuan(amount), "money": True,
                  "currency": cur, "cites": cited(currency=cur)[1], "note": {"currency": cur}}
                 for i, (cur, amount) in enumerate(sorted(published.items()), 1)]
    capabilities = []
    for i, r in enumerate(stats["by_category_year"], 1):
        count, numbers = cited(category=r["category"], year=r["year"])
        capabilities.append(dict(r, id=f"F1.{i}", cites=numbers, cited_of=count))
    provinces = []
    for i, r in enumerate(stats["by_province"], 1):
        count, numbers = cited(province=r["province"], province_code=r["province_code"])
        provinces.append(dict(r, id=f"F2.{i}", cites=numbers, cited_of=count))
    countries = []  # a world map only where the data go abroad
    if any(r["country"] not in ("CN", "(unknown)") for r in stats.get("by_country", [])):
        for i, r in enumerate(stats["by_country"], 1):
            count, numbers = cited(country=r["country"])
            countries.append(dict(r, id=f"F6.{i}", cites=numbers, cited_of=count))
    buyers = [dict(r, id=f"F3.{i}", cites=cited(buyer=r["name"])[1]) for i, r in enumerate(stats["top_buyers"], 1)]
    suppliers = [dict(r, id=f"F4.{i}", cites=cited(supplier=r["name"])[1])
                 for i, r in enumerate(stats["top_suppliers"], 1)]
    vendors = []
    for r in linked.vendors(db, False, filters, q):
        if len(vendors) == spec.top or not (r["won_notices"] or r["brand_notices"]):
            break  # ranked by won value, then notices won, then brand mentions: the rest named nowhere here
        numbers = cited(vendor=r["id"])[1] + cited(brand=r["id"])[1]
        vendors.append(dict(r, vendor=r["id"], id=f"F5.{len(vendors) + 1}", cites=sorted(set(numbers))))
    evidence = [notice_evidence(db, nid, number) for nid, number in cites.number.items()]
    by_id = {e["id"]: e for e in evidence}
    key = [dict(by_id[nid], row=f"K{i}") for i, nid in enumerate(key_ids, 1)]
    return {
        "spec": spec, "lang": spec.lang,
        "scope": {"filters": _described(spec), "totals": totals, "summary": summary, "counted": counted,
                  "versions": {"sousveil": __version__, "taxonomy": taxonomy().version, "labels": vocabulary().version,
                               "vendors": registry().version},
                  "linked_registry": next(iter(db.execute(
                      "select value from meta where key = 'vendor_registry_version'").fetchone() or ()), None)},
        "synthetic": totals["synthetic"], "measure": stats["measure"],
        "headline": headline, "capabilities": capabilities, "provinces": provinces, "countries": countries,
        "buyers": buyers,
        "suppliers": suppliers, "vendors": vendors, "key_notices": key, "evidence": evidence,
        "methods": _methods(db, spec, totals),
        "command": command(spec, db_path, output, pdf),
    }


def _described(spec: Spec) -> list[tuple[str, object]]:
    """The filters as asked, in the order of their fields; the query first."""
    out = [("query", spec.query)] if spec.query else []
    out += [(f.name, getattr(spec.filters, f.name)) for f in fields(spec.filters)
            if getattr(spec.filters, f.name) is not None]
    return out


def _methods(db: sqlite_utils.Database, spec: Spec, totals: dict) -> dict:
    """What --confirmed-only changed (the same filters without it), and the scope's tags by verdict."""
    reviews = queries.review_counts(db, spec.filters, spec.query)
    out = {"reviews": [{"verdict": k, "tags": v} for k, v in reviews.items()]}
    if spec.confirmed_only:
        without = queries.stats(db, 1, spec.filters, spec.query)["totals"]
        out["without_confirmed"] = {"notices": without["notices"], "left_out": without["notices"] - totals["notices"]}
    return out

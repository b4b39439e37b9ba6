"""Queries over what `sousveil link` wrote: vendors, organizations and procurement processes."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlite_utils

from ..extract.amounts import yuan
from ..resolve.vendors import registry
from .queries import NOT_A_COPY, SUPPLIER_AMOUNT, SUPPLIER_VALUE, Filters, Measure, _acc, _add, _row, _where


def _designations(vendor) -> list[dict]:
    return [{"list": d.list, "list_name": d.list_name, "date": d.date, "reference": d.reference, "status": d.status}
            for d in vendor.designations]


def vendors(db: sqlite_utils.Database, designated_only: bool = False, filters: Filters | None = None,
            query: str | None = None) -> list[dict]:
    """Every registry vendor with the notices it won (as supplier), its awarded value (exact), the
    notices whose item tables name it as a brand, and its designations. Republished copies count once,
    and a procurement's value once (queries.VALUE_COUNTS). With filters or a query: among the notices
    a search finds."""
    where, params = _where(filters or Filters(), query)
    scope = "".join(f" and {w}" for w in where)
    won: dict = defaultdict(lambda: [set(), Decimal(0), set()])
    for vendor, nid, amount, role, synthetic in db.execute(
            f"select v.vendor, v.notice_id, {SUPPLIER_VALUE}, s.role, n.synthetic from vendor_links v"
            " join suppliers s on s.id = v.supplier_id join notices n on n.id = v.notice_id where v.kind = 'supplier'"
            f" and {NOT_A_COPY}{scope}", params):
        if role == "winner":
            won[vendor][0].add(nid)
            won[vendor][1] += Decimal(amount) if amount else 0
            if synthetic:
                won[vendor][2].add(nid)
    brands = dict(db.execute("select v.vendor, count(distinct v.notice_id) from vendor_links v join notices n on"
                             f" n.id = v.notice_id where v.kind = 'brand' and {NOT_A_COPY}{scope} group by v.vendor",
                             params).fetchall())
    out = []
    for v in registry().vendors.values():
        if designated_only and not v.designations:
            continue
        notices, value, synthetic = won.get(v.id, (set(), Decimal(0), set()))
        out.append({"id": v.id, "name_zh": v.name_zh, "name_en": v.name_en, "country": v.country, "parent": v.parent,
                    "won_notices": len(notices), "award_value": yuan(value), "synthetic": len(synthetic),
                    "brand_notices": brands.get(v.id, 0), "designations": _designations(v)})
    return sorted(out, key=lambda r: (-Decimal(r["award_value"] or 0), -r["won_notices"], -r["brand_notices"], r["id"]))


def where_they_sell(db: sqlite_utils.Database, currency: str = "CNY", vendor_id: str | None = None,
                    abroad: bool = False) -> dict:
    """Registry vendors' won contracts by country and year: notices, value in `currency` (other
    currencies converted at the ECB rate of each notice's date, queries.Measure) and as published;
    `abroad`: outside China only (a notice whose country is known and is not CN). Republished copies
    count once, and a procurement's value once (queries.VALUE_COUNTS)."""
    measure = Measure(currency)
    acc: dict = defaultdict(_acc)
    sql = (f"select v.vendor, coalesce(n.country, '(unknown)'), n.year, {SUPPLIER_AMOUNT}, n.synthetic from vendor_links v"
           " join suppliers s on s.id = v.supplier_id join notices n on n.id = v.notice_id"
           f" where v.kind = 'supplier' and s.role = 'winner' and {NOT_A_COPY}")
    params: list = []
    if vendor_id:
        sql += " and v.vendor = ?"
        params.append(vendor_id)
    if abroad:
        sql += " and n.country is not null and n.country != 'CN'"
    for vid, country, year, amount, cur, published, synthetic in db.execute(sql, params):
        _add(acc[(vid, country, year)], amount, cur, published, synthetic, measure, count=True)
    reg = registry().vendors
    rows = [{"vendor": vid, "name_en": reg[vid].name_en if vid in reg else vid, "country": country, "year": year,
             **_row(v), "currency": currency, "designations": "; ".join(
                 f"{d.list_name} {d.date}" + ("" if d.status == "verified" else " (unverified)")
                 for d in (reg[vid].designations if vid in reg else ()))}
            for (vid, country, year), v in acc.items()]
    rows.sort(key=lambda r: (r["vendor"], r["country"], r["year"] or 0))
    return {"rows": rows, "measure": measure.summary()}


def vendor(db: sqlite_utils.Database, vendor_id: str) -> dict | None:
    """One vendor: registry facts, the names it was matched under (with method and score), notices."""
    v = registry().vendors.get(vendor_id)
    if v is None:
        return None
    rows = [dict(r) for r in db.query(
        "select v.notice_id, v.kind, v.name, v.method, v.score, v.matched, v.branch, s.role, s.amount, s.lot,"
        " s.currency, n.title, n.published, n.buyer, n.type, n.synthetic, n.country from vendor_links v"
        " join notices n on n.id = v.notice_id"
        " left join suppliers s on s.id = v.supplier_id where v.vendor = ? order by n.published desc, n.id", [vendor_id])]
    names: dict = {}
    for r in rows:
        names.setdefault((r["name"], r["kind"], r["method"], r["score"]), 0)
        names[(r["name"], r["kind"], r["method"], r["score"])] += 1
    children = [c.id for c in registry().vendors.values() if c.parent == vendor_id]
    return {"id": v.id, "name_zh": v.name_zh, "name_en": v.name_en, "country": v.country, "parent": v.parent,
            "children": children, "business": v.business, "aliases": list(v.aliases), "registered": list(v.registered),
            "designations": _designations(v), "notes": list(v.notes),
            "names": [{"name": k[0], "kind": k[1], "method": k[2], "score": k[3], "notices": c} for k, c in names.items()],
            "links": rows, "where": where_they_sell(db, "CNY", vendor_id)}


def notice_links(db: sqlite_utils.Database, notice_id: int) -> dict:
    """For a notice page: its vendor links with their evidence, and its process."""
    links = [dict(r) for r in db.query("select * from vendor_links where notice_id = ? order by id", [notice_id])]
    for link in links:
        v = registry().vendors.get(link["vendor"])
        link["vendor_name"] = f"{v.name_zh} ({v.name_en})" if v else link["vendor"]
        link["designated"] = bool(v and v.designations)
    row = db.execute("select ocid, duplicate_of, similarity from process_notices where notice_id = ?", [notice_id]).fetchone()
    return {"vendor_links": links, "process": process(db, row[0]) if row else None,
            "duplicate_of": row[1] if row else None, "similarity": row[2] if row else None}


def process(db: sqlite_utils.Database, ocid: str) -> dict | None:
    """The timeline of one procurement: its notices by date, republished copies under the first."""
    row = db.execute("select p.ocid, p.project_code, p.title, p.link_method, p.first_published, p.last_published,"
                     " o.name from processes p left join organizations o on o.id = p.buyer_org_id where p.ocid = ?",
                     [ocid]).fetchone()
    if row is None:
        return None
    out = dict(zip(("ocid", "project_code", "title", "link_method", "first_published", "last_published", "buyer"), row))
    notices = [dict(r) for r in db.query(
        "select n.id, n.type, n.title, n.published, n.award_total, n.budget, n.currency, n.synthetic, n.sha256,"
        " p.duplicate_of, p.similarity from process_notices p join notices n on n.id = p.notice_id where p.ocid = ?"
        " order by n.published, n.id", [ocid])]
    copies: dict = defaultdict(list)
    for n in notices:
        n["sources"] = [dict(s) for s in db.query("select name, url, retrieved_at from sources where sha256 = ?",
                                                  [n["sha256"]])]
        if n["duplicate_of"]:
            copies[n["duplicate_of"]].append(n)
    out["timeline"] = [dict(n, republished=copies.get(n["id"], [])) for n in notices if not n["duplicate_of"]]
    out["notices"] = len(notices)
    out["synthetic"] = sum(1 for n in notices if n["synthetic"])
    return out


def process_of(db: sqlite_utils.Database, ref: str) -> str | None:
    """An ocid from an ocid or a notice id."""
    if db.execute("select 1 from processes where ocid = ?", [ref]).fetchone():
        return ref
    if ref.isdigit():
        row = db.execute("select ocid from process_notices where notice_id = ?", [int(ref)]).fetchone()
        return row[0] if row else None
    return None

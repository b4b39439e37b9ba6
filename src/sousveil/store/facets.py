"""Facet counts, party profiles and related notices: the aggregates the web interface shows.

Every function takes the same `Filters` and full-text query as `queries.search`, so a count
shown beside a facet value is the number of notices a click on it finds.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlite_utils

from ..extract.amounts import yuan
from ..resolve.link import org_key
from .queries import AWARD_VALUE, LATEST_REVIEW, NOT_A_COPY, SUPPLIER_VALUE, Filters, _where, designated_vendors

# name -> (select value, label, count from ... ) with {clause} for the notice filters.
FACET_SQL = {
    "category": "select t.category, t.category, count(distinct t.notice_id) from tags t join notices n on n.id = t.notice_id"
                " {where} group by 1",
    "type": "select n.type, n.type, count(*) from notices n {where} group by 1",
    "province": "select n.province_code, n.province, count(*) from notices n {where} and n.province_code is not null"
                " group by 1",
    "city": "select n.city_code, n.city, count(*) from notices n {where} and n.city_code is not null group by 1",
    "country": "select n.country, n.country, count(*) from notices n {where} and n.country is not null group by 1",
    "buyer_type": "select n.buyer_type, n.buyer_type, count(*) from notices n {where} group by 1",
    "year": "select n.year, n.year, count(*) from notices n {where} and n.year is not null group by 1",
    "supplier": "select s.name, s.name, count(distinct s.notice_id) from suppliers s join notices n on n.id = s.notice_id"
                " {where} and s.role = 'winner' group by 1",
    "synthetic": "select n.synthetic, n.synthetic, count(*) from notices n {where} group by 1",
    "review": f"select r.verdict, r.verdict, count(distinct r.notice_id) from reviews r join notices n on"
              f" n.id = r.notice_id {{where}} and {LATEST_REVIEW} group by 1",
    # Vendors with a designation named as supplier or brand (registry ids: letters and underscores).
    "vendor": "select v.vendor, v.vendor, count(distinct v.notice_id) from vendor_links v join notices n on"
              " n.id = v.notice_id {where} and v.vendor in ({designated}) group by 1",
}


def facet_counts(db: sqlite_utils.Database, query: str | None, filters: Filters, limit: int = 12) -> dict:
    """For each facet, its values with the number of matching notices, most frequent first."""
    where, params = _where(filters, query)
    clause = "where " + " and ".join(where or ["1"])
    out = {}
    for name, sql in FACET_SQL.items():
        designated = ",".join(f"'{v}'" for v in designated_vendors())
        rows = db.execute(sql.format(where=clause, designated=designated) + " order by 3 desc, 2 limit ?",
                          params + [limit]).fetchall()
        out[name] = [{"value": str(v), "label": label, "count": c} for v, label, c in rows if v is not None]
    return out


def party_profile(db: sqlite_utils.Database, role: str, name: str) -> dict:
    """A buyer's or a winning supplier's notices over time, awarded value by capability, regions.

    A buyer's value is the awarded total of its notices; a supplier's is the amounts it won.
    Republished copies are left out: each notice counts once, and a procurement's value once
    (queries.VALUE_COUNTS)."""
    where, params = _where(Filters(**{role: name}), None)
    if role == "buyer":
        rows = db.execute(f"select n.id, n.year, {AWARD_VALUE}, n.province, n.city, n.synthetic from notices n"
                          f" where {where[0]} and {NOT_A_COPY}", params).fetchall()
    else:
        # The amounts this supplier won, under any of the ways its name is written.
        rows = db.execute(f"select n.id, n.year, {SUPPLIER_VALUE}, n.province, n.city, n.synthetic from suppliers s"
                          f" join notices n on n.id = s.notice_id where s.role = 'winner' and {where[0]} and {NOT_A_COPY} and"
                          " (s.name = ? or s.id in (select p.supplier_id from notice_parties p join organizations o"
                          " on o.id = p.org_id where o.key = ?))", params + [name, org_key(name)]).fetchall()
    by_year: dict = defaultdict(lambda: [set(), Decimal(0)])
    regions: dict = defaultdict(set)
    value_of: dict = defaultdict(Decimal)
    for nid, year, amount, province, city, _ in rows:
        by_year[year][0].add(nid)
        by_year[year][1] += Decimal(amount) if amount else 0
        value_of[nid] += Decimal(amount) if amount else 0
        regions[(province, city)].add(nid)
    by_category: dict = defaultdict(lambda: [0, Decimal(0)])
    ids = sorted(value_of)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for nid, cat in db.execute("select distinct notice_id, category from tags where kind = 'capability' and"
                                   f" notice_id in ({','.join('?' * len(chunk))})", chunk):
            by_category[cat][0] += 1
            by_category[cat][1] += value_of[nid]
    return {
        "name": name, "role": role, "notices": len(value_of), "synthetic": len({r[0] for r in rows if r[5]}),
        "award_value": yuan(sum(value_of.values(), Decimal(0))),
        "by_year": [{"year": y, "notices": len(v[0]), "award_value": yuan(v[1])}
                    for y, v in sorted(by_year.items(), key=lambda kv: kv[0] or 0)],
        "by_category": [{"category": c, "notices": v[0], "award_value": yuan(v[1])}
                        for c, v in sorted(by_category.items(), key=lambda kv: (-kv[1][1], -kv[1][0]))],
        "regions": [{"province": p, "city": c, "notices": len(v)}
                    for (p, c), v in sorted(regions.items(), key=lambda kv: -len(kv[1]))],
    }


def same_project(db: sqlite_utils.Database, notice: dict) -> list[dict]:
    """Other notices of the same project: the same project code and buyer."""
    if not notice.get("project_code") or not notice.get("buyer"):
        return []
    rows = db.execute("select id, type, title, published, synthetic from notices where project_code = ? and buyer = ?"
                      " and id != ? order by published, id", [notice["project_code"], notice["buyer"], notice["id"]])
    return [dict(zip(("id", "type", "title", "published", "synthetic"), r)) for r in rows]

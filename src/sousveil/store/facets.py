"""Facet counts, party profiles and related notices: the aggregates the web interface shows.

Every function takes the same `Filters` and full-text query as `queries.search`, so a count
shown beside a facet value is the number of notices a click on it finds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import sqlite_utils

from ..extract.amounts import yuan
from ..resolve.link import org_key
from .queries import AWARD_VALUE, LATEST_REVIEW, NOT_A_COPY, SUPPLIER_VALUE, Filters, _where, designated_vendors

# name -> the (notice, value, label) pairs of a facet, each pair once. A facet's count for a value is
# the number of matching notices among its pairs.
FACET_PAIRS = {
    "category": "select distinct notice_id, category, category from tags",
    "type": "select id, type, type from notices",
    "province": "select id, province_code, province from notices where province_code is not null",
    "city": "select id, city_code, city from notices where city_code is not null",
    "country": "select id, country, country from notices where country is not null",
    "buyer_type": "select id, buyer_type, buyer_type from notices",
    "year": "select id, year, year from notices where year is not null",
    "supplier": "select distinct notice_id, name, name from suppliers where role = 'winner'",
    "synthetic": "select id, synthetic, synthetic from notices",
    # Vendors with a designation named as supplier or brand (registry ids: letters and underscores).
    "vendor": "select distinct notice_id, vendor, vendor from vendor_links where vendor in ({designated})",
}
# Reviews change while investigators work, so their facet is read at each count (a small table).
REVIEW_PAIRS = f"select distinct r.notice_id, r.verdict, r.verdict from reviews r where {LATEST_REVIEW}"


@dataclass
class Facet:
    notices: np.ndarray  # notice id of each pair
    codes: np.ndarray  # index into values of each pair
    values: list
    labels: list
    order: np.ndarray  # each value's place when its labels are sorted, for ties of counts


def _facet(rows) -> Facet:
    """A facet from its (notice, value, label) rows; values are numbered in the order they come."""
    codes_of: dict = {}
    notices, codes, labels = [], [], []
    for nid, value, label in rows:
        if value is None:
            continue
        code = codes_of.setdefault(value, len(codes_of))
        if code == len(labels):
            labels.append(label)
        notices.append(nid)
        codes.append(code)
    # Labels sort as SQLite sorts them: NULL first, then by value (UTF-8 order is code-point order).
    order = np.empty(len(labels), dtype=np.int64)
    order[sorted(range(len(labels)), key=lambda i: (labels[i] is not None, labels[i] if labels[i] is not None else 0))] = \
        np.arange(len(labels))
    return Facet(np.array(notices, dtype=np.int64), np.array(codes, dtype=np.int64), list(codes_of), labels, order)


@dataclass
class FacetIndex:
    """Every facet's pairs, and each notice's rank in each sort order (by notice id; -1: no key)."""
    facets: dict[str, Facet]
    ranks: dict[str, np.ndarray]


def facet_index(db: sqlite_utils.Database) -> FacetIndex:
    """Read once for a state of the data (the web keeps it until the data changes, web/views.py _cached):
    counting a search's facets and ordering its first pages is then one read of its notice ids, not a
    scan of the tables per facet (docs/web.md)."""
    designated = ",".join(f"'{v}'" for v in designated_vendors())
    facets = {name: _facet(db.execute(sql.format(designated=designated))) for name, sql in FACET_PAIRS.items()}
    rows = db.execute("select id, published, award_total_num from notices").fetchall()
    size = 1 + max((r[0] for r in rows), default=0)
    return FacetIndex(facets, {"date": _ranks(rows, 1, size), "amount": _ranks(rows, 2, size),
                               "ingested": np.zeros(size, dtype=np.int64)})


def _ranks(rows: list, column: int, size: int) -> np.ndarray:
    """Each notice's place among the distinct values of a column, in SQLite's order (NULL lowest)."""
    keys = sorted({r[column] for r in rows if r[column] is not None})
    place = {k: i for i, k in enumerate(keys)}
    rank = np.full(size, -1, dtype=np.int64)
    for r in rows:
        if r[column] is not None:
            rank[r[0]] = place[r[column]]
    return rank


def matching_ids(db: sqlite_utils.Database, query: str | None, filters: Filters) -> np.ndarray:
    """The ids of the notices a search finds (queries.search's total is their number)."""
    where, params = _where(filters, query)
    # Joined into one string by SQLite and parsed by numpy: a Python object a row held the interpreter
    # three times as long, and the server's other requests with it.
    ids = db.execute("select group_concat(n.id) from notices n where " + " and ".join(where or ["1"]), params).fetchone()[0]
    return np.fromstring(ids, dtype=np.int64, sep=",") if ids else np.zeros(0, dtype=np.int64)


def first_ids(index: FacetIndex, ids: np.ndarray, n: int) -> dict[str, list[int]]:
    """The first n of the notices `ids` in each sort order, as queries.SORTS orders them: by the key,
    newest first, ties by id, newest first."""
    out = {}
    for sort, rank in index.ranks.items():
        known = ids[ids < len(rank)]  # a notice stored after the index was read has no rank: not shown first
        key = rank[known] * 2**32 + known  # ids stay below 2**32
        top = np.argpartition(-key, n - 1)[:n] if len(key) > n else np.arange(len(key))
        out[sort] = [int(i) for i in known[top[np.argsort(-key[top])]]]
    return out


def facet_counts(db: sqlite_utils.Database, query: str | None, filters: Filters, limit: int = 12,
                 index: FacetIndex | None = None, ids: np.ndarray | None = None) -> dict:
    """For each facet, its values with the number of matching notices (`ids`, when known), most
    frequent first."""
    if ids is None:
        ids = matching_ids(db, query, filters)
    by_name = dict((index or facet_index(db)).facets)
    by_name["review"] = _facet(db.execute(REVIEW_PAIRS))
    size = 1 + max([int(ids.max()) if len(ids) else 0] + [int(f.notices.max()) for f in by_name.values() if len(f.notices)])
    matching = np.zeros(size, dtype=bool)
    matching[ids] = True
    out = {}
    for name in (*FACET_PAIRS, "review"):
        f = by_name[name]
        counts = np.bincount(f.codes[matching[f.notices]], minlength=len(f.values))
        top = [int(i) for i in np.lexsort((f.order, -counts))[:limit] if counts[i]]
        out[name] = [{"value": str(f.values[i]), "label": f.labels[i], "count": int(counts[i])} for i in top]
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

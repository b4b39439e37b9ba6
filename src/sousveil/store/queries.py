"""Read queries shared by the CLI, exports and (later) the web interface."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from ..extract.amounts import yuan
from ..resolve.link import org_key
from . import fts

NOTICE_COLUMNS = ("id", "sha256", "type", "title", "buyer", "buyer_type", "agency", "province", "city", "county",
                  "region_code", "published", "year", "budget", "award_total", "amount_status", "categories",
                  "synthetic", "project_code", "method", "taxonomy_version", "code_version")
BIG_RESULT = 2000
# The facts a search by confidence looks at: what a notice is, who bought, and where.
CONFIDENT_FIELDS = ("type", "buyer", "province", "city", "county")
CONFIDENT = 0.7  # the web's "strong methods only": label, table, heading, gazetteer, metadata, sentence (data/methods.yaml)
# A sort can walk its own index and stops after a page: with a frequent search term (采购 matches
# every notice) sorting all the hits first took over 300 ms at 100,000 notices (bench/run.py).
SORTS = {"date": ("n.published desc", "idx_notices_published"),
         "amount": ("n.award_total_num desc", "idx_notices_award_total_num"),
         "ingested": ("n.id desc", None)}


@dataclass
class Filters:
    category: str | None = None
    province: str | None = None  # name (广东, 广东省) or GB/T 2260 code
    buyer_type: str | None = None
    year: int | None = None
    type: str | None = None
    synthetic: bool | None = None
    city: str | None = None  # name or GB/T 2260 code
    buyer: str | None = None  # exact name, as stored
    supplier: str | None = None  # exact name of a winning supplier
    review: str | None = None  # a verdict (a tag's latest review), "reviewed" or "unreviewed"
    vendor: str | None = None  # a registry vendor id: notices naming it as supplier or brand
    designated: bool | None = None  # notices naming a vendor with a designation (verified or not)
    min_confidence: float | None = None  # leave out notices whose type, buyer or region rest on a weaker method


# Sums count a notice republished on several portals once: its copies (resolve/link.py) are left out.
NOT_A_COPY = "n.id not in (select notice_id from process_notices where duplicate_of is not null)"


def _value_rank(alias: str) -> str:
    return f"(case {alias}.type when 'award' then 0 when 'contract' then 1 else 2 end)"


# One procurement's money appears in several of its notices: the award, the contract, a correction,
# an acceptance. Sums take a process's value from its award notices (lots published separately add
# up), else from its contracts, else from its other notices: a notice's amount counts unless another
# notice of its process, of a better-ranked type, has an award total. Notices that were never linked
# (`ingest --no-link`) each count on their own.
VALUE_COUNTS = ("(n.type = 'award' or not exists (select 1 from process_notices p1 join process_notices p2"
                " on p2.ocid = p1.ocid and p2.notice_id != p1.notice_id and p2.duplicate_of is null"
                " join notices m on m.id = p2.notice_id where p1.notice_id = n.id and m.award_total is not null"
                f" and {_value_rank('m')} < {_value_rank('n')}))")
# A notice's and a winner's share of the sums (the test on the process only for notices with a sum).
AWARD_VALUE = f"(case when n.award_total is not null and {VALUE_COUNTS} then n.award_total end)"
SUPPLIER_VALUE = f"(case when s.amount is not null and {VALUE_COUNTS} then s.amount end)"

# The latest review of each tag is its verdict; older rows stay as the audit trail.
LATEST_REVIEW = "r.id = (select max(r2.id) from reviews r2 where r2.tag_id = r.tag_id)"


def designated_vendors() -> list[str]:
    """Registry vendors with at least one designation (verified or not)."""
    from ..resolve.vendors import registry

    return sorted(v.id for v in registry().vendors.values() if v.designations)


def _where(filters: Filters, query: str | None) -> tuple[list[str], list]:
    where, params = [], []
    if query:
        expr = fts.match_expression(query)
        if expr:
            where.append("n.id in (select rowid from notice_fts where notice_fts match ?)")
            params.append(expr)
    if filters.category:
        where.append("n.id in (select notice_id from tags where category = ?)")
        params.append(filters.category)
    if filters.province:
        p = filters.province
        if p.isdigit():
            where.append("n.province_code = ?")
            params.append(p[:2] + "0000")
        else:
            where.append("(n.province = ? or n.province like ?)")
            params += [p, p + "%"]
    if filters.buyer_type:
        where.append("n.buyer_type = ?")
        params.append(filters.buyer_type)
    if filters.year:
        where.append("n.year = ?")
        params.append(int(filters.year))
    if filters.type:
        where.append("n.type = ?")
        params.append(filters.type)
    if filters.synthetic is not None:
        where.append("n.synthetic = ?")
        params.append(int(filters.synthetic))
    if filters.min_confidence is not None:
        where.append("n.id not in (select notice_id from facts where field in (" + ", ".join(f"'{f}'" for f in CONFIDENT_FIELDS)
                     + ") and confidence < ?)")
        params.append(filters.min_confidence)
    if filters.city:
        where.append("n.city_code = ?" if filters.city.isdigit() else "n.city = ?")
        params.append(filters.city)
    # A buyer or supplier is its organization (resolve/link.py): every way its name is written.
    if filters.buyer:
        where.append("(n.buyer = ? or n.id in (select p.notice_id from notice_parties p join organizations o on"
                     " o.id = p.org_id where o.key = ? and p.role = 'buyer'))")
        params += [filters.buyer, org_key(filters.buyer)]
    if filters.supplier:
        where.append("n.id in (select notice_id from suppliers where name = ? and role = 'winner' union"
                     " select p.notice_id from notice_parties p join organizations o on o.id = p.org_id"
                     " where o.key = ? and p.role = 'winner')")
        params += [filters.supplier, org_key(filters.supplier)]
    if filters.vendor:
        where.append("n.id in (select notice_id from vendor_links where vendor = ?)")
        params.append(filters.vendor)
    if filters.designated:
        ids = designated_vendors()
        where.append(f"n.id in (select notice_id from vendor_links where vendor in ({','.join('?' * len(ids))}))")
        params += ids
    if filters.review == "reviewed":
        where.append("n.id in (select notice_id from reviews)")
    elif filters.review == "unreviewed":
        where.append("n.categories is not null and n.id not in (select notice_id from reviews)")
    elif filters.review:
        where.append(f"n.id in (select r.notice_id from reviews r where r.verdict = ? and {LATEST_REVIEW})")
        params.append(filters.review)
    return where, params


def search(db: sqlite_utils.Database, query: str | None, filters: Filters = Filters(), limit: int = 20,
           offset: int = 0, sort: str = "date", with_snippets: bool = True) -> tuple[int, list[dict]]:
    """One page of notices matching the full-text query and filters, and how many match in all.

    The plan depends on how many notices the words match (measured in bench/run.py at 100,000
    notices): few hits, the index drives; many hits and no filter, walk the sort's index and stop
    after the page; many hits with filters, the filters' indexes drive and the hits are a lookup.
    """
    where, params = _where(filters, query)
    expr = fts.match_expression(query) if query else None
    fts_hits = db.execute("select count(*) from notice_fts where notice_fts match ?", [expr]).fetchone()[0] \
        if expr else None
    if fts_hits == 0:
        return 0, []
    indexed = ""
    order, index = SORTS[sort]
    if expr and fts_hits > BIG_RESULT:
        if len(where) == 1:
            indexed = f" indexed by {index}" if index else ""
        elif fts_hits > 0.3 * db.execute("select count(*) from notices").fetchone()[0]:
            where[0] = "+" + where[0]  # a unary plus keeps SQLite from driving the plan by this term
    clause = (" where " + " and ".join(where)) if where else ""
    total = fts_hits if expr and len(where) == 1 else \
        db.execute(f"select count(*) from notices n{clause}", params).fetchone()[0]
    if total == 0:
        return 0, []
    cols = ", ".join(f"n.{c}" for c in NOTICE_COLUMNS)
    rows = db.execute(f"select {cols} from notices n{indexed}{clause} order by {order} limit ? offset ?",
                      params + [limit, offset]).fetchall()
    results = [dict(zip(NOTICE_COLUMNS, r)) for r in rows]
    copies = dict(db.execute(f"select notice_id, duplicate_of from process_notices where duplicate_of is not null and"
                             f" notice_id in ({','.join('?' * len(results))})", [r["id"] for r in results]).fetchall())
    for r in results:
        r["duplicate_of"] = copies.get(r["id"])
    if with_snippets and query and results:
        texts = dict(db.execute(
            f"select n.id, d.text from notices n join documents d on d.sha256 = n.sha256 where n.id in "
            f"({','.join('?' * len(results))})", [r["id"] for r in results]).fetchall())
        for r in results:
            text = texts.get(r["id"]) or ""
            spans = fts.highlight_spans(text, query)
            r["hits"] = spans
            r["snippet"] = _snippet(text, spans)
    return total, results


def _snippet(text: str, spans: list[tuple[int, int]], width: int = 40) -> dict:
    if not spans:
        return {"text": text[:2 * width].replace("\n", " "), "highlights": []}
    s, e = spans[0]
    a, b = max(0, s - width), min(len(text), e + width)
    return {"text": text[a:b].replace("\n", " ").replace("\t", " "),
            "highlights": [(x - a, y - a) for x, y in spans if x >= a and y <= b]}


def notice(db: sqlite_utils.Database, notice_id: int) -> dict | None:
    row = db.execute("select * from notices where id = ?", [notice_id]).fetchone()
    if row is None:
        return None
    cols = [d[0] for d in db.execute("select * from notices limit 0").description]
    out = dict(zip(cols, row))
    doc = db.execute("select text, media_type, encoding, bytes, status, redactions, pages, ocr_pages from documents"
                     " where sha256 = ?", [out["sha256"]]).fetchone()
    out["document"] = dict(zip(("text", "media_type", "encoding", "bytes", "status", "redactions", "pages",
                                "ocr_pages"), doc))
    for table in ("facts", "suppliers", "items", "tags"):
        out[table] = [dict(r) for r in db.query(f"select * from {table} where notice_id = ? order by id", [notice_id])]
    out["sources"] = [dict(r) for r in db.query("select name, url, retrieved_at, first_seen from sources where sha256 = ?",
                                                [out["sha256"]])]
    return out


def find_notice_id(db: sqlite_utils.Database, ref: str) -> int | None:
    """A notice by its id or by a prefix (8+ hex characters) of its document's SHA-256."""
    if ref.isdigit():
        row = db.execute("select id from notices where id = ?", [int(ref)]).fetchone()
        if row:
            return row[0]
    if len(ref) >= 8:
        rows = db.execute("select id from notices where sha256 like ?", [ref.lower() + "%"]).fetchall()
        if len(rows) == 1:
            return rows[0][0]
    return None


def stats(db: sqlite_utils.Database, top: int = 10) -> dict:
    """Counts and summed award values (exact decimals) by category and year, by province; top parties.
    A notice republished on several portals counts once (its copies are left out), and a procurement's
    value counts once however many of its notices repeat it (VALUE_COUNTS)."""
    totals = dict(zip(("notices", "synthetic", "awards", "documents", "failed", "needs_ocr", "republished"), db.execute(
        "select (select count(*) from notices), (select count(*) from notices where synthetic = 1),"
        " (select count(*) from notices where type = 'award'), (select count(*) from documents),"
        " (select count(*) from documents where status = 'failed') + (select count(*) from ingest_errors),"
        " (select count(*) from documents where status in ('needs_ocr', 'partial_ocr')),"
        " (select count(*) from process_notices where duplicate_of is not null)").fetchone()))
    by_cat_year: dict = defaultdict(lambda: [0, Decimal(0), 0])
    for cat, year, award, synthetic in db.execute(
            f"select t.category, n.year, {AWARD_VALUE}, n.synthetic from notices n join"
            " (select distinct notice_id, category from tags where kind = 'capability') t on t.notice_id = n.id"
            f" where {NOT_A_COPY}"):
        _add(by_cat_year[(cat, year)], award, synthetic)
    by_province: dict = defaultdict(lambda: [0, Decimal(0), 0])
    for prov, code, award, synthetic in db.execute(
            f"select coalesce(province, '(unknown)'), province_code, {AWARD_VALUE}, synthetic from notices n"
            f" where {NOT_A_COPY}"):
        _add(by_province[(prov, code)], award, synthetic)
    out = {
        "totals": totals,
        "by_category_year": [{"category": c, "year": y, "notices": v[0], "award_value": yuan(v[1]), "synthetic": v[2]}
                             for (c, y), v in sorted(by_cat_year.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))],
        "by_province": [{"province": p, "province_code": c, "notices": v[0], "award_value": yuan(v[1]),
                         "synthetic": v[2]} for (p, c), v in sorted(by_province.items(), key=lambda kv: -kv[1][0])],
    }
    out["top_buyers"] = _top(db, f"select buyer, {AWARD_VALUE}, synthetic from notices n where buyer is not null"
                                 f" and {NOT_A_COPY}", top)
    out["top_suppliers"] = _top(db, f"select s.name, {SUPPLIER_VALUE}, n.synthetic from suppliers s join notices n on"
                                    f" n.id = s.notice_id where s.role = 'winner' and {NOT_A_COPY}", top)
    return out


def _add(acc: list, award: str | None, synthetic: int) -> None:
    acc[0] += 1
    if award:
        acc[1] += Decimal(award)
    acc[2] += synthetic


def _top(db, sql: str, top: int) -> list[dict]:
    acc: dict = defaultdict(lambda: [0, Decimal(0), 0])
    for name, award, synthetic in db.execute(sql):
        _add(acc[name], award, synthetic)
    ranked = sorted(acc.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:top]
    return [{"name": k, "notices": v[0], "award_value": yuan(v[1]), "synthetic": v[2]} for k, v in ranked]


def iter_export(db: sqlite_utils.Database, filters: Filters = Filters(), query: str | None = None,
                after_id: int = 0, limit: int = -1):
    """Notices with their suppliers, tags, sources and reviews, one dict each, for CSV and JSONL exports,
    in id order from after_id (the web interface streams an export in such chunks)."""
    where, params = _where(filters, query)
    clause = " where " + " and ".join(where + ["n.id > ?"])
    cols = ", ".join(f"n.{c}" for c in NOTICE_COLUMNS)
    # Streamed: an export of the whole database must not hold it in memory.
    for row in db.conn.execute(f"select {cols} from notices n{clause} order by n.id limit ?", params + [after_id, limit]):
        rec = dict(zip(NOTICE_COLUMNS, row))
        rec["suppliers"] = [dict(r) for r in db.query(
            "select name, role, lot, amount, consortium from suppliers where notice_id = ? order by id", [rec["id"]])]
        rec["tags"] = [dict(r) for r in db.query(
            "select category, kind, term, strength, span_start, span_end, snippet, support, taxonomy_version"
            " from tags where notice_id = ? order by span_start", [rec["id"]])]
        rec["sources"] = [dict(r) for r in db.query("select name, url, retrieved_at from sources where sha256 = ?",
                                                    [rec["sha256"]])]
        rec["reviews"] = reviews(db, rec["id"])
        process = db.execute("select ocid, duplicate_of from process_notices where notice_id = ?", [rec["id"]]).fetchone()
        rec["ocid"], rec["duplicate_of"] = process or (None, None)
        rec["vendors"] = [dict(r) for r in db.query(
            "select vendor, kind, name, method, score from vendor_links where notice_id = ? order by id", [rec["id"]])]
        rec["facts"] = [dict(r) for r in db.query(
            "select field, value, lot, span_start, span_end, method, confidence, note from facts where notice_id = ?"
            " order by id", [rec["id"]])]
        yield rec


def reviews(db: sqlite_utils.Database, notice_id: int) -> list[dict]:
    """Every review of the notice's tags, oldest first (the audit trail)."""
    return [dict(r) for r in db.query(
        "select id, tag_id, category, term, verdict, note, reviewer, at from reviews where notice_id = ? order by id",
        [notice_id])]


def add_review(db: sqlite_utils.Database, tag_id: int, verdict: str, note: str, reviewer: str) -> dict:
    """Append one review of a tag. Raises ValueError for an unknown tag or verdict."""
    from .db import VERDICTS, now

    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
    tag = db.execute("select notice_id, category, term from tags where id = ?", [tag_id]).fetchone()
    if tag is None:
        raise ValueError(f"no tag {tag_id}")
    row = {"notice_id": tag[0], "tag_id": tag_id, "category": tag[1], "term": tag[2], "verdict": verdict,
           "note": note.strip() or None, "reviewer": reviewer, "at": now()}
    with db.conn:
        row["id"] = db.execute("insert into reviews (notice_id, tag_id, category, term, verdict, note, reviewer, at)"
                               " values (?,?,?,?,?,?,?,?)", list(row.values())).lastrowid
    return row

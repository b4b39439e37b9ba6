"""Read queries shared by the CLI, exports and (later) the web interface."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from ..extract.amounts import yuan
from ..extract.country import code_of as country_code
from ..extract.currency import MEASURES, day_of, table_version, why_not
from ..extract.currency import convert as currency_convert
from ..extract.currency import rate as currency_rate
from ..resolve.link import org_key
from . import fts

NOTICE_COLUMNS = ("id", "sha256", "type", "title", "buyer", "buyer_type", "agency", "province", "city", "county",
                  "region_code", "published", "year", "budget", "award_total", "amount_status", "categories",
                  "synthetic", "project_code", "method", "taxonomy_version", "code_version", "currency", "country")
BIG_RESULT = 2000
# The facts a search by confidence looks at: what a notice is, who bought, and where.
CONFIDENT_FIELDS = ("type", "buyer", "province", "city", "county")
CONFIDENT = 0.7  # the web's "strong methods only": label, table, heading, gazetteer, metadata, sentence (data/methods.yaml)
# A sort can walk its own index and stops after a page: with a frequent search term (采购 matches
# every notice) sorting all the hits first took over 300 ms at 100,000 notices (bench/run.py).
# Ties go by id, newest first, so that a page holds the same notices whichever plan reads it (the
# web's facet index orders the same way, store/facets.py).
SORTS = {"date": ("n.published desc, n.id desc", "idx_notices_published"),
         "amount": ("n.award_total_num desc, n.id desc", "idx_notices_award_total_num"),
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
    country: str | None = None  # the buyer's country: ISO 3166-1 alpha-2 code or a name (extract/country.py)


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
# In yuan only: an amount in another currency is never added to yuan (Measure converts it).
AWARD_VALUE = f"(case when n.award_total is not null and coalesce(n.currency, 'CNY') = 'CNY' and {VALUE_COUNTS} then n.award_total end)"
SUPPLIER_VALUE = f"(case when s.amount is not null and coalesce(s.currency, 'CNY') = 'CNY' and {VALUE_COUNTS} then s.amount end)"
# The same in any currency, with the currency (NULL in a database from before currencies: yuan) and the date.
AWARD_AMOUNT = (f"(case when n.award_total is not null and {VALUE_COUNTS} then n.award_total end),"
                " coalesce(n.currency, 'CNY'), n.published")
SUPPLIER_AMOUNT = (f"(case when s.amount is not null and {VALUE_COUNTS} then s.amount end),"
                   " coalesce(s.currency, 'CNY'), n.published")

# The latest review of each tag is its verdict; older rows stay as the audit trail.
LATEST_REVIEW = "r.id = (select max(r2.id) from reviews r2 where r2.tag_id = r.tag_id)"
# A notice's capabilities, each once; or only those whose tag a reviewer confirmed (its latest review).
CAPABILITIES = "(select distinct notice_id, category from tags where kind = 'capability')"
CONFIRMED_CAPABILITIES = ("(select distinct t.notice_id, t.category from tags t join reviews r on r.tag_id = t.id"
                          f" where t.kind = 'capability' and r.verdict = 'confirmed' and {LATEST_REVIEW})")


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
    if filters.country:
        where.append("n.country = ?")
        params.append(country_code(filters.country) or filters.country.upper())
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
    ids = [r[0] for r in db.execute(f"select n.id from notices n{indexed}{clause} order by {order} limit ? offset ?",
                                    params + [limit, offset])]
    return total, notices_of(db, ids, query if with_snippets else None)


def notices_of(db: sqlite_utils.Database, ids: list[int], query: str | None = None) -> list[dict]:
    """The rows of a page of search results, in the order of `ids`; with the hits of `query` in each
    notice's text and a snippet around the first."""
    cols = ", ".join(f"n.{c}" for c in NOTICE_COLUMNS)
    by_id = {r[0]: dict(zip(NOTICE_COLUMNS, r)) for r in db.execute(
        f"select {cols} from notices n where n.id in ({','.join('?' * len(ids))})", ids)}
    results = [by_id[i] for i in ids if i in by_id]
    copies = dict(db.execute(f"select notice_id, duplicate_of from process_notices where duplicate_of is not null and"
                             f" notice_id in ({','.join('?' * len(results))})", [r["id"] for r in results]).fetchall())
    for r in results:
        r["duplicate_of"] = copies.get(r["id"])
    if query and results:
        texts = dict(db.execute(
            f"select n.id, d.text from notices n join documents d on d.sha256 = n.sha256 where n.id in "
            f"({','.join('?' * len(results))})", [r["id"] for r in results]).fetchall())
        for r in results:
            text = texts.get(r["id"]) or ""
            spans = fts.highlight_spans(text, query)
            r["hits"] = spans
            r["snippet"] = _snippet(text, spans)
    return results


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


class Measure:
    """Sums in one currency (CNY, USD, EUR): an amount in another is converted at the ECB reference
    rate of its notice's date (extract/currency.py); one that cannot be is left out of the sums and
    counted, by currency, in `left_out`."""

    def __init__(self, currency: str = "CNY"):
        if currency not in MEASURES:
            raise ValueError(f"the measure's currency is one of {', '.join(MEASURES)}")
        self.currency = currency
        self.left_out: dict = defaultdict(lambda: [0, Decimal(0), ""])  # currency -> notices, amount, why
        self.converted = 0

    def __call__(self, amount: str | None, cur: str, published: str | None, count: bool = False) -> Decimal | None:
        if not amount:
            return None
        if cur == self.currency:
            return Decimal(amount)
        value = currency_convert(Decimal(amount), cur, self.currency, day_of(published))
        self.converted += value is not None
        if value is None and count:
            acc = self.left_out[cur]
            acc[0] += 1
            acc[1] += Decimal(amount)
            acc[2] = acc[2] or why_not(cur, self.currency, day_of(published))
        return value

    def summary(self) -> dict:
        return {"currency": self.currency, "rates": f"ECB reference rates of each amount's date ({table_version()})"
                if self.converted else None,
                "left_out": [{"currency": c, "notices": v[0], "amount": yuan(v[1]), "why": v[2]}
                             for c, v in sorted(self.left_out.items())]}


def stats(db: sqlite_utils.Database, top: int = 10, filters: Filters | None = None, query: str | None = None,
          confirmed_only: bool = False, currency: str = "CNY") -> dict:
    """Counts and summed award values (exact decimals) by category and year, by province; top parties.
    A notice republished on several portals counts once (its copies are left out), and a procurement's
    value counts once however many of its notices repeat it (VALUE_COUNTS).

    With filters or a query, over the notices a search finds (failed and OCR counts stay those of the
    whole database: such documents have no notice); `confirmed_only` counts a capability only where a
    reviewer confirmed its tag (the tag's latest review).

    Sums are in `currency` (Measure); each row also has its sums as published, by currency."""
    measure = Measure(currency)
    where, params = _where(filters or Filters(), query)
    scope = "".join(f" and {w}" for w in where)
    documents = "(select count(distinct n.sha256) from notices n where 1{scope})" if where else \
        "(select count(*) from documents)"
    totals = dict(zip(("notices", "synthetic", "awards", "documents", "failed", "needs_ocr", "republished"), db.execute(
        ("select (select count(*) from notices n where 1{scope}), (select count(*) from notices n where synthetic = 1{scope}),"
         " (select count(*) from notices n where type = 'award'{scope}), " + documents + ","
         " (select count(*) from documents where status = 'failed') + (select count(*) from ingest_errors),"
         " (select count(*) from documents where status in ('needs_ocr', 'partial_ocr')),"
         " (select count(*) from process_notices p join notices n on n.id = p.notice_id where p.duplicate_of is not null"
         "{scope})").format(scope=scope), params * 5).fetchone()))
    by_cat_year: dict = defaultdict(_acc)
    for cat, year, award, cur, published, synthetic in db.execute(
            f"select t.category, n.year, {AWARD_AMOUNT}, n.synthetic from notices n join"
            f" {CONFIRMED_CAPABILITIES if confirmed_only else CAPABILITIES} t on t.notice_id = n.id"
            f" where {NOT_A_COPY}{scope}", params):
        _add(by_cat_year[(cat, year)], award, cur, published, synthetic, measure)
    by_province: dict = defaultdict(_acc)
    for prov, code, award, cur, published, synthetic in db.execute(
            f"select coalesce(province, '(unknown)'), province_code, {AWARD_AMOUNT}, synthetic from notices n"
            f" where {NOT_A_COPY}{scope}", params):  # every notice once: what is left out is counted here
        _add(by_province[(prov, code)], award, cur, published, synthetic, measure, count=True)
    by_country: dict = defaultdict(_acc)
    for code, award, cur, published, synthetic in db.execute(
            f"select coalesce(country, '(unknown)'), {AWARD_AMOUNT}, synthetic from notices n where {NOT_A_COPY}{scope}",
            params):
        _add(by_country[code], award, cur, published, synthetic, measure)
    out = {
        "totals": totals,
        "by_country": [{"country": c, **_row(v)} for c, v in sorted(by_country.items(), key=lambda kv: -kv[1][0])],
        "by_category_year": [{"category": c, "year": y, **_row(v)}
                             for (c, y), v in sorted(by_cat_year.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))],
        "by_province": [{"province": p, "province_code": c, **_row(v)}
                        for (p, c), v in sorted(by_province.items(), key=lambda kv: -kv[1][0])],
    }
    # A party is its organization (resolve/link.py: case, accents and legal form folded), named as first written.
    out["top_buyers"] = _top(db, f"select coalesce({_ORG_OF_BUYER}, buyer), {AWARD_AMOUNT}, synthetic from notices n"
                                 f" where buyer is not null and {NOT_A_COPY}{scope}", top, params, measure)
    out["top_suppliers"] = _top(db, f"select coalesce({_ORG_OF_SUPPLIER}, s.name), {SUPPLIER_AMOUNT}, n.synthetic"
                                    f" from suppliers s join notices n on n.id = s.notice_id where s.role = 'winner'"
                                    f" and {NOT_A_COPY}{scope}", top, params, measure)
    out["measure"] = measure.summary()
    return out


_ORG_OF_BUYER = ("(select o.name from notice_parties p join organizations o on o.id = p.org_id"
                 " where p.notice_id = n.id and p.role = 'buyer' limit 1)")
_ORG_OF_SUPPLIER = ("(select o.name from notice_parties p join organizations o on o.id = p.org_id"
                    " where p.notice_id = s.notice_id and p.supplier_id = s.id limit 1)")


def _acc() -> list:
    return [0, Decimal(0), 0, defaultdict(Decimal)]  # notices, value in the measure, synthetic, by currency


def _add(acc: list, award: str | None, cur: str, published: str | None, synthetic: int, measure: Measure,
         count: bool = False) -> None:
    acc[0] += 1
    value = measure(award, cur, published, count)
    if value is not None:
        acc[1] += value
    if award:
        acc[3][cur] += Decimal(award)
    acc[2] += synthetic


def _row(acc: list) -> dict:
    """A row of sums: `award_value` in the measure's currency, `by_currency` as published."""
    return {"notices": acc[0], "award_value": yuan(acc[1]), "synthetic": acc[2],
            "by_currency": {c: yuan(v) for c, v in sorted(acc[3].items())}}


def _top(db, sql: str, top: int, params: list = (), measure: Measure | None = None) -> list[dict]:
    measure = measure or Measure()
    acc: dict = defaultdict(_acc)
    for name, award, cur, published, synthetic in db.execute(sql, params):
        _add(acc[name], award, cur, published, synthetic, measure)
    ranked = sorted(acc.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:top]
    return [{"name": k, **_row(v)} for k, v in ranked]


EXPORT_GROUP = 500  # notices whose related rows are read in one query each


def iter_export(db: sqlite_utils.Database, filters: Filters = Filters(), query: str | None = None,
                after_id: int = 0, limit: int = -1, currency: str = "CNY"):
    """Notices with their suppliers, tags, sources and reviews, one dict each, for CSV and JSONL exports,
    in id order from after_id (the web interface streams an export in such chunks); each with its award
    total in the measure's `currency` and the rate used (`measured`)."""
    if currency not in MEASURES:
        raise ValueError(f"the measure's currency is one of {', '.join(MEASURES)}")
    where, params = _where(filters, query)
    clause = " where " + " and ".join(where + ["n.id > ?"])
    cols = ", ".join(f"n.{c}" for c in NOTICE_COLUMNS)
    # Streamed: an export of the whole database must not hold it in memory. The related rows of a group
    # of notices are read together: a query a notice and table cost more than writing the rows.
    cursor = db.conn.execute(f"select {cols} from notices n{clause} order by n.id limit ?", params + [after_id, limit])
    while group := cursor.fetchmany(EXPORT_GROUP):
        recs = [dict(zip(NOTICE_COLUMNS, row)) for row in group]
        ids = [rec["id"] for rec in recs]
        related = {key: _rows_by(db, sql, ids) for key, sql in EXPORT_RELATED.items()}
        sources = _rows_by(db, "select sha256 as key, name, url, retrieved_at from sources where sha256 in ({ids})",
                           list({rec["sha256"] for rec in recs}))
        for rec in recs:
            nid = rec["id"]
            rec["suppliers"] = related["suppliers"].get(nid, [])
            rec["tags"] = related["tags"].get(nid, [])
            rec["sources"] = sources.get(rec["sha256"], [])
            rec["reviews"] = related["reviews"].get(nid, [])
            process = related["process"].get(nid)
            rec["ocid"], rec["duplicate_of"] = (process[0]["ocid"], process[0]["duplicate_of"]) if process else (None, None)
            rec["vendors"] = related["vendors"].get(nid, [])
            rec["facts"] = related["facts"].get(nid, [])
            rec["measure"] = measured(rec["award_total"], rec["currency"], rec["published"], currency)
            yield rec


def measured(amount: str | None, cur: str | None, published: str | None, currency: str) -> dict:
    """An award total in the measure's currency, with the ECB rate and the day of the rate used
    (value None: no amount, or no rate to be had)."""
    out = {"currency": currency, "award_total": None, "rate": None, "rate_date": None}
    if amount:
        r = currency_rate(cur or "CNY", currency, day_of(published))
        if r is not None:
            out.update(award_total=yuan((Decimal(amount) * r.value).quantize(Decimal("0.01"))), rate=f"{r.value:.6g}",
                       rate_date=r.on.isoformat())
    return out


# The rows of each notice that an export carries, by key; `key` is the notice's id, {ids} the group's.
EXPORT_RELATED = {
    "suppliers": "select notice_id as key, name, role, lot, amount, currency, consortium from suppliers"
                 " where notice_id in ({ids}) order by id",
    "tags": "select notice_id as key, category, kind, term, strength, span_start, span_end, snippet, support,"
            " taxonomy_version from tags where notice_id in ({ids}) order by notice_id, span_start, id",
    "reviews": "select notice_id as key, id, tag_id, category, term, verdict, note, reviewer, at from reviews"
               " where notice_id in ({ids}) order by id",
    "process": "select notice_id as key, ocid, duplicate_of from process_notices where notice_id in ({ids})",
    "vendors": "select notice_id as key, vendor, kind, name, method, score from vendor_links where notice_id in ({ids})"
               " order by id",
    "facts": "select notice_id as key, field, value, lot, span_start, span_end, method, confidence, note from facts"
             " where notice_id in ({ids}) order by id",
}


def _rows_by(db: sqlite_utils.Database, sql: str, keys: list) -> dict[object, list[dict]]:
    """The rows of `sql` grouped by their first column, `key`, which is left out of each row."""
    out: dict = defaultdict(list)
    if not keys:
        return out
    cursor = db.conn.execute(sql.format(ids=",".join("?" * len(keys))), keys)
    names = [d[0] for d in cursor.description][1:]
    for row in cursor:
        out[row[0]].append(dict(zip(names, row[1:])))
    return out


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


# A part of a search's notices as `stats` groups them, for citing the notices behind one figure:
# value None matches a missing value (`is`), as stats counts notices without a year or province.
PARTS = {
    "category": "n.id in (select notice_id from {capabilities} where category is ?)",
    "year": "n.year is ?",
    "province": "coalesce(n.province, '(unknown)') = ?",
    "province_code": "n.province_code is ?",
    "buyer": "n.buyer = ?",
    "supplier": "n.id in (select notice_id from suppliers where role = 'winner' and name = ?)",
    "vendor": "n.id in (select v.notice_id from vendor_links v join suppliers s on s.id = v.supplier_id"
              " where v.kind = 'supplier' and s.role = 'winner' and v.vendor = ?)",
    "brand": "n.id in (select notice_id from vendor_links where kind = 'brand' and vendor = ?)",
    "currency": "n.award_total is not null and coalesce(n.currency, 'CNY') = ?",
    "country": "coalesce(n.country, '(unknown)') = ?",
}
# Largest counted value first (a notice whose process's value counts elsewhere comes after), then newest.
BY_COUNTED_VALUE = (f"(case when n.award_total is not null and {VALUE_COUNTS} then n.award_total_num end) desc nulls last,"
                    " n.published desc, n.id")


def top_notices(db: sqlite_utils.Database, filters: Filters | None = None, query: str | None = None, limit: int = 3,
                confirmed_only: bool = False, **part) -> tuple[int, list[int]]:
    """How many notices (republished copies left out) of a search's part (PARTS: category, year,
    province, buyer…) `stats` counts, and the ids of the `limit` with the largest counted value."""
    where, params = _where(filters or Filters(), query)
    capabilities = CONFIRMED_CAPABILITIES if confirmed_only else CAPABILITIES
    for key, value in part.items():
        where.append(PARTS[key].format(capabilities=capabilities))
        params.append(value)
    clause = " and ".join([NOT_A_COPY, *where])
    rows = db.execute(f"select n.id, count(*) over () from notices n where {clause} order by {BY_COUNTED_VALUE} limit ?",
                      params + [limit]).fetchall()
    return (rows[0][1] if rows else 0), [r[0] for r in rows]


def scope_summary(db: sqlite_utils.Database, filters: Filters | None = None, query: str | None = None) -> dict:
    """What a search finds, for a report's scope: distinct buyers, winning suppliers and processes
    (republished copies left out), dates, amounts left in another currency, the versions its notices
    were read with, and the latest time recorded in its data (ingest, link, review)."""
    where, params = _where(filters or Filters(), query)
    scope = "".join(f" and {w}" for w in where)
    own = f"{NOT_A_COPY}{scope}"
    out = dict(zip(("buyers", "first_published", "last_published", "unlinked"), db.execute(
        f"select count(distinct n.buyer), min(n.published), max(n.published),"
        f" sum(n.id not in (select notice_id from process_notices)) from notices n where {own}", params).fetchone()))
    out["unlinked"] = out["unlinked"] or 0
    out["suppliers"] = db.execute(f"select count(distinct s.name) from suppliers s join notices n on n.id = s.notice_id"
                                  f" where s.role = 'winner' and {own}", params).fetchone()[0]
    out["processes"] = db.execute(f"select count(distinct p.ocid) from process_notices p join notices n on"
                                  f" n.id = p.notice_id where {own}", params).fetchone()[0]
    out["other_currency"] = dict(db.execute(
        f"select substr(n.amount_status, 10), count(*) from notices n where n.amount_status like 'currency:%' and {own}"
        " group by 1 order by 1", params).fetchall())
    out["versions"] = {col: [r[0] for r in db.execute(f"select distinct n.{col} from notices n where 1{scope}"
                                                       f" order by 1", params)]
                       for col in ("taxonomy_version", "labels_version", "code_version")}
    out["data_as_of"] = max(filter(None, db.execute(
        f"select (select max(d.ingested_at) from documents d join notices n on n.sha256 = d.sha256 where 1{scope}),"
        f" (select max(r.at) from reviews r join notices n on n.id = r.notice_id where 1{scope}),"
        " (select value from meta where key = 'linked_at')", params * 2).fetchone()), default=None)
    return out


def iter_scope(db: sqlite_utils.Database, filters: Filters | None = None, query: str | None = None):
    """Every notice of a search, one tuple each in id order, with the value the sums count for it in its
    currency (None for a republished copy or when its process's value counts in another notice)."""
    where, params = _where(filters or Filters(), query)
    scope = "".join(f" and {w}" for w in where)
    yield ("id", "sha256", "synthetic", "type", "published", "year", "buyer", "province", "province_code", "categories",
           "award_total", "counted_value", "currency", "ocid", "duplicate_of")
    # Streamed: a scope of the whole database must not be held in memory.
    yield from db.conn.execute(
        "select n.id, n.sha256, n.synthetic, n.type, n.published, n.year, n.buyer, n.province, n.province_code,"
        f" n.categories, n.award_total, case when p.duplicate_of is null and n.award_total is not null and {VALUE_COUNTS}"
        " then n.award_total end, coalesce(n.currency, 'CNY'), p.ocid, p.duplicate_of"
        f" from notices n left join process_notices p on p.notice_id = n.id where 1{scope} order by n.id", params)


def review_counts(db: sqlite_utils.Database, filters: Filters | None = None, query: str | None = None) -> dict:
    """A search's capability tags by their verdict (the latest review; None: not reviewed)."""
    where, params = _where(filters or Filters(), query)
    scope = "".join(f" and {w}" for w in where)
    return dict(db.execute(
        "select (select r.verdict from reviews r where r.tag_id = t.id order by r.id desc limit 1) v, count(*)"
        f" from tags t join notices n on n.id = t.notice_id where t.kind = 'capability'{scope} group by v order by v",
        params).fetchall())

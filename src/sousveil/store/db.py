"""The SQLite store (WAL), created and written through sqlite-utils. Schema: docs/schema.md."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import sqlite_utils

from .. import __version__
from ..classify.classify import categories_of
from ..extract import currency
from ..extract.amounts import yuan
from ..resolve import duplicates
from . import fts

SCHEMA_VERSION = 1

TABLES = {
    "documents": {
        "sha256": str, "media_type": str, "encoding": str, "bytes": int, "pages": int, "ocr_pages": str,
        "status": str, "error": str, "synthetic": int, "text": str, "redactions": str, "ingested_at": str,
        "code_version": str,
    },
    "sources": {
        "id": int, "sha256": str, "name": str, "url": str, "retrieved_at": str, "first_seen": str,
    },
    "notices": {
        "id": int, "sha256": str, "type": str, "heading": str, "title": str, "project_code": str, "method": str,
        "buyer": str, "buyer_type": str, "agency": str, "province": str, "province_code": str, "city": str,
        "city_code": str, "county": str, "county_code": str, "region_code": str, "published": str, "year": int,
        "budget": str, "award_total": str, "award_total_num": float, "amount_status": str, "categories": str,
        "synthetic": int, "taxonomy_version": str, "labels_version": str, "code_version": str,
        "currency": str,  # ISO 4217 of budget and award_total (award_total_num is in yuan); NULL: CNY
        "country": str,  # ISO 3166-1 alpha-2 of the buyer's country
    },
    "facts": {
        "id": int, "notice_id": int, "field": str, "value": str, "lot": str, "span_start": int, "span_end": int,
        "origin": str, "note": str, "method": str, "confidence": float,
    },
    "suppliers": {
        "id": int, "notice_id": int, "name": str, "role": str, "lot": str, "amount": str, "span_start": int,
        "span_end": int, "amount_start": int, "amount_end": int, "consortium": int, "currency": str,
    },
    "items": {
        "id": int, "notice_id": int, "lot": str, "name": str, "brand": str, "model": str, "quantity": str,
        "unit": str, "unit_price": str, "span_start": int, "span_end": int, "currency": str,
    },
    "tags": {
        "id": int, "notice_id": int, "category": str, "kind": str, "term": str, "strength": str,
        "span_start": int, "span_end": int, "snippet": str, "support": str, "needs_review": int, "count": int,
        "taxonomy_version": str,
    },
    "ingest_errors": {"id": int, "name": str, "reason": str, "at": str},
    # Append-only (triggers below): a changed verdict is a new row, so the audit trail stays whole.
    "reviews": {
        "id": int, "notice_id": int, "tag_id": int, "category": str, "term": str, "verdict": str, "note": str,
        "reviewer": str, "at": str,
    },
    # Written by `sousveil link` (resolve/link.py): who is who, and which notices are one procurement.
    "organizations": {
        "id": int, "key": str, "name": str, "kind": str, "vendor": str, "vendor_method": str, "vendor_score": float,
        "vendor_matched": str, "branch": int,
    },
    "notice_parties": {"id": int, "notice_id": int, "org_id": int, "role": str, "lot": str, "supplier_id": int},
    "vendor_links": {
        "id": int, "notice_id": int, "vendor": str, "kind": str, "name": str, "supplier_id": int, "item_id": int,
        "method": str, "score": float, "matched": str, "branch": int, "registry_version": str,
    },
    "processes": {
        "ocid": str, "buyer_org_id": int, "project_code": str, "code_key": str, "title": str, "title_key": str,
        "link_method": str, "first_published": str, "last_published": str,
    },
    "process_notices": {"notice_id": int, "ocid": str, "duplicate_of": int, "similarity": float},
    "minhashes": {"notice_id": int, "signature": bytes},
    "minhash_bands": {"id": int, "band": int, "hash": int, "notice_id": int},
    # Only with `ingest --keep-originals`: the bytes hold the personal data the text has had redacted.
    "originals": {"sha256": str, "data": bytes},
    "meta": {"key": str, "value": str},
    # Pages read by OCR (sousveil.ocr): their size in pixels of the image read, and each recognised line's
    # span in documents.text with its box on that image and the engine's confidence. blackout: the parts
    # of a box (JSON [[x0, x1], …]) that redaction removed, blacked out on any image shown.
    "scanned_pages": {
        "id": int, "sha256": str, "page": int, "width": int, "height": int, "dpi": int, "skew": float,
        "seconds": float, "engine": str, "image_sha256": str,
    },
    "ocr_lines": {
        "id": int, "sha256": str, "page": int, "span_start": int, "span_end": int, "x0": float, "y0": float,
        "x1": float, "y1": float, "confidence": float, "blackout": str,
    },
}
PKS = {"documents": "sha256", "meta": "key", "originals": "sha256", "processes": "ocid", "process_notices": "notice_id",
       "minhashes": "notice_id"}
VERDICTS = ("confirmed", "false_positive", "unsure")
FOREIGN = {
    "sources": [("sha256", "documents", "sha256")],
    "notices": [("sha256", "documents", "sha256")],
    "facts": [("notice_id", "notices", "id")],
    "suppliers": [("notice_id", "notices", "id")],
    "items": [("notice_id", "notices", "id")],
    "tags": [("notice_id", "notices", "id")],
    "reviews": [("notice_id", "notices", "id"), ("tag_id", "tags", "id")],
    "originals": [("sha256", "documents", "sha256")],
    "notice_parties": [("notice_id", "notices", "id"), ("org_id", "organizations", "id")],
    "vendor_links": [("notice_id", "notices", "id")],
    "process_notices": [("notice_id", "notices", "id"), ("ocid", "processes", "ocid")],
    "minhashes": [("notice_id", "notices", "id")],
    "minhash_bands": [("notice_id", "notices", "id")],
    "scanned_pages": [("sha256", "documents", "sha256")],
    "ocr_lines": [("sha256", "documents", "sha256")],
}
INDEXES = [
    ("sources", ["sha256", "name"], True),
    ("notices", ["sha256"], True),
    ("notices", ["type"], False), ("notices", ["province_code"], False), ("notices", ["buyer_type"], False),
    ("notices", ["year"], False), ("notices", ["published"], False), ("notices", ["buyer"], False),
    ("notices", ["project_code"], False), ("notices", ["country"], False), ("notices", ["synthetic"], False), ("notices", ["award_total_num"], False),
    ("facts", ["notice_id"], False), ("suppliers", ["notice_id"], False), ("suppliers", ["name"], False),
    ("items", ["notice_id"], False), ("tags", ["notice_id"], False), ("tags", ["category", "notice_id"], False),
    ("reviews", ["tag_id", "id"], False), ("reviews", ["notice_id"], False),
    ("organizations", ["key"], True), ("organizations", ["vendor"], False),
    ("notice_parties", ["notice_id"], False), ("notice_parties", ["org_id", "role"], False),
    ("vendor_links", ["notice_id"], False), ("vendor_links", ["vendor", "kind"], False),
    ("processes", ["buyer_org_id", "code_key"], False), ("processes", ["buyer_org_id", "title_key"], False),
    ("process_notices", ["ocid"], False), ("process_notices", ["duplicate_of"], False),
    ("minhash_bands", ["band", "hash"], False), ("minhash_bands", ["notice_id"], False),
    ("scanned_pages", ["sha256", "page"], True), ("ocr_lines", ["sha256", "span_start"], False),
]


class StoreError(Exception):
    pass


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# 64 MB of page cache (SQLite's default is 2 MB): at 100,000 notices the indexes written on every
# insert no longer fit in 2 MB, nor the full-text index a server's searches read (a third faster).
# Bounded, so memory still does not grow with the corpus.
PAGE_CACHE = "PRAGMA cache_size=-65536"


def open_db(path, create: bool = True) -> sqlite_utils.Database:
    """Open (and create, when asked) a sousveil database; refuse a file that is not one."""
    from pathlib import Path

    if not create and not Path(path).exists():
        raise StoreError(f"{path}: no such database (create it with `sousveil ingest PATH --db {path}`)")
    db = sqlite_utils.Database(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
    except Exception as e:  # sqlite3.DatabaseError: file is not a database
        raise StoreError(f"{path}: not an SQLite database ({e})") from e
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(PAGE_CACHE)
    db.execute("PRAGMA foreign_keys=ON")
    existing = set(db.table_names())
    if "meta" in existing:
        row = db.execute("select value from meta where key='schema_version'").fetchone()
        if row and int(row[0]) != SCHEMA_VERSION:
            raise StoreError(f"{path}: schema version {row[0]}, this sousveil reads version {SCHEMA_VERSION}")
    elif existing and "documents" not in existing:
        raise StoreError(f"{path}: an SQLite database, but not a sousveil one")
    if create and not set(TABLES) <= existing:
        create_schema(db)  # a new database, or one from before a table was added
    elif "meta" not in existing:
        raise StoreError(f"{path}: not a sousveil database")
    _add_new_columns(db)
    return db


def _add_new_columns(db: sqlite_utils.Database) -> None:
    """A database from before a column was added (facts.method, facts.confidence) gets it, empty:
    its notices keep what they had, and a re-ingest of a document fills it."""
    for name, columns in TABLES.items():
        if not db[name].exists():
            continue
        have = set(db[name].columns_dict)
        for col, kind in columns.items():
            if col not in have:
                db[name].add_column(col, kind)


def create_schema(db: sqlite_utils.Database) -> None:
    with db.conn:
        # One transaction (sqlite-utils commits each table it creates otherwise): a run killed while
        # creating the schema leaves none of it, not tables without their indexes and full-text table
        # that the next open would take for a complete database.
        if not db.conn.in_transaction:
            db.execute("BEGIN")
        for name, columns in TABLES.items():
            db[name].create(columns, pk=PKS.get(name, "id"), foreign_keys=FOREIGN.get(name), if_not_exists=True)
        for table, cols, unique in INDEXES:
            db[table].create_index(cols, unique=unique, if_not_exists=True)
        # Contentless: the text lives in documents.text; rowid = notices.id.
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS notice_fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 0')")
        for action in ("update", "delete"):
            db.execute(f"CREATE TRIGGER IF NOT EXISTS reviews_no_{action} BEFORE {action.upper()} ON reviews"
                       " BEGIN SELECT raise(abort, 'reviews are append-only'); END")
        db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")


def document_status(db: sqlite_utils.Database, sha256: str) -> str | None:
    row = db.execute("select status from documents where sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None


def _source_row(sha256: str, source, stamp: str) -> tuple:
    return (sha256, source.name, source.url, source.retrieved_at, stamp)


def add_source(db: sqlite_utils.Database, sha256: str, source) -> bool:
    """Record where a document came from; False when this exact source is known already."""
    return db.conn.execute(_INSERTS["sources"], _source_row(sha256, source, now())).rowcount > 0


def delete_document(db: sqlite_utils.Database, sha256: str) -> None:
    """Remove a document and everything derived from it (used to retry a failed one)."""
    for (notice_id,) in db.execute("select id from notices where sha256 = ?", [sha256]).fetchall():
        text = db.execute("select text from documents where sha256 = ?", [sha256]).fetchone()[0] or ""
        db.execute("insert into notice_fts(notice_fts, rowid, body) values('delete', ?, ?)", [notice_id, fts.index_text(text)])
        for table in ("facts", "suppliers", "items", "tags"):
            db.execute(f"delete from {table} where notice_id = ?", [notice_id])
        db.execute("delete from notices where id = ?", [notice_id])
    db.execute("delete from sources where sha256 = ?", [sha256])
    db.execute("delete from originals where sha256 = ?", [sha256])
    db.execute("delete from ocr_lines where sha256 = ?", [sha256])
    db.execute("delete from scanned_pages where sha256 = ?", [sha256])
    db.execute("delete from documents where sha256 = ?", [sha256])


_INSERTS = {
    "documents": "insert into documents (sha256, media_type, encoding, bytes, pages, ocr_pages, status, error, synthetic,"
                 " text, redactions, ingested_at, code_version) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "sources": "insert or ignore into sources (sha256, name, url, retrieved_at, first_seen) values (?, ?, ?, ?, ?)",
    "originals": "insert or replace into originals (sha256, data) values (?, ?)",
    "notices": "insert into notices (id, sha256, type, heading, title, project_code, method, buyer, buyer_type, agency,"
               " province, province_code, city, city_code, county, county_code, region_code, published, year, budget,"
               " award_total, award_total_num, amount_status, categories, synthetic, taxonomy_version, labels_version,"
               " code_version, currency, country) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "facts": "insert into facts (notice_id, field, value, lot, span_start, span_end, origin, note, method, confidence)"
             " values (?,?,?,?,?,?,?,?,?,?)",
    "suppliers": "insert into suppliers (notice_id, name, role, lot, amount, span_start, span_end, amount_start,"
                 " amount_end, consortium, currency) values (?,?,?,?,?,?,?,?,?,?,?)",
    "items": "insert into items (notice_id, lot, name, brand, model, quantity, unit, unit_price, span_start, span_end,"
             " currency) values (?,?,?,?,?,?,?,?,?,?,?)",
    "tags": "insert into tags (notice_id, category, kind, term, strength, span_start, span_end, snippet, support,"
            " needs_review, count, taxonomy_version) values (?,?,?,?,?,?,?,?,?,?,?,?)",
    "notice_fts": "insert into notice_fts(rowid, body) values (?, ?)",
    "minhashes": duplicates.INSERT_SIGNATURE,
    "minhash_bands": duplicates.INSERT_BANDS,
    "scanned_pages": "insert into scanned_pages (sha256, page, width, height, dpi, skew, seconds, engine, image_sha256)"
                     " values (?,?,?,?,?,?,?,?,?)",
    "ocr_lines": "insert into ocr_lines (sha256, page, span_start, span_end, x0, y0, x1, y1, confidence, blackout)"
                 " values (?,?,?,?,?,?,?,?,?,?)",
}


def write_records(db: sqlite_utils.Database, records, versions: dict) -> None:
    """Insert processed documents (pipeline.Records): one statement per table for the whole batch,
    since a statement a row cost more than the rows. The caller holds the transaction, so the ids
    given to the new notices (after the largest stored) cannot be taken by another writer."""
    rows = {table: [] for table in _INSERTS}
    stamp = now()
    nid = db.execute("select coalesce(max(id), 0) from notices").fetchone()[0]
    for rec in records:
        counts = Counter(r.kind for r in rec.redactions)
        conv = rec.converted
        rows["documents"].append(
            (rec.sha256, conv.media_type if conv else None, conv.encoding if conv else None, rec.size,
             conv.pages if conv else None, json.dumps(conv.ocr_pages) if conv and conv.ocr_pages else None,
             rec.status, rec.error, int(rec.synthetic), rec.text, json.dumps(dict(counts)) if counts else None,
             stamp, __version__))
        rows["sources"].append(_source_row(rec.sha256, rec.source, stamp))
        if rec.original is not None:
            rows["originals"].append((rec.sha256, rec.original))
        rows["scanned_pages"] += [(rec.sha256, p.page, p.width, p.height, p.dpi, round(p.skew, 2), round(p.seconds, 3),
                                   p.engine, p.image_sha256) for p in (conv.ocr if conv else [])]
        rows["ocr_lines"] += [(rec.sha256, o.page, o.start, o.end, round(o.x0, 1), round(o.y0, 1), round(o.x1, 1),
                               round(o.y1, 1), round(o.confidence, 4),
                               json.dumps([[round(a, 1), round(b, 1)] for a, b in o.blackout]) if o.blackout else None)
                              for o in rec.ocr_lines]
        n = rec.notice
        if n is None:
            continue
        nid += 1
        r = n.region
        rows["notices"].append(
            (nid, rec.sha256, n.type, n.heading, n.title, n.project_code, n.method, n.buyer, n.buyer_type, n.agency,
             r.province, r.province_code, r.city, r.city_code, r.county, r.county_code, r.code, n.published,
             int(n.published[:4]) if n.published else None, yuan(n.budget), yuan(n.award_total),
             _in_yuan(n), n.amount_status, " ".join(categories_of(n.tags)) or None, int(rec.synthetic),
             versions["taxonomy"], versions["labels"], __version__,
             # A Chinese notice's amounts are yuan; an imported one names its currency.
             n.currency or ("CNY" if n.budget is not None or n.award_total is not None else None), n.country))
        rows["facts"] += [(nid, f.field, f.value, f.lot, f.start, f.end, f.origin, f.note, f.method, f.confidence)
                          for f in n.facts]
        rows["suppliers"] += [(nid, s.name, s.role, s.lot, yuan(s.amount), s.start, s.end, s.amount_start,
                               s.amount_end, int(s.joint), s.currency or ("CNY" if s.amount is not None else None))
                              for s in n.suppliers]
        rows["items"] += [(nid, i.lot, i.name, i.brand, i.model, yuan(i.quantity), i.unit, yuan(i.unit_price), i.start,
                           i.end, i.currency or ("CNY" if i.unit_price is not None else None)) for i in n.items]
        rows["tags"] += [(nid, t.category, t.kind, t.term, t.strength, t.start, t.end, t.snippet, t.support,
                          int(t.needs_review), t.count, versions["taxonomy"]) for t in n.tags]
        rows["notice_fts"].append((nid, rec.index_text))
        if rec.signature:
            rows["minhashes"].append((nid, rec.signature))
            rows["minhash_bands"] += duplicates.band_rows(nid, rec.signature, duplicates.facts_key(
                {"type": n.type, "published_day": (n.published or "")[:10], "award_total": yuan(n.award_total),
                 "budget": yuan(n.budget)}))
    for table, sql in _INSERTS.items():  # parents before children: the foreign keys are checked
        if rows[table]:
            db.conn.executemany(sql, rows[table])


def _in_yuan(n) -> float | None:
    """The award total in yuan, to sort by amount across currencies: converted at the ECB rate of its
    date (the notice's exchange_rate fact) when it is in another currency, else None."""
    if n.award_total is None:
        return None
    if (n.currency or "CNY") == "CNY":
        return float(n.award_total)
    value = currency.convert(n.award_total, n.currency, "CNY", currency.day_of(n.published))
    return float(value) if value is not None else None


def record_error(db: sqlite_utils.Database, name: str, reason: str) -> None:
    db.execute("insert into ingest_errors (name, reason, at) values (?,?,?)", [name, reason, now()])

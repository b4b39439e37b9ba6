"""`sousveil link`: organizations, vendor links, procurement processes and republished duplicates.

Runs over the notices stored since the last run (it is called at the end of every ingest), in
transactions of whole chunks, so an interrupted run resumes without duplicates:

- every buyer, agency and supplier becomes an organization, deduplicated by its normalized
  name, so that every notice of one police bureau is one query (`notice_parties`);
- supplier names and the brands of item tables are resolved to the vendor registry, with the
  method and score as evidence (`vendor_links`); a new registry version re-resolves everything;
- notices of one procurement (tender, corrections, award, cancellation, contract) are linked into
  a process with a stable OCDS `ocid`: by project code and buyer, else by a similar title of the
  same buyer within a year (`processes`, `process_notices`);
- a notice republished on another portal is found by MinHash and marked `duplicate_of` the
  first copy, in the same process; every source is kept.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from ..store.db import now, record_error
from ..text import fold
from . import duplicates
from .names import normalize, strip_legal_form
from .vendors import registry

DEFAULT_OCID_PREFIX = "ocds-sousveil"  # not a registered prefix: set your own with --ocid-prefix
TITLE_MIN = 90  # rapidfuzz ratio of two titles of one procurement
TITLE_DAYS = 366
CHUNK = 500


@dataclass
class LinkSummary:
    notices: int = 0
    organizations: int = 0
    vendor_links: int = 0
    processes: int = 0
    duplicates: int = 0
    failed: int = 0
    seconds: float = 0.0

    def add(self, other: "LinkSummary") -> "LinkSummary":
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


@functools.lru_cache(maxsize=4096)  # buyers and agencies recur; bounded, like names.parse
def org_key(name: str) -> str:
    """One organization however its name is written: case, accents, spaces, punctuation and its legal
    form aside; a character its publisher's encoding lost is written `?` (LOST)."""
    return strip_legal_form(normalize(name)).replace("\ufffd", LOST)


LOST = "?"


def _meta(db, key: str, value: str | None = None) -> str | None:
    if value is not None:
        db.execute("insert or replace into meta (key, value) values (?, ?)", [key, value])
        return value
    row = db.execute("select value from meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def _days(a: str | None, b: str | None) -> int:
    """Days between two ISO dates; 0 when either is unknown or unreadable (the title decides)."""
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except (TypeError, ValueError):
        return 0


class Linker:
    """Looks organizations and processes up in the database (indexed), not in memory: linking
    100,000 notices must not hold 100,000 of anything."""

    def __init__(self, db, prefix: str):
        self.db = db
        self.prefix = prefix
        self.registry = registry()
        self.summary = LinkSummary()

    def organization(self, name: str, kind: str) -> int:
        key = org_key(name)
        row = self.db.execute("select id from organizations where key = ?", [key]).fetchone()
        if row is None and LOST in key:  # a character a publisher's encoding lost (M?XICO) matches any one
            row = self.db.execute("select id from organizations where key like ? and kind = ? order by id",
                                  [key.replace(LOST, "_"), kind]).fetchone()
        if row:
            return row[0]
        match = self.registry.resolve(name) if kind == "company" else None
        cur = self.db.execute(
            "insert into organizations (key, name, kind, vendor, vendor_method, vendor_score, vendor_matched, branch)"
            " values (?,?,?,?,?,?,?,?)",
            [key, name, kind, match and match.vendor, match and match.method, match and match.score,
             match and match.matched, int(bool(match and match.branch))])
        self.summary.organizations += 1
        return cur.lastrowid

    def notice(self, n: dict) -> None:
        db = self.db
        nid = n["id"]
        buyer = self.organization(n["buyer"], "public_body") if n["buyer"] else None
        parties = [(buyer, "buyer", None, None)] if buyer else []
        if n["agency"]:
            parties.append((self.organization(n["agency"], "agency"), "agency", None, None))
        for sid, name, role, lot in db.execute("select id, name, role, lot from suppliers where notice_id = ?", [nid]):
            parties.append((self.organization(name, "company"), role, lot, sid))
        db.conn.executemany("insert into notice_parties (notice_id, org_id, role, lot, supplier_id) values (?,?,?,?,?)",
                            [(nid, org, role, lot, sid) for org, role, lot, sid in parties])
        self.vendor_links(nid)
        self.process(n, buyer)

    def vendor_links(self, nid: int) -> None:
        rows = []
        for sid, name in self.db.execute("select id, name from suppliers where notice_id = ?", [nid]):
            m = self.registry.resolve(name)
            if m:
                rows.append((nid, m.vendor, "supplier", name, sid, None, m.method, m.score, m.matched, int(m.branch)))
        for iid, brand in self.db.execute("select id, brand from items where notice_id = ? and brand is not null", [nid]):
            m = self.registry.resolve_brand(brand)
            if m:
                rows.append((nid, m.vendor, "brand", brand, None, iid, m.method, m.score, m.matched, 0))
        self.db.conn.executemany(
            "insert into vendor_links (notice_id, vendor, kind, name, supplier_id, item_id, method, score, matched, branch,"
            " registry_version) values (?,?,?,?,?,?,?,?,?,?,?)", [r + (self.registry.version,) for r in rows])
        self.summary.vendor_links += len(rows)

    def process(self, n: dict, buyer: int | None) -> None:
        db = self.db
        original, similarity = self.republished(n)
        if original is not None:
            ocid = db.execute("select ocid from process_notices where notice_id = ?", [original]).fetchone()[0]
            self.summary.duplicates += 1
        else:
            ocid = self.find_process(n, buyer)
        db.execute("insert or replace into process_notices (notice_id, ocid, duplicate_of, similarity) values (?,?,?,?)",
                   [n["id"], ocid, original, similarity])
        db.execute("update processes set first_published = min(coalesce(first_published, :d), coalesce(:d, first_published)),"
                   " last_published = max(coalesce(last_published, :d), coalesce(:d, last_published)) where ocid = :o",
                   {"d": n["published"], "o": ocid})

    def republished(self, n: dict) -> tuple[int | None, float | None]:
        """The first linked copy of this notice, if it is one: similar text and the same facts."""
        facts = duplicates.facts_key(dict(n, published_day=(n["published"] or "")[:10]))
        row = self.db.execute("select signature from minhashes where notice_id = ?", [n["id"]]).fetchone()
        if row is None:  # stored by a version that did not sign notices at ingest
            text = self.db.execute("select text from documents where sha256 = ?", [n["sha256"]]).fetchone()[0] or ""
            row = (duplicates.signature(fold(text)),)
            duplicates.store(self.db, n["id"], row[0], facts)
        for other, similarity in duplicates.similar(self.db, row[0], facts):
            fact = self.db.execute("select n.type, n.published, n.award_total, n.budget, coalesce(p.duplicate_of, n.id)"
                                   " from notices n join process_notices p on p.notice_id = n.id where n.id = ?",
                                   [other]).fetchone()  # only notices linked before this one
            if other != n["id"] and fact and fact[0] == n["type"] and (fact[1] or "")[:10] == (n["published"] or "")[:10] \
                    and fact[2] == n["award_total"] and fact[3] == n["budget"]:
                return fact[4], round(similarity, 3)
        return None, None

    def find_process(self, n: dict, buyer: int | None) -> str:
        db = self.db
        published = db.execute("select value from facts where notice_id = ? and field = 'ocid'", [n["id"]]).fetchone()
        code = normalize(n["project_code"]) if n["project_code"] else None
        title = normalize(n["title"] or n["heading"] or "")
        if published:  # an OCDS release: its publisher's ocid is its process
            return self.new_process(published[0], buyer, n, code, title, "ocds")
        if code:
            row = db.execute("select ocid from processes where buyer_org_id is ? and code_key = ?", [buyer, code]).fetchone()
            if row:
                return row[0]
        if buyer and title:
            for ocid, other_title, last in db.execute(
                    "select ocid, title_key, last_published from processes where buyer_org_id = ?", [buyer]):
                if other_title and fuzz.ratio(title, other_title) >= TITLE_MIN and _days(last, n["published"]) <= TITLE_DAYS:
                    if code:
                        db.execute("update processes set project_code = coalesce(project_code, ?),"
                                   " code_key = coalesce(code_key, ?) where ocid = ?", [n["project_code"], code, ocid])
                    return ocid
        buyer_key = db.execute("select key from organizations where id = ?", [buyer]).fetchone()[0] if buyer else ""
        basis = f"{buyer_key}|{code}" if code else f"{buyer_key}|{title}|{n['sha256']}"
        ocid = f"{self.prefix}-{hashlib.sha1(basis.encode('utf-8')).hexdigest()[:16]}"
        return self.new_process(ocid, buyer, n, code, title, "project_code" if code else "title")

    def new_process(self, ocid, buyer, n, code, title, method) -> str:
        cur = self.db.execute(
            "insert or ignore into processes (ocid, buyer_org_id, project_code, code_key, title, title_key, link_method,"
            " first_published, last_published) values (?,?,?,?,?,?,?,?,?)",
            [ocid, buyer, n["project_code"], code, n["title"] or n["heading"], title, method, n["published"],
             n["published"]])
        self.summary.processes += cur.rowcount
        return ocid


COLUMNS = ("id", "sha256", "type", "title", "heading", "project_code", "buyer", "agency", "published", "award_total",
           "budget")


def link(db, ocid_prefix: str | None = None, progress: bool = False) -> LinkSummary:
    """Link the notices stored since the last run (all of them after a registry or prefix change)."""
    started = time.perf_counter()
    stored_prefix = _meta(db, "ocid_prefix")
    prefix = ocid_prefix or stored_prefix or DEFAULT_OCID_PREFIX
    version = registry().version
    with db.conn:
        if stored_prefix != prefix or _meta(db, "vendor_registry_version") != version:
            # Everything derived is rebuilt: ocids carry the prefix, vendor columns the registry.
            for table in ("process_notices", "processes", "notice_parties", "vendor_links", "organizations"):
                db.execute(f"delete from {table}")
            _meta(db, "linked_through", "0")
            _meta(db, "ocid_prefix", prefix)
            _meta(db, "vendor_registry_version", version)
    linker = Linker(db, prefix)
    done = int(_meta(db, "linked_through") or 0)
    total = db.execute("select count(*) from notices where id > ?", [done]).fetchone()[0]
    cols = ", ".join(f"n.{c}" for c in COLUMNS)
    from rich.progress import Progress

    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("link", total=total)
        while True:
            rows = db.execute(f"select {cols} from notices n where n.id > ? order by n.id limit ?", [done, CHUNK]).fetchall()
            if not rows:
                break
            with db.conn:  # one transaction a chunk: a killed run leaves whole chunks only
                if not db.conn.in_transaction:
                    db.execute("begin")
                for row in rows:
                    # A savepoint a notice: one that cannot be linked leaves nothing half-written and
                    # does not stop the others; it is recorded in ingest_errors.
                    db.execute("savepoint link_notice")
                    try:
                        linker.notice(dict(zip(COLUMNS, row)))
                    except Exception as e:
                        db.execute("rollback to link_notice")
                        record_error(db, f"notice {row[0]}", f"not linked: {type(e).__name__}: {e}")
                        linker.summary.failed += 1
                    db.execute("release link_notice")
                done = rows[-1][0]
                _meta(db, "linked_through", str(done))
                _meta(db, "linked_at", now())
            linker.summary.notices += len(rows)
            bar.advance(task, len(rows))
    linker.summary.seconds = time.perf_counter() - started
    return linker.summary

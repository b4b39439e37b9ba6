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

import hashlib
import time
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from ..store.db import now
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
    seconds: float = 0.0


def org_key(name: str) -> str:
    return strip_legal_form(normalize(name))


def _meta(db, key: str, value: str | None = None) -> str | None:
    if value is not None:
        db.execute("insert or replace into meta (key, value) values (?, ?)", [key, value])
        return value
    row = db.execute("select value from meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def _days(a: str | None, b: str | None) -> int:
    if not a or not b:
        return 0
    return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)


class Linker:
    def __init__(self, db, prefix: str):
        self.db = db
        self.prefix = prefix
        self.registry = registry()
        self.orgs = dict(db.execute("select key, id from organizations").fetchall())
        self.keys = {v: k for k, v in self.orgs.items()}
        self.by_code = {}  # (buyer org id, code key) -> ocid
        self.by_buyer: dict = {}  # buyer org id -> [(ocid, title key, last published)]
        for ocid, buyer, code, title, last in db.execute(
                "select ocid, buyer_org_id, project_code, title, last_published from processes"):
            if code:
                self.by_code[(buyer, normalize(code))] = ocid
            self.by_buyer.setdefault(buyer, []).append([ocid, normalize(title or ""), last])
        self.similar = duplicates.Index()
        for nid, sig in db.execute("select m.notice_id, m.signature from minhashes m"
                                   " join process_notices p on p.notice_id = m.notice_id"):
            self.similar.add(nid, sig)
        self.summary = LinkSummary()

    def organization(self, name: str, kind: str) -> int:
        key = org_key(name)
        if key not in self.orgs:
            match = self.registry.resolve(name) if kind == "company" else None
            cur = self.db.execute(
                "insert into organizations (key, name, kind, vendor, vendor_method, vendor_score, vendor_matched, branch)"
                " values (?,?,?,?,?,?,?,?)",
                [key, name, kind, match and match.vendor, match and match.method, match and match.score,
                 match and match.matched, int(bool(match and match.branch))])
            self.orgs[key] = cur.lastrowid
            self.keys[cur.lastrowid] = key
            self.summary.organizations += 1
        return self.orgs[key]

    def notice(self, n: dict, text: str) -> None:
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
        self.process(n, buyer, text)

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

    def process(self, n: dict, buyer: int | None, text: str) -> None:
        db = self.db
        stored = db.execute("select signature from minhashes where notice_id = ?", [n["id"]]).fetchone()
        sig = stored[0] if stored else duplicates.signature(text)  # kept when everything is linked again
        if not stored:
            db.execute("insert into minhashes (notice_id, signature) values (?, ?)", [n["id"], sig])
        original, similarity = self.republished(n, sig)
        self.similar.add(n["id"], sig)
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

    def republished(self, n: dict, sig: bytes) -> tuple[int | None, float | None]:
        """The first stored copy of this notice, if it is one: similar text and the same facts."""
        for other, similarity in self.similar.similar(sig):
            row = self.db.execute("select n.type, n.published, n.award_total, n.budget, coalesce(p.duplicate_of, n.id)"
                                  " from notices n join process_notices p on p.notice_id = n.id where n.id = ?",
                                  [other]).fetchone()
            if row and row[0] == n["type"] and (row[1] or "")[:10] == (n["published"] or "")[:10] \
                    and row[2] == n["award_total"] and row[3] == n["budget"]:
                return row[4], round(similarity, 3)
        return None, None

    def find_process(self, n: dict, buyer: int | None) -> str:
        published = self.db.execute("select value from facts where notice_id = ? and field = 'ocid'", [n["id"]]).fetchone()
        if published:  # an OCDS release: its publisher's ocid is its process
            self.db.execute("insert or ignore into processes (ocid, buyer_org_id, project_code, title, link_method,"
                            " first_published, last_published) values (?,?,?,?,'ocds',?,?)",
                            [published[0], buyer, n["project_code"], n["title"], n["published"], n["published"]])
            self.summary.processes += self.db.execute("select changes()").fetchone()[0]
            return published[0]
        code = normalize(n["project_code"]) if n["project_code"] else None
        title = normalize(n["title"] or n["heading"] or "")
        if code and (buyer, code) in self.by_code:
            return self.by_code[(buyer, code)]
        for entry in self.by_buyer.get(buyer, []) if buyer else []:
            ocid, other_title, last = entry
            if title and other_title and fuzz.ratio(title, other_title) >= TITLE_MIN and \
                    _days(last, n["published"]) <= TITLE_DAYS:
                if code:
                    self.by_code[(buyer, code)] = ocid
                    self.db.execute("update processes set project_code = coalesce(project_code, ?) where ocid = ?",
                                    [n["project_code"], ocid])
                entry[2] = max(last or "", n["published"] or "") or None
                return ocid
        buyer_key = self.keys[buyer] if buyer else ""
        if code:
            basis, method = f"{buyer_key}|{code}", "project_code"
        else:
            basis, method = f"{buyer_key}|{title}|{n['sha256']}", "title"
        ocid = f"{self.prefix}-{hashlib.sha1(basis.encode('utf-8')).hexdigest()[:16]}"
        self.db.execute("insert or ignore into processes (ocid, buyer_org_id, project_code, title, link_method,"
                        " first_published, last_published) values (?,?,?,?,?,?,?)",
                        [ocid, buyer, n["project_code"], n["title"] or n["heading"], method, n["published"], n["published"]])
        self.summary.processes += 1
        if code:
            self.by_code[(buyer, code)] = ocid
        if buyer:
            self.by_buyer.setdefault(buyer, []).append([ocid, title, n["published"]])
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
            rows = db.execute(f"select {cols}, d.text from notices n join documents d on d.sha256 = n.sha256"
                              f" where n.id > ? order by n.id limit ?", [done, CHUNK]).fetchall()
            if not rows:
                break
            with db.conn:
                for row in rows:
                    linker.notice(dict(zip(COLUMNS, row)), row[-1] or "")
                done = rows[-1][0]
                _meta(db, "linked_through", str(done))
                _meta(db, "linked_at", now())
            linker.summary.notices += len(rows)
            bar.advance(task, len(rows))
    linker.summary.seconds = time.perf_counter() - started
    return linker.summary

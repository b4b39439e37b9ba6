"""FollowTheMoney entities (the followthemoney library) that Aleph can load: buyers as
PublicBody, agencies as Organization, suppliers as Company, each procurement process as a
Contract and each winning supplier of a notice as a ContractAward. Ids are stable hashes of
what identifies the thing, so a second export updates the same entities.

Entities from synthetic notices carry a SYNTHETIC note and publisher."""

from __future__ import annotations

import hashlib
import json

from followthemoney import model

from ..resolve.vendors import registry
from ..store import queries
from .flat import SYNTHETIC_LABEL

KINDS = {"public_body": "PublicBody", "agency": "Organization", "company": "Company"}
SYNTHETIC_NOTE = f"{SYNTHETIC_LABEL}: from generated test documents, not real notices"


def _id(kind: str, key: str) -> str:
    return f"sousveil-{kind}-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def _http(urls) -> list[str]:
    return [u for u in urls if u and u.lower().startswith(("http://", "https://"))]


def entities(db, filters: queries.Filters = queries.Filters(), query: str | None = None):
    """Entity proxies for the notices matching (republished copies add their sources, not entities)."""
    orgs: dict[int, object] = {}
    contracts: dict[str, object] = {}
    for rec in queries.iter_export(db, filters, query):
        nid, synthetic = rec["id"], bool(rec["synthetic"])
        row = db.execute("select ocid, duplicate_of from process_notices where notice_id = ?", [nid]).fetchone()
        urls = _http(s["url"] for s in rec["sources"])
        parties = db.execute("select p.role, p.supplier_id, p.lot, o.id, o.key, o.name, o.kind, o.vendor"
                             " from notice_parties p join organizations o on o.id = p.org_id where p.notice_id = ?",
                             [nid]).fetchall()
        for _, _, _, oid, key, name, kind, vendor in parties:
            if oid not in orgs:
                orgs[oid] = _organization(key, name, kind, vendor)
            if synthetic:
                orgs[oid].add("notes", SYNTHETIC_NOTE)
            orgs[oid].add("sourceUrl", urls)
        ocid = row[0] if row else f"notice-{rec['sha256']}"
        contract = contracts.get(ocid)
        if contract is None:
            contract = contracts[ocid] = model.make_entity("Contract")
            contract.id = _id("contract", ocid)
            contract.add("procedureNumber", ocid)
        contract.add("title", rec["title"])
        contract.add("name", rec["title"])
        contract.add("noticeId", str(nid))
        contract.add("sourceUrl", urls)
        contract.add("publisher", "sousveil")
        if rec["project_code"]:
            contract.add("procedureNumber", rec["project_code"])
        if rec["method"]:
            contract.add("method", rec["method"])
        if synthetic:
            contract.add("notes", SYNTHETIC_NOTE)
        for role, _, _, oid, *_ in parties:
            if role == "buyer":
                contract.add("authority", orgs[oid].id)
        if row and row[1]:
            continue
        for role, supplier_id, lot, oid, *_ in parties:
            if role != "winner":
                continue
            amount, currency = db.execute("select amount, currency from suppliers where id = ?", [supplier_id]).fetchone()
            award = model.make_entity("ContractAward")
            award.id = _id("award", f"{rec['sha256']}|{supplier_id}")
            award.add("contract", contract.id)
            award.add("supplier", orgs[oid].id)
            award.add("amount", amount)
            award.add("currency", (currency or "CNY") if amount else None)
            award.add("lotNumber", lot)
            award.add("date", (rec["published"] or "")[:10] or None)
            award.add("documentNumber", str(nid))
            award.add("sourceUrl", urls)
            award.add("publisher", "sousveil")
            if synthetic:
                award.add("summary", SYNTHETIC_NOTE)
            yield award
    yield from orgs.values()
    yield from contracts.values()


def _organization(key: str, name: str, kind: str, vendor: str | None):
    entity = model.make_entity(KINDS[kind])
    entity.id = _id(kind, key)
    entity.add("name", name)
    entity.add("country", "cn")
    if vendor:
        v = registry().vendors[vendor]
        entity.add("alias", [v.name_zh, v.name_en])
        for d in v.designations:
            entity.add("notes", f"{d.list_name}, {d.date} ({d.reference}; {d.status})")
    return entity


def write_entities(db, out, filters=queries.Filters(), query=None) -> int:
    count = 0
    for entity in entities(db, filters, query):
        out.write(json.dumps(entity.to_dict(), ensure_ascii=False) + "\n")
        count += 1
    return count

"""OCDS 1.1 exports: one release per notice, in a release package or compiled into records.

The mapping from notice types, methods and roles to OCDS codes is data (data/ocds_mapping.yaml).
A notice republished on several portals is one release whose documents list every source.
Evidence and provenance travel in a `sousveil` extension object on each release (notice id,
SHA-256, tags with their spans, versions); a synthetic notice says so there, in its tender
description and in the package's publisher name. Validation uses the vendored 1.1.5 schemas.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timezone
from decimal import Decimal

import jsonschema
import ocdsmerge
from referencing import Registry, Resource

from ..data_files import data_path, load_yaml
from ..resolve.link import DEFAULT_OCID_PREFIX
from ..resolve.vendors import registry
from ..store import queries
from .flat import SYNTHETIC_LABEL

OCDS_VERSION = "1.1"
SCHEMA_FILES = ("release-schema.json", "release-package-schema.json", "record-schema.json",
                "record-package-schema.json", "versioned-release-validation-schema.json")
SYNTHETIC_NOTE = f"{SYNTHETIC_LABEL}: generated test document, not a real notice."


@functools.lru_cache(maxsize=1)
def mapping() -> dict:
    return load_yaml("ocds_mapping.yaml")


@functools.lru_cache(maxsize=None)
def schema(name: str) -> dict:
    with data_path(f"ocds-1.1.5/{name}").open(encoding="utf-8") as fh:
        return json.load(fh)


@functools.lru_cache(maxsize=1)
def _registry() -> Registry:
    """The vendored schemas by their ids: validation never fetches a schema."""
    return Registry().with_resources((schema(n)["id"], Resource.from_contents(schema(n))) for n in SCHEMA_FILES)


def validate(package: dict, kind: str = "release") -> list[str]:
    """Errors of a release or record package against the OCDS 1.1.5 schema (empty when valid)."""
    validator = jsonschema.Draft4Validator(schema(f"{kind}-package-schema.json"), registry=_registry(),
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]


def _number(value: str | None):
    if value is None:
        return None
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


def _value(amount: str | None, currency: str | None = None) -> dict | None:
    """An OCDS Value: the amount in its currency (none recorded: yuan, a Chinese notice's)."""
    return {"amount": _number(amount), "currency": currency or "CNY"} if amount is not None else None


def _date(value: str | None) -> str | None:
    """OCDS date-times: a date alone is midnight China time."""
    if not value:
        return None
    tz = mapping()["timezone"]
    if len(value) == 10:
        return f"{value}T00:00:00{tz}"
    if len(value) == 16:
        return f"{value}:00{tz}"
    return value


def party_id(key: str) -> str:
    return "sousveil-org-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _parties(db, notice_id: int, written: dict) -> tuple[list[dict], dict]:
    """OCDS parties of a notice (one per organization, its roles merged) and a reference by supplier row.
    Names are as this notice writes them (`written`: by supplier row id, and for "buyer" and "agency")."""
    roles = mapping()["party_roles"]
    parties: dict[str, dict] = {}
    by_supplier = {}
    rows = db.execute(
        "select p.role, p.supplier_id, o.key, o.name, o.kind, o.vendor, o.vendor_method, o.vendor_score, o.vendor_matched,"
        " n.province, n.city from notice_parties p join organizations o on o.id = p.org_id join notices n on"
        " n.id = p.notice_id where p.notice_id = ? order by p.id", [notice_id]).fetchall()
    for role, supplier_id, key, name, kind, vendor, method, score, matched, province, city in rows:
        pid = party_id(key)
        party = parties.setdefault(pid, {"id": pid, "name": written.get(supplier_id or role) or name, "roles": []})
        if roles[role] not in party["roles"]:
            party["roles"].append(roles[role])
        if role == "buyer" and (province or city):
            party["address"] = {k: v for k, v in (("region", province), ("locality", city), ("countryName", "China")) if v}
        if vendor:
            v = registry().vendors[vendor]
            party["details"] = {"sousveilVendor": {
                "id": vendor, "name": v.name_en, "nameZh": v.name_zh, "method": method, "score": score, "matched": matched,
                "designations": [{"list": d.list_name, "date": d.date, "reference": d.reference, "status": d.status}
                                 for d in v.designations]}}
        if supplier_id:
            by_supplier[supplier_id] = {"id": pid, "name": party["name"]}
    return list(parties.values()), by_supplier


def release(db, notice_id: int) -> dict | None:
    """The OCDS release of one notice; None for a type OCDS has no stage for (`other`)."""
    n = queries.notice(db, notice_id)
    tags = mapping()["release_tags"].get(n["type"]) if n else None
    if not tags:
        return None
    proc = db.execute("select ocid from process_notices where notice_id = ?", [notice_id]).fetchone()
    if proc:
        ocid = proc[0]
    else:  # not linked (ingest --no-link): a process of its own, under the database's prefix
        prefix = db.execute("select value from meta where key = 'ocid_prefix'").fetchone()
        ocid = f"{prefix[0] if prefix else DEFAULT_OCID_PREFIX}-{n['sha256'][:16]}"
    copies = [r[0] for r in db.execute("select notice_id from process_notices where duplicate_of = ?", [notice_id])]
    sources = list(n["sources"])
    for copy in copies:
        sha = db.execute("select sha256 from notices where id = ?", [copy]).fetchone()[0]
        sources += [dict(s) for s in db.query("select name, url, retrieved_at from sources where sha256 = ?", [sha])]
    ingested = db.execute("select ingested_at from documents where sha256 = ?", [n["sha256"]]).fetchone()[0]
    parties, by_supplier = _parties(db, notice_id, {**{s["id"]: s["name"] for s in n["suppliers"]},
                                                    "buyer": n["buyer"], "agency": n["agency"]})
    buyer = next(({"id": p["id"], "name": p["name"]} for p in parties if "buyer" in p["roles"]), None)
    agency = next(({"id": p["id"], "name": p["name"]} for p in parties if "procuringEntity" in p["roles"]), None)
    release_id = f"sousveil-{n['sha256'][:16]}"
    documents = [{"id": f"source-{i + 1}", "documentType": mapping()["document_types"][n["type"]], "url": s["url"],
                  "datePublished": _date(n["published"]), "title": n["heading"] or n["title"]}
                 for i, s in enumerate(sources) if s["url"] and s["url"].lower().startswith(("http://", "https://"))]
    items = [{"id": str(i + 1), "description": " ".join(x for x in (it["name"], it["brand"], it["model"]) if x),
              **({"quantity": _number(it["quantity"])} if it["quantity"] and _is_number(it["quantity"]) else {}),
              **({"unit": {k: v for k, v in (("name", it["unit"]), ("value", _value(it["unit_price"], it["currency"]))) if v}}
                 if it["unit"] or it["unit_price"] else {})} for i, it in enumerate(n["items"])]
    method = mapping()["methods"].get(n["method"] or "")
    tender = {"id": n["project_code"] or release_id, "title": n["title"] or n["heading"]}
    if method:
        tender["procurementMethod"] = method
    if n["method"]:
        tender["procurementMethodDetails"] = n["method"]
    if n["budget"]:
        tender["value"] = _value(n["budget"], n["currency"])
    if agency:
        tender["procuringEntity"] = agency
    tenderers = [by_supplier[s["id"]] for s in n["suppliers"] if s["role"] in ("bidder", "candidate", "proposed") and s["id"] in by_supplier]
    if tenderers:
        tender["tenderers"] = list({t["id"]: t for t in tenderers}.values())
    if n["type"] == "cancellation":
        tender["status"] = "cancelled"
    if n["synthetic"]:
        tender["description"] = SYNTHETIC_NOTE
    out = {"ocid": ocid, "id": release_id, "date": _date(n["published"]) or ingested.replace("Z", "+00:00"),
           "tag": tags, "initiationType": "tender", "language": "zh", "parties": parties}
    if buyer:
        out["buyer"] = buyer
    if n["type"] == "intention":
        out["planning"] = {"budget": {"amount": _value(n["budget"], n["currency"])}} if n["budget"] else {}
    out["tender"] = tender
    awards = _awards(n, by_supplier, release_id, items) if n["type"] in ("award", "contract") else []
    if awards:
        out["awards"] = awards
        if documents:
            (awards[0] if n["type"] == "award" else tender)["documents"] = documents
    else:
        if items:
            tender["items"] = items
        if documents:
            tender["documents"] = documents
    if n["type"] == "contract" and awards:
        signed = next((f["value"] for f in n["facts"] if f["field"] == "contract_signed"), None)
        out["contracts"] = [{"id": f"{a['id']}-contract", "awardID": a["id"], "status": "active",
                             **({"value": a["value"]} if a.get("value") else {}),
                             **({"dateSigned": _date(signed)} if signed else {})} for a in awards]
    out["sousveil"] = {
        "noticeId": n["id"], "sha256": n["sha256"], "noticeType": n["type"], "synthetic": bool(n["synthetic"]),
        "label": SYNTHETIC_LABEL if n["synthetic"] else None, "republishedAs": copies,
        "sources": [{"name": s["name"], "url": s["url"], "retrievedAt": s["retrieved_at"]} for s in sources],
        "amountStatus": n["amount_status"],
        "tags": [{"category": t["category"], "term": t["term"], "strength": t["strength"], "spanStart": t["span_start"],
                  "spanEnd": t["span_end"]} for t in n["tags"]],
        "taxonomyVersion": n["taxonomy_version"], "codeVersion": n["code_version"],
    }
    return out


def _is_number(value: str) -> bool:
    try:
        Decimal(value)
        return True
    except ArithmeticError:
        return False


def _awards(n: dict, by_supplier: dict, release_id: str, items: list) -> list[dict]:
    winners = [s for s in n["suppliers"] if s["role"] == "winner"]
    lots: dict = {}
    for s in winners:
        lots.setdefault(s["lot"], []).append(s)
    awards = []
    for lot, group in lots.items():
        award = {"id": f"{release_id}-award" + (f"-lot-{lot}" if lot else ""), "status": "active",
                 "date": _date(n["published"]),
                 "suppliers": list({by_supplier[s["id"]]["id"]: by_supplier[s["id"]] for s in group
                                    if s["id"] in by_supplier}.values())}
        amounts = [s["amount"] for s in group]
        currencies = {s["currency"] or "CNY" for s in group}
        if all(amounts) and len(currencies) == 1:
            award["value"] = _value(str(sum(Decimal(a) for a in amounts)), currencies.pop())
        elif len(lots) == 1 and n["award_total"]:
            award["value"] = _value(n["award_total"], n["currency"])
        if n["synthetic"]:
            award["description"] = SYNTHETIC_NOTE
        awards.append(award)
    if not awards and (n["award_total"] or n["type"] == "contract"):
        award = {"id": f"{release_id}-award", "status": "active", "date": _date(n["published"])}
        if n["award_total"]:
            award["value"] = _value(n["award_total"], n["currency"])
        awards.append(award)
    if awards and items:
        awards[0]["items"] = items
    return awards


def _package_header(kind: str, synthetic: bool) -> dict:
    name = "sousveil" + (f" ({SYNTHETIC_LABEL} data included)" if synthetic else "")
    return {"uri": f"urn:x-sousveil:{kind}-package:{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}",
            "version": OCDS_VERSION, "publishedDate": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "publisher": {"name": name}}


def releases(db, filters: queries.Filters = queries.Filters(), query: str | None = None):
    """(release or None, notice id) for every notice matching; republished copies are folded into their first."""
    for rec in queries.iter_export(db, filters, query):
        dup = db.execute("select duplicate_of from process_notices where notice_id = ?", [rec["id"]]).fetchone()
        if dup and dup[0]:
            continue
        yield release(db, rec["id"]), rec["id"]


def write_release_package(db, out, filters=queries.Filters(), query=None) -> dict:
    """Stream a release package to `out`; returns counts (releases, skipped `other` notices, synthetic)."""
    counts = {"releases": 0, "skipped_other": 0, "synthetic": 0}
    synthetic = db.execute("select exists(select 1 from notices where synthetic = 1)").fetchone()[0]
    header = json.dumps(_package_header("release", synthetic), ensure_ascii=False)
    out.write(header[:-1] + ', "releases": [\n')
    for rel, _ in releases(db, filters, query):
        if rel is None:
            counts["skipped_other"] += 1
            continue
        out.write((",\n" if counts["releases"] else "") + json.dumps(rel, ensure_ascii=False))
        counts["releases"] += 1
        counts["synthetic"] += rel["sousveil"]["synthetic"]
    out.write("\n]}\n")
    return counts


@functools.lru_cache(maxsize=1)
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=schema("release-schema.json"))


def record(ocid: str, rels: list[dict]) -> dict:
    rels = sorted(rels, key=lambda r: (r["date"], r["id"]))
    compiled = _merger().create_compiled_release(rels)
    return {"ocid": ocid, "releases": rels, "compiledRelease": compiled}


def write_record_package(db, out, filters=queries.Filters(), query=None) -> dict:
    """Stream a record package: one record per process, its releases embedded and compiled."""
    by_ocid: dict[str, list[int]] = {}
    counts = {"records": 0, "releases": 0, "skipped_other": 0}
    for rec in queries.iter_export(db, filters, query):
        row = db.execute("select ocid, duplicate_of from process_notices where notice_id = ?", [rec["id"]]).fetchone()
        if row and row[1]:
            continue
        by_ocid.setdefault(row[0] if row else f"notice-{rec['id']}", []).append(rec["id"])
    synthetic = db.execute("select exists(select 1 from notices where synthetic = 1)").fetchone()[0]
    header = json.dumps(_package_header("record", synthetic), ensure_ascii=False)
    out.write(header[:-1] + ', "records": [\n')
    for ids in by_ocid.values():
        rels = [r for r in (release(db, i) for i in ids) if r is not None]
        counts["skipped_other"] += len(ids) - len(rels)
        if not rels:
            continue
        out.write((",\n" if counts["records"] else "") + json.dumps(record(rels[0]["ocid"], rels), ensure_ascii=False))
        counts["records"] += 1
        counts["releases"] += len(rels)
    out.write("\n]}\n")
    return counts


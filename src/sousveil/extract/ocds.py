"""OCDS releases as notices: each release is rendered as text, one `path: value` line per field
(`buyer.name: 深圳市公安局`, `awards[0].value: 1200000 CNY`), and every fact cites its line's
value, so an imported notice has the same evidence spans as a scraped one.

Contact points (names, e-mails, telephones of people) are not rendered: they never reach the
store. Every amount keeps its ISO 4217 currency (`notices.currency`); one in another currency
than CNY has `amount_status = currency:XXX`, so that sums in CNY leave it out, and a derived
`exchange_rate` fact gives the ECB rate to CNY of its date (extract/currency.py).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from ..data_files import load_yaml
from ..model import Fact, Item, Notice, Supplier
from ..text import fold
from . import country, currency
from . import region as regions
from .parties import buyer_type

MEDIA_TYPE = "application/vnd.ocds.release+json"
_LINE = re.compile(r"^([A-Za-z][\w.\[\]]*): (.*)$")
# Rendered fields, in order. Paths into the release; lists are expanded with their index.
_FIELDS = ["sousveil.label", "ocid", "id", "date", "tag", "language", "buyer.name", "buyer.address", "planning.rationale", "planning.budget.description",
           "planning.budget.amount", "tender.id", "tender.title", "tender.description", "tender.status",
           "tender.procurementMethod", "tender.procurementMethodDetails", "tender.mainProcurementCategory",
           "tender.value", "tender.procuringEntity.name", "tender.procuringEntity.address", "tender.tenderers[].name",
           "tender.items[]",
           "tender.tenderPeriod.endDate", "awards[].id", "awards[].title", "awards[].description", "awards[].status",
           "awards[].date", "awards[].value", "awards[].relatedLots", "awards[].suppliers[].name", "awards[].items[]",
           "contracts[].id", "contracts[].title", "contracts[].description", "contracts[].value",
           "contracts[].dateSigned", "contracts[].awardID", "parties[].name", "parties[].roles", "parties[].address"]


# The parts of a release that sousveil reads, with the type each must have: {} an object, [x] a list
# of x, "" a string. Publishers' data has nulls and strings where objects belong; such a value is
# dropped rather than read (a missing fact is better than a wrong one).
_SHAPE = {"tag": [""], "buyer": {"address": {}}, "parties": [{"roles": [""], "address": {}}],
          "tender": {"value": {}, "procuringEntity": {"address": {}}, "items": [{"unit": {"value": {}}}], "tenderers": [{}]},
          "awards": [{"value": {}, "relatedLots": [""], "suppliers": [{}], "items": [{"unit": {"value": {}}}]}],
          "contracts": [{"value": {}}], "planning": {"budget": {"amount": {}}}}


def conform(value, shape=_SHAPE):
    """The release with every part of the wrong type (an award that is null, a buyer that is a string)
    left out, so that the reading below meets only the types it expects."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return {}
        return {k: (conform(v, shape[k]) if k in shape else v) for k, v in value.items()
                if k not in shape or isinstance(v, type(shape[k]))}
    if not isinstance(shape, list):
        return value
    kind = type(shape[0])
    return [conform(v, shape[0]) for v in value if isinstance(v, kind)] if isinstance(value, list) else []


def _get(obj, path: str):
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


_ADDRESS = ("countryName", "region", "locality", "streetAddress")


def _scalar(value) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dict) and "amount" in value:  # a Value object
        return f"{value.get('amount')} {value.get('currency') or ''}".strip()
    if isinstance(value, dict) and any(k in value for k in _ADDRESS):
        return " ".join(" ".join(str(value[k]).split()) for k in _ADDRESS if value.get(k)) or None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return None
    return " ".join(str(value).split())


def _expand(release: dict, path: str):
    """(concrete path, value) pairs for a path with [] list markers."""
    if "[]" not in path:
        yield path, _get(release, path)
        return
    head, _, rest = path.partition("[]")
    items = _get(release, head) or []
    for i, item in enumerate(items if isinstance(items, list) else []):
        prefix = f"{head}[{i}]"
        if not rest:
            yield prefix, item
        else:
            yield from ((prefix + p[len("x"):], v) for p, v in _expand({"x": item}, "x" + rest))


def _item_text(item: dict) -> str | None:
    if not isinstance(item, dict):
        return None
    unit = item.get("unit") or {}
    parts = [item.get("description"), f"quantity {item['quantity']}" if item.get("quantity") is not None else None,
             unit.get("name"), f"unit price {_scalar(unit.get('value'))}" if unit.get("value") else None]
    # Item classifications (CPV, UNSPSC …) as `SCHEME CODE description`: the taxonomy reads their codes.
    for c in [item.get("classification")] + list(item.get("additionalClassifications") or []):
        if isinstance(c, dict) and c.get("id"):
            parts.append(" ".join(str(x) for x in (c.get("scheme"), c["id"], c.get("description")) if x))
    return "; ".join(" ".join(str(p).split()) for p in parts if p)


def render(release: dict) -> str:
    """The release as `path: value` lines (contact points left out)."""
    lines = []
    for path in _FIELDS:
        for concrete, value in _expand(release, path):
            text = _item_text(value) if concrete.endswith("]") and "items[" in concrete else _scalar(value)
            if text:
                lines.append(f"{concrete}: {text}")
    return "\n".join(lines)


def _lines(text: str) -> dict[str, tuple[int, int, str]]:
    """path -> (start, end, value) of each line's value in the (redacted) text."""
    out, pos = {}, 0
    for line in text.split("\n"):
        m = _LINE.match(line)
        if m:
            start = pos + len(m.group(1)) + 2
            out[m.group(1)] = (start, pos + len(line), m.group(2))
        pos += len(line) + 1
    return out


def _amount(value) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, dict) or value.get("amount") is None:
        return None, None
    try:
        return Decimal(str(value["amount"])), (value.get("currency") or "").upper() or None
    except InvalidOperation:
        return None, None


def notice_from_release(release: dict, text: str) -> Notice:
    """The notice of one release; `text` is the stored (redacted) rendering of `render(release)`."""
    lines = _lines(text)
    n = Notice()

    def fact(field, path, value=None, lot=None, note=None):
        if path in lines:
            s, e, v = lines[path]
            n.facts.append(Fact(field, value if value is not None else v, s, e, lot, "text", note))

    fact("ocid", "ocid", note="the publisher's open contracting id: the process this release belongs to")
    mapping = load_yaml("ocds_mapping.yaml")["notice_types"]
    n.type = next((mapping[t] for t in release.get("tag") or [] if t in mapping), "other")
    fact("type", "tag", n.type, note="from the release tag (data/ocds_mapping.yaml)")
    tender = release.get("tender") or {}
    n.title = tender.get("title") or next((a.get("title") for a in release.get("awards") or [] if a.get("title")), None)
    n.heading = n.title
    fact("title", "tender.title")
    n.project_code = tender.get("id")
    fact("project_code", "tender.id")
    n.method = tender.get("procurementMethodDetails") or tender.get("procurementMethod")
    fact("method", "tender.procurementMethodDetails" if tender.get("procurementMethodDetails") else "tender.procurementMethod")
    parties = {p.get("id"): p for p in release.get("parties") or [] if isinstance(p, dict)}
    buyer = release.get("buyer") or next((p for p in parties.values() if "buyer" in (p.get("roles") or [])), None)
    if buyer and buyer.get("name"):
        n.buyer = buyer["name"]
        fact("buyer", "buyer.name")
        n.buyer_type = buyer_type(n.buyer)
        n.facts.append(Fact("buyer_type", n.buyer_type, origin="derived", note="from the buyer's name (data/buyer_types.yaml)"))
    agency = (tender.get("procuringEntity") or {}).get("name")
    if agency and agency != n.buyer:
        n.agency = agency
        fact("agency", "tender.procuringEntity.name")
    date = release.get("date") or ""
    if not re.match(r"\d{4}-\d{2}-\d{2}", date):
        date = ""  # not an OCDS date-time: no publication date rather than a wrong one
    n.published = (date[:16] if len(date) >= 16 and date[11:16] != "00:00" else date[:10]) or None
    fact("published", "date", n.published)
    # Amounts keep their currency (ISO 4217): the notice's is that of its awards, else of its budget.
    # Awards in several currencies have no total (a sum across currencies is the measure's job).
    budget, budget_cur = _amount(tender.get("value"))
    if budget is not None:
        fact("budget", "tender.value", f"{budget} {budget_cur or '?'}", note=f"in {budget_cur or 'an unnamed currency'}")
    values = []
    for i, award in enumerate(release.get("awards") or []):
        lot = ", ".join(award.get("relatedLots") or []) or None
        value, cur = _amount(award.get("value"))
        names = [s.get("name") for s in award.get("suppliers") or [] if s.get("name")]
        for j, name in enumerate(names):
            path = f"awards[{i}].suppliers[{j}].name"
            s, e, _ = lines.get(path, (None, None, None))
            single = value is not None and len(names) == 1 and cur is not None
            n.suppliers.append(Supplier(name, "winner", lot, value if single else None, s, e,
                                        currency=cur if single else None))
            fact("supplier", path, lot=lot)
        if value is not None:
            values.append((value, cur))
            fact("award", f"awards[{i}].value", f"{value} {cur or '?'}", lot=lot, note=f"in {cur or 'an unnamed currency'}")
        for k, item in enumerate(award.get("items") or []):
            n.items.append(_item(item, lines.get(f"awards[{i}].items[{k}]"), lot))
    for k, item in enumerate(tender.get("items") or [] if not n.items else []):
        n.items.append(_item(item, lines.get(f"tender.items[{k}]"), None))
    for j, tenderer in enumerate(tender.get("tenderers") or []):
        if tenderer.get("name"):
            s, e, _ = lines.get(f"tender.tenderers[{j}].name", (None, None, None))
            n.suppliers.append(Supplier(tenderer["name"], "bidder", None, None, s, e))
    currencies = {cur for _, cur in values}
    n.currency = next(iter(currencies)) if len(currencies) == 1 else budget_cur if not values else None
    if n.currency and budget is not None and budget_cur == n.currency:
        n.budget = budget
    if values and len(currencies) == 1 and n.currency:
        n.award_total = sum((v for v, _ in values), Decimal(0))
        n.facts.append(Fact("award_total", f"{n.award_total} {n.currency}", origin="derived",
                            note="sum of the awards' values"))
    other = sorted(c or "?" for c in currencies | ({budget_cur} if budget is not None else set()) if c != "CNY")
    if other:  # the notice's amounts are not yuan: CNY sums leave them out (store/queries.py)
        n.amount_status = "currency:" + ",".join(other)
    elif n.type in ("award", "contract") and n.award_total is None:
        n.amount_status = "absent"
    rate = currency.rate(n.currency, "CNY", currency.day_of(n.published)) if n.currency != "CNY" else None
    if rate is not None:
        n.facts.append(Fact("exchange_rate", rate.describe(), origin="derived", note=rate.note()))
    _region(n, lines)
    _country(n, release, lines)
    from .facts import method_priors

    for f in n.facts:  # a release's fields are structured data, not found in prose
        f.method = "derived" if f.origin == "derived" else "structured"
        f.confidence = method_priors()[f.method]
    return n


# A reseller's item names the brand it sells: "Cámara IP marca Hikvision", "brand: Dahua", "марка Hikvision".
_BRAND = re.compile(r"(?:^|[\s;,(])(?i:marca|brand|marque|make|fabricante|manufacturer|марка|производитель)\s*[:\-]?\s*"
                    r"([^\W\d_][\w.&\-]*(?: [A-Z][\w\-]*)?)")


def _item(item: dict, line, lot) -> Item:
    unit = item.get("unit") or {}
    price, cur = _amount(unit.get("value"))
    qty = item.get("quantity")
    try:
        qty = Decimal(str(qty)) if qty is not None else None
    except InvalidOperation:
        qty = None
    s, e, text = line or (None, None, None)
    brand = _BRAND.search(text or "")
    return Item(item.get("description") or "", brand.group(1) if brand else None, None, qty, unit.get("name"),
                price if cur else None, lot, s, e, currency=cur if price is not None else None)


def _region(n: Notice, lines: dict) -> None:
    """From the buyer's address and name, when they name Chinese places."""
    gaz = regions.gazetteer()
    mentions = []
    for priority, path in enumerate(p for p in lines if p.endswith(".address") or p == "buyer.name"):
        s, e, value = lines[path]
        mentions += gaz.mentions(fold(value), s, priority)
    region, evidence = regions.resolve(mentions, gaz)
    n.region = region
    for level, m in evidence.items():
        n.facts.append(Fact(level, f"{m.place.name} {m.place.code}", m.start, m.end))


def _country(n: Notice, release: dict, lines: dict) -> None:
    """From the buyer's address (then the procuring entity's), else from the publisher of the ocid's
    prefix (data/ocid_prefixes.csv)."""
    buyer_id = (release.get("buyer") or {}).get("id")
    parties = list(enumerate(release.get("parties") or []))
    buyers = [(f"parties[{i}].address", p) for i, p in parties
              if "buyer" in (p.get("roles") or []) or (buyer_id and p.get("id") == buyer_id)]
    entities = [(f"parties[{i}].address", p) for i, p in parties if "procuringEntity" in (p.get("roles") or [])]
    for path, org in [("buyer.address", release.get("buyer") or {}), *buyers,
                      ("tender.procuringEntity.address", (release.get("tender") or {}).get("procuringEntity") or {}),
                      *entities]:
        address = org.get("address") if isinstance(org, dict) else None
        name = " ".join(str(address.get("countryName") or "").split()) if isinstance(address, dict) else ""
        code = country.code_of(name)
        if code and path in lines and lines[path][2].startswith(name):
            start = lines[path][0]
            n.country = code
            n.facts.append(Fact("country", code, start, start + len(name), note=f"from the address ({path})"))
            return
    registry = country.publisher_of(release.get("ocid"))
    if registry and "ocid" in lines:
        start = lines["ocid"][0]
        n.country = registry["country"]
        n.facts.append(Fact("country", registry["country"], start, start + len(registry["prefix"]), origin="derived",
                            note=f"the ocid prefix's publisher: {registry['publisher']} (data/ocid_prefixes.csv)"))


def canonical(release: dict) -> bytes:
    """The bytes a release is stored and keyed by: the same release from two packages is one document."""
    return json.dumps(release, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

"""OCDS releases as notices: each release is rendered as text, one `path: value` line per field
(`buyer.name: 深圳市公安局`, `awards[0].value: 1200000 CNY`), and every fact cites its line's
value, so an imported notice has the same evidence spans as a scraped one.

Contact points (names, e-mails, telephones of people) are not rendered: they never reach the
store. Amounts in another currency than CNY are recorded as facts with their currency, never
converted; the notice's CNY amounts then stay empty with `amount_status = currency:XXX`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from ..data_files import load_yaml
from ..model import Fact, Item, Notice, Supplier
from ..text import fold
from . import region as regions
from .parties import buyer_type

MEDIA_TYPE = "application/vnd.ocds.release+json"
_LINE = re.compile(r"^([A-Za-z][\w.\[\]]*): (.*)$")
# Rendered fields, in order. Paths into the release; lists are expanded with their index.
_FIELDS = ["sousveil.label", "ocid", "id", "date", "tag", "language", "buyer.name", "planning.rationale", "planning.budget.description",
           "planning.budget.amount", "tender.id", "tender.title", "tender.description", "tender.status",
           "tender.procurementMethod", "tender.procurementMethodDetails", "tender.mainProcurementCategory",
           "tender.value", "tender.procuringEntity.name", "tender.tenderers[].name", "tender.items[]",
           "tender.tenderPeriod.endDate", "awards[].id", "awards[].title", "awards[].description", "awards[].status",
           "awards[].date", "awards[].value", "awards[].relatedLots", "awards[].suppliers[].name", "awards[].items[]",
           "contracts[].id", "contracts[].title", "contracts[].description", "contracts[].value",
           "contracts[].dateSigned", "contracts[].awardID", "parties[].name", "parties[].roles", "parties[].address"]


# The parts of a release that sousveil reads, with the type each must have: {} an object, [x] a list
# of x, "" a string. Publishers' data has nulls and strings where objects belong; such a value is
# dropped rather than read (a missing fact is better than a wrong one).
_SHAPE = {"tag": [""], "buyer": {}, "parties": [{"roles": [""], "address": {}}],
          "tender": {"value": {}, "procuringEntity": {}, "items": [{"unit": {"value": {}}}], "tenderers": [{}]},
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


def _scalar(value) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dict) and "amount" in value:  # a Value object
        return f"{value.get('amount')} {value.get('currency') or ''}".strip()
    if isinstance(value, dict) and "streetAddress" in value or isinstance(value, dict) and "locality" in value:
        return " ".join(str(value[k]) for k in ("countryName", "region", "locality", "streetAddress") if value.get(k))
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
    return "; ".join(str(p) for p in parts if p)


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
    currencies = set()
    budget, cur = _amount(tender.get("value"))
    if budget is not None:
        currencies.add(cur)
        fact("budget", "tender.value", str(budget) + ("" if cur == "CNY" else f" {cur}"),
             note=None if cur == "CNY" else f"in {cur}: not converted to CNY")
        if cur == "CNY":
            n.budget = budget
    total = Decimal(0)
    for i, award in enumerate(release.get("awards") or []):
        lot = ", ".join(award.get("relatedLots") or []) or None
        value, cur = _amount(award.get("value"))
        names = [s.get("name") for s in award.get("suppliers") or [] if s.get("name")]
        for j, name in enumerate(names):
            path = f"awards[{i}].suppliers[{j}].name"
            s, e, _ = lines.get(path, (None, None, None))
            n.suppliers.append(Supplier(name, "winner", lot, value if len(names) == 1 and cur == "CNY" else None, s, e))
            fact("supplier", path, lot=lot)
        if value is not None:
            currencies.add(cur)
            fact("award", f"awards[{i}].value", str(value) + ("" if cur == "CNY" else f" {cur}"), lot=lot,
                 note=None if cur == "CNY" else f"in {cur}: not converted to CNY")
            if cur == "CNY":
                total += value
        for k, item in enumerate(award.get("items") or []):
            n.items.append(_item(item, lines.get(f"awards[{i}].items[{k}]"), lot))
    for k, item in enumerate(tender.get("items") or [] if not n.items else []):
        n.items.append(_item(item, lines.get(f"tender.items[{k}]"), None))
    for j, tenderer in enumerate(tender.get("tenderers") or []):
        if tenderer.get("name"):
            s, e, _ = lines.get(f"tender.tenderers[{j}].name", (None, None, None))
            n.suppliers.append(Supplier(tenderer["name"], "bidder", None, None, s, e))
    if any(a.get("value") for a in release.get("awards") or []) and currencies <= {"CNY"}:
        n.award_total = total
        n.facts.append(Fact("award_total", str(total), origin="derived", note="sum of the awards' values"))
    other = sorted(c for c in currencies if c != "CNY")
    if other:
        n.amount_status = "currency:" + ",".join(c or "?" for c in other)
    elif n.type in ("award", "contract") and n.award_total is None:
        n.amount_status = "absent"
    _region(n, lines)
    from .facts import method_priors

    for f in n.facts:  # a release's fields are structured data, not found in prose
        f.method = "derived" if f.origin == "derived" else "structured"
        f.confidence = method_priors()[f.method]
    return n


def _item(item: dict, line, lot) -> Item:
    unit = item.get("unit") or {}
    price, cur = _amount(unit.get("value"))
    qty = item.get("quantity")
    try:
        qty = Decimal(str(qty)) if qty is not None else None
    except InvalidOperation:
        qty = None
    s, e, _ = line or (None, None, None)
    return Item(item.get("description") or "", None, None, qty, unit.get("name"), price if cur == "CNY" else None, lot, s, e)


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


def canonical(release: dict) -> bytes:
    """The bytes a release is stored and keyed by: the same release from two packages is one document."""
    return json.dumps(release, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

"""Who is who: the buyer, the agency and the suppliers (winners, consortium members, candidates, bidders),
from labels, tables and sentences and, where no label names the buyer, the institution recogniser."""

from __future__ import annotations

import functools
import re

from ..data_files import load_yaml
from ..model import Fact, Notice, Supplier
from ..text import fold
from .amounts import find_amount, unit_from_label, yuan
from .dates import find_dates
from .facts import cite
from .institutions import find_institutions
from .names import MASKED_NAME, MAX_NAME, ORG_SUFFIXES, REFERENCE, TRAILING, is_org, name_span
from .sections import Scan, lot_of_row


AWARDED_MARKS = ("是", "成交", "中标", "入围", "√", "✓", "yes")
BIDDER_SUPPLIER_HEADERS = ("投标", "响应", "报价")
CANDIDATE_SUPPLIER_HEADERS = ("中标候选", "成交候选", "候选")  # 中标候选人名称: ranked, not yet awarded
_VALUE_END = re.compile(r"[\t;；。]|\s{2,}|联系(?:人|电话|方式)|电话")
_LIST_SEP = re.compile(r"\s*[;；、/]\s*|\s+(?=\(?\d{1,2}[.、)])")
_LIST_NUMBER = re.compile(r"\(?\d{1,2}[.、)]\s*")
# A consortium after its members: 甲公司、乙公司(联合体), 甲公司、乙公司联合体, 甲公司与乙公司组成的联合体.
_CONSORTIUM = re.compile(r"\s*(?:\((?:联合体|联合体牵头人|牵头人)[^)]*\)|(?:组成的|组成)?联合体(?:\([^)]*\))?)\s*$")
# A member's role inside a consortium: 甲公司(牵头人), 乙公司(联合体成员), 牵头人:甲公司.
_MEMBER_ROLE = re.compile(r"\s*\((?:联合体)?(?:牵头人|牵头方|牵头单位|主办方|成员|成员方|成员单位)\d*\)\s*$"
                          r"|^\s*(?:联合体)?(?:牵头人|牵头方|牵头单位|成员|成员方|成员单位)\d*\s*:\s*")
_MEMBER_SEP = re.compile(r"\s*(?:[;；、/,，]|(?<=[司院所心团厂])\s*[与和及]\s*)\s*")


@functools.lru_cache(maxsize=1)
def buyer_rules() -> list[tuple[str, list[str]]]:
    return [(r["type"], [fold(k) for k in r["keywords"]]) for r in load_yaml("buyer_types.yaml")["rules"]]


def party_facts(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    for field in ("buyer", "agency"):
        for hit in scan.all(field):
            s, e = name_span(folded, hit.start, hit.end)
            # 采购人：******** (an aggregator's paywall); a "name" of a thousand characters is a page's text
            if s < e <= s + MAX_NAME and not MASKED_NAME.search(folded, s, e):
                setattr(notice, field, text[s:e])
                cite(notice, field, text, s, e)
                break
    if notice.buyer is None and notice.type == "intention":
        _buyer_from_signature(notice, text, scan)
    if notice.buyer is None:
        _buyer_recognized(notice, text, folded, scan)
    if notice.buyer:
        notice.buyer_type = buyer_type(notice.buyer)
        buyer = next(f for f in notice.facts if f.field == "buyer")
        notice.facts.append(Fact("buyer_type", notice.buyer_type, buyer.start, buyer.end, origin="derived",
                                 note="from the buyer's name (data/buyer_types.yaml)"))
    elif notice.heading:  # a correction or cancellation often names its buyer only in the heading
        heading = next(f for f in notice.facts if f.field == "heading")
        kind = buyer_type(notice.heading)
        if kind != "other":
            notice.buyer_type = kind
            notice.facts.append(Fact("buyer_type", kind, heading.start, heading.end, origin="derived",
                                     note="from the heading: the notice names no buyer (data/buyer_types.yaml)"))

    seen = set()
    for hit in scan.all("supplier"):
        if hit.scope in ("bidders", "candidates"):
            continue
        spans, joint = _company_spans(folded, hit.start, hit.end)
        for s, e in spans:
            if e - s > MAX_NAME or MASKED_NAME.search(folded, s, e) or REFERENCE.match(folded, s, e) or \
                    find_dates(folded[s:e]):
                continue  # 中标供应商：**********有限公司 (a paywall), a signature's date read as a row of values
            key = (folded[s:e], hit.lot)
            if key in seen:
                continue
            seen.add(key)
            notice.suppliers.append(Supplier(text[s:e], "winner", hit.lot, start=s, end=e, joint=joint))
    for hit in scan.all("candidate"):  # 第一中标候选人: ranked, not yet awarded
        for s, e in _company_spans(folded, hit.start, hit.end)[0]:
            notice.suppliers.append(Supplier(text[s:e], "candidate", hit.lot, start=s, end=e))
    for hit in scan.all("bidder"):  # 未中标供应商名称: named, but did not win
        for s, e in _company_spans(folded, hit.start, hit.end)[0]:
            notice.suppliers.append(Supplier(text[s:e], "bidder", hit.lot, start=s, end=e))
    for hit in scan.all("proposed_supplier"):
        for s, e in _company_spans(folded, hit.start, hit.end)[0]:
            proposed = Supplier(text[s:e], "proposed", hit.lot, start=s, end=e)
            price = next((h for h in scan.all("proposed_price") if h.lot == hit.lot), None)
            if price:
                amount, span = find_amount(folded[price.start:price.end], unit_from_label(price.label))
                if amount.value is not None:
                    proposed.amount = amount.value
                    proposed.amount_start, proposed.amount_end = price.start + span[0], price.start + span[1]
            notice.suppliers.append(proposed)
    labelled = any(s.role == "winner" for s in notice.suppliers)
    for table, scope, lot in scan.tables:
        if "supplier" not in table.columns:
            continue
        si = table.columns.index("supplier")
        header = table.headers[si]
        if scope == "candidates" or header.startswith(CANDIDATE_SUPPLIER_HEADERS):
            role = "candidate"
        elif scope == "bidders" or (header.startswith(BIDDER_SUPPLIER_HEADERS) and (scope != "winner" or labelled)):
            # 投标人 | 投标报价 | 得分 | 排名 under 评审结果 ranks the bids when a label names the winner
            role = "bidder"
        else:
            role = "winner"
        ai = table.columns.index("amount") if "amount" in table.columns else None
        wi = table.columns.index("awarded") if "awarded" in table.columns else None
        li = table.columns.index("lot") if "lot" in table.columns else None
        unit = unit_from_label(table.headers[ai]) if ai is not None else None
        for row in table.rows:
            cell = row[si]
            if not cell.text or MASKED_NAME.search(cell.text) or REFERENCE.match(cell.text):
                continue
            if not any(c.text for c in row if c is not cell) and (find_dates(cell.text) or not is_org(cell.text)):
                continue  # a signature's date or a name below the table, in a row of its own: no supplier
            row_lot = lot_of_row(row, li, lot)
            row_role = role
            if wi is not None and role != "candidate":  # 报价供应商 | 报价 | 是否成交: 成交 marks the winner's row
                row_role = "winner" if row[wi].text.strip() in AWARDED_MARKS else "bidder"
            members, joint = _company_spans(folded, cell.start, cell.end)
            if len(members) < 2:
                members, joint = [(cell.start, cell.end)], False
            # 甲公司、乙公司 | 1,268.40 | 联合体: several companies in one cell won together
            joint = joint or (len(members) > 1 and any(c.text.strip() == "联合体" for c in row))
            for k, (s, e) in enumerate(members):
                sup = Supplier(text[s:e], row_role, row_lot, start=s, end=e, joint=joint)
                if k == 0 and ai is not None and row[ai].text:  # one price for the members of one row
                    amount, span = find_amount(row[ai].text, unit)
                    if amount.value is not None:
                        sup.amount = amount.value
                        sup.amount_start, sup.amount_end = row[ai].start + span[0], row[ai].start + span[1]
                if row_role == "winner":
                    key = (folded[s:e], row_lot)
                    if key in seen:  # the same winner in a second table (an item table naming suppliers)
                        _merge_amount(notice, sup)
                        continue
                    seen.add(key)
                notice.suppliers.append(sup)
    for sup in notice.suppliers:
        field = {"winner": "supplier", "bidder": "bidder", "candidate": "candidate", "proposed": "proposed_supplier"}[sup.role]
        notice.facts.append(Fact(field, sup.name, sup.start, sup.end, lot=sup.lot,
                                 note="member of a consortium (联合体) that won together" if sup.joint else None))
        if sup.role == "proposed" and sup.amount is not None:
            notice.facts.append(Fact("proposed_price", yuan(sup.amount), sup.amount_start, sup.amount_end, lot=sup.lot,
                                     note=f"price proposed to {sup.name}, not an award"))


def _merge_amount(notice: Notice, sup: Supplier) -> None:
    for s in notice.suppliers:
        if s.role == "winner" and s.name == sup.name and s.lot == sup.lot and s.amount is None:
            s.amount, s.amount_start, s.amount_end = sup.amount, sup.amount_start, sup.amount_end


def _buyer_recognized(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    """No label names the buyer: the first institution (extract/institutions.py) in the heading or the
    title, else on the cover page or in the opening lines, else in the signature. A weaker method
    than a label: the fact says how it was found."""
    heading = next((f for f in notice.facts if f.field in ("heading", "title") and f.start is not None), None)
    places = []
    if heading:
        places.append((heading.start, heading.end, "the heading or title"))
    opening = scan.lines[:8]
    if opening:
        places.append((opening[0][0], opening[-1][0] + len(opening[-1][1]), "the opening lines"))
    closing = scan.lines[-4:]
    if closing:
        places.append((closing[0][0], len(folded), "the signature"))
    agency = fold(notice.agency) if notice.agency else None
    venues = _not_buyers()
    found = [(inst, where) for start, end, where in places for inst in find_institutions(folded[start:end], start)
             if inst.name != agency and not any(v in inst.name for v in venues) and not MASKED_NAME.search(inst.name)]
    if not found:
        return
    inst, where = found[0]
    # The same institution written in full elsewhere (城关区分局 in the heading, 拉萨市公安局城关区分局 signing).
    inst, where = next(((x, w) for x, w in found[1:] if len(x.name) > len(inst.name) and x.name.endswith(inst.name)),
                       (inst, where))
    notice.buyer = text[inst.start:inst.end]
    cite(notice, "buyer", text, inst.start, inst.end, origin="inferred", method="recognizer",
               note=f"no label names the buyer: the first institution in {where}")


@functools.lru_cache(maxsize=1)
def _not_buyers() -> tuple[str, ...]:
    """Trading and procurement centres: named in a sentence, they host the procurement (institutions.yaml)."""
    return tuple(fold(w) for w in load_yaml("institutions.yaml")["not_buyers"])


def _buyer_from_signature(notice: Notice, text: str, scan: Scan) -> None:
    """The buyer publishes its own intention notices and signs them: the organization's name on one
    of the last lines, above or beside the date."""
    for start, line in reversed(scan.lines[-4:]):
        name = line.strip()
        if 4 <= len(name) <= 40 and "\t" not in name and is_org(name) and not find_dates(name) and \
                not MASKED_NAME.search(name):
            s = start + line.index(name)
            notice.buyer = text[s:s + len(name)]
            cite(notice, "buyer", text, s, s + len(name), note="the signature of an intention notice")
            return


def _listed_companies(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """Two or more companies listed in one value: 甲公司；乙公司, 1.甲公司 2.乙公司, 甲公司、乙公司."""
    if not _LIST_SEP.search(folded, start, end) and not _LIST_NUMBER.match(folded, start, end):
        return []

    def without_number(a: int, b: int) -> tuple[int, int]:
        number = _LIST_NUMBER.match(folded, a, b)
        return (number.end() if number else a), b

    return _names(folded, start, end, _LIST_SEP, without_number)


def _names(folded: str, start: int, end: int, separator: re.Pattern, trim) -> list[tuple[int, int]]:
    """The organisations a value lists, split at `separator`, each part trimmed by `trim(a, b)` of its
    marks (a number, a member's role); none unless there are two or more and every part is one."""
    cuts = list(separator.finditer(folded, start, end))
    spans = []
    for a, b in zip([start] + [c.end() for c in cuts], [c.start() for c in cuts] + [end]):
        s, e = name_span(folded, *trim(a, b))
        if e <= s:
            continue
        if not folded[s:e].endswith(ORG_SUFFIXES):
            return []
        spans.append((s, e))
    return spans if len(spans) >= 2 else []


def _company_spans(folded: str, start: int, end: int) -> tuple[list[tuple[int, int]], bool]:
    """The companies a value names, and whether they won together (甲公司、乙公司(联合体))."""
    value_end = _value_end(folded, start, end)
    consortium = _CONSORTIUM.search(folded, start, value_end)
    if consortium:  # the members before the word won together
        members = _consortium_members(folded, start, consortium.start())
        if members:
            return members, True
    listed = _listed_companies(folded, start, end)
    if listed:
        return listed, False
    s, e = name_span(folded, start, end)
    return ([(s, e)] if e - s >= 2 else []), False


def _value_end(folded: str, start: int, end: int) -> int:
    """The end of a value that may list several names: before a tab, a sentence's end or a contact."""
    m = _VALUE_END.search(folded, start, end)
    e = m.start() if m else end
    while e > start and folded[e - 1] in TRAILING:
        e -= 1
    return e


def _consortium_members(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """The members of a consortium one by one, without their roles (牵头人, 成员) or 联合体."""

    def without_role(a: int, b: int) -> tuple[int, int]:
        role = _MEMBER_ROLE.search(folded[a:b])  # on the part alone: its ^ and $ are the part's ends
        while role:
            a, b = (a + role.end(), b) if role.start() == 0 else (a, a + role.start())
            role = _MEMBER_ROLE.search(folded[a:b])
        return a, b

    return _names(folded, start, end, _MEMBER_SEP, without_role)


def buyer_type(name: str) -> str:
    folded = fold(name).lower()  # foreign buyers' names: lower case beyond ASCII (Policía, МВД)
    for btype, keywords in buyer_rules():
        if any(k in folded for k in keywords):
            return btype
    return "other"

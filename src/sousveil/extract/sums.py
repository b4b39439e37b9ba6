"""The award sum and the budget: each winner's amount, a summary figure, a consortium's one price, lot budgets."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..model import Fact, Notice
from .amounts import find_amount, precision, unit_from_label, yuan
from .facts import cite

if TYPE_CHECKING:  # the scan is only named in annotations: importing it would be circular
    from .sections import Scan


SUMMARY_AWARD_LABELS = {"总中标金额", "中标总金额", "总成交金额", "成交总金额", "中标(成交)总金额", "中标总价", "成交总价"}


def sum_facts(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    winners = notice.winners()
    summary = []
    statuses = []
    for hit in scan.all("award"):
        value_text = folded[hit.start:hit.end]
        amount, span = find_amount(value_text, unit_from_label(hit.label))
        if amount.value is None:
            statuses.append(amount.status)
            notice.facts.append(Fact("award", None, hit.start, hit.end, lot=hit.lot, note=f"{amount.status}: {amount.note}"))
            continue
        s, e = hit.start + span[0], hit.start + span[1]
        if hit.label in SUMMARY_AWARD_LABELS:
            summary.append((amount, s, e))
            continue
        # Pair the amount with the last winner before it (same lot) that has none yet.
        target = None
        for sup in winners:
            if sup.amount is None and sup.start is not None and sup.start < s and (hit.lot is None or sup.lot in (None, hit.lot)):
                target = sup
        if target is not None and target.joint:
            target = None  # a consortium's amount is not one member's: it is the total
        if target is not None:
            target.amount, target.amount_start, target.amount_end = amount.value, s, e
        else:
            summary.append((amount, s, e))
    for sup in winners:
        if sup.amount is not None:
            cite(notice, "award", text, sup.amount_start, sup.amount_end, value=yuan(sup.amount), lot=sup.lot,
                       note=f"awarded to {sup.name}")
    body = [w.amount for w in winners if w.amount is not None]
    # A consortium's members share one price, given once: they count as one winner here. A winner named
    # again without its amount (a summary header above the body: 中标（成交）供应商名称：甲公司) is the same one.
    with_amount = {w.name for w in winners if w.amount is not None}
    priced = [w for w in winners if w.amount is not None or not (w.joint or w.name in with_amount)]
    body_total = sum(body, Decimal(0)) if body and len(body) == len(priced) else None
    chosen = body_total
    for amount, s, e in summary:
        if body_total is None:
            if chosen is None:
                chosen = amount.value
                cite(notice, "award_total", text, s, e, value=yuan(amount.value), note=amount.note)
            continue
        if amount.value == body_total:
            cite(notice, "award_total", text, s, e, value=yuan(amount.value), note="summary agrees with the body")
        elif precision(amount.value) < precision(body_total):
            chosen = amount.value
            cite(notice, "award_total", text, s, e, value=yuan(amount.value),
                       note=f"summary is more precise than the body's {yuan(body_total)}; kept")
        else:
            cite(notice, "award_total", text, s, e, value=yuan(amount.value),
                       note=f"summary figure, less precise than the body's {yuan(body_total)}; not used")
    if body_total is not None and chosen == body_total:
        only = [w for w in winners if w.amount is not None] if len(body) == 1 else []
        notice.facts.append(Fact("award_total", yuan(body_total), only[0].amount_start if only else None,
                                 only[0].amount_end if only else None, origin="derived",
                                 note=f"sum of {len(body)} winning amount(s) in the body"))
    foreign = next((st for st in statuses if st.startswith("currency:")), None)
    if foreign and chosen is not None:
        # 決標金額：新臺幣 32,500,000元 and 總決標金額：32,500,000元: a notice's sums share the currency
        # one of them states; none of them is yuan.
        notice.facts.append(Fact("award_total", None, origin="derived",
                                 note=f"{foreign}: another award value of the notice states this currency; not read as CNY"))
        for w in winners:
            w.amount = None
        notice.facts = [f for f in notice.facts if not (f.field in ("award", "award_total") and f.value is not None)]
        chosen = None
    notice.award_total = chosen
    if chosen is None and statuses:
        notice.amount_status = statuses[0]
    elif chosen is None and notice.type == "award" and winners:
        notice.amount_status = "absent"

    found: dict[str, list] = {"budget": [], "ceiling_price": []}
    for field, hits in found.items():
        for hit in scan.all(field):
            amount, span = find_amount(folded[hit.start:hit.end], unit_from_label(hit.label))
            if amount.value is None:
                notice.facts.append(Fact(field, None, hit.start, hit.end, lot=hit.lot, note=f"{amount.status}: {amount.note}"))
                continue
            s, e = hit.start + span[0], hit.start + span[1]
            hits.append((hit, amount, s, e))
            cite(notice, field, text, s, e, value=yuan(amount.value), lot=hit.lot, note=amount.note)
    budgets = found["budget"]
    if not budgets and found["ceiling_price"]:  # 最高限价 alone: the most the buyer will pay
        budgets = found["ceiling_price"]
        for hit, amount, s, e in budgets:
            notice.facts.append(Fact("budget", yuan(amount.value), s, e, lot=hit.lot, origin="derived",
                                     note="no budget given: the ceiling price (最高限价)"))
    if budgets:
        lots = {}
        for hit, amount, _, _ in budgets:
            lots.setdefault(hit.lot, amount.value)
        if None in lots or len(lots) == 1:
            notice.budget = lots.get(None, next(iter(lots.values())))
        else:
            notice.budget = sum(lots.values(), Decimal(0))
            notice.facts.append(Fact("budget_total", yuan(notice.budget), origin="derived",
                                     note=f"sum of {len(lots)} lot budgets"))

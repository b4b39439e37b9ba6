"""Sums of money in CNY yuan, as exact decimals, from the forms Chinese notices use.

Input is folded text (half-width digits, simplified characters). Handles 元 / 万元 / 亿元,
¥ / RMB / 人民币, thousands separators, "2.38 million", capital numerals (壹佰贰拾万元整,
伍拾万零捌佰元, 陆万伍仟伍佰贰拾元伍角), and a unit given only by the label or column header.
Rates, masked figures and "see attachment" are reported as such, never turned into a sum.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

from ..model import Amount

SCALE = {"元": 1, "圆": 1, "千元": 1000, "万元": 10_000, "万": 10_000, "百万元": 1_000_000, "百万": 1_000_000,
         "亿元": 100_000_000, "亿": 100_000_000, "million": 1_000_000, "m": 1_000_000}

_ARABIC = re.compile(
    r"(?P<cur>¥|\$|rmb|cny|人民币|人民幣)?\s*[:]?\s*(?:(?:大写|小写)\s*[:]?\s*)?"
    # Thousands grouped by spaces (50 000元) only before a unit, and not after a word (包12 100万元).
    r"(?P<num>(?<![\w.])\d{2,3}(?:[ \xa0]\d{3})+(?:\.\d+)?(?=\s*(?:元|万|亿|million))"
    r"|\d{1,3}(?:[,]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?!\s*%|\d|\.\d)\s*(?:(?P<unit>百万元|亿元|万元|千元|元|圆|亿|万|million|m(?![a-z]))|\((?P<punit>百万元|亿元|万元|千元|元)\))?"
)
_CAP_DIGITS = "零〇壹贰叁肆伍陆柒捌玖拾佰仟一二三四五六七八九十百千两"
_CAPITAL = re.compile(
    rf"(?:(?P<cap>[{_CAP_DIGITS}万亿]+)(?P<capunit>万元|亿元|元|圆))?零?"
    r"(?:(?P<jiao>[零壹贰叁肆伍陆柒捌玖一二三四五六七八九])角)?零?(?:(?P<fen>[壹贰叁肆伍陆柒捌玖一二三四五六七八九])分)?"
)
_UNIT_HINT = re.compile(r"(百万元|亿元|万元|千元|元)")
# Other currencies, before or after the figure (folded text: lower case, half-width). Their sums
# are kept with the currency and never converted: the notice's CNY amounts then stay empty.
_CURRENCIES = {"hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD", "us$": "USD", "usd": "USD", "美元": "USD",
               "$": "USD", "eur": "EUR", "€": "EUR", "欧元": "EUR", "gbp": "GBP", "£": "GBP", "英镑": "GBP",
               "jpy": "JPY", "日元": "JPY", "mop": "MOP", "澳门元": "MOP", "澳门币": "MOP", "nt$": "TWD", "twd": "TWD",
               "新台币": "TWD"}
_CURRENCY_BEFORE = re.compile("(" + "|".join(re.escape(c) for c in sorted(_CURRENCIES, key=len, reverse=True)) + r")\s*[:]?\s*$")
_CURRENCY_AFTER = re.compile(r"^\s*(?:万|亿|million|m(?![a-z]))?\s*(" + "|".join(
    re.escape(c) for c in sorted(_CURRENCIES, key=len, reverse=True) if not c.isascii() or c.isalpha()) + ")")
_RATE = re.compile(r"%|％|下浮|费率|折扣|优惠率|百分比|折让|让利")
# Chinese characters of words, not of the way sums are written (大写, 人民币, 元整, capital numerals).
_PROSE = re.compile(r"[^\x00-\u4dff\ua000-\uffff大写小写人民币元整正圆角分零〇壹贰叁肆伍陆柒捌玖拾佰仟万亿]")
RATE = "%"
_MAX_DIGITS = 15
_LEADING_SUM = re.compile(r"\s*(?:人民币|¥|rmb|cny)?\s*(?:[(（]?小写[)）]?)?\s*[:]?\s*$")
_TAX_RATE = re.compile(r"(?:增值税)?税率\s*(?:为|是|:)?\s*\d+(?:\.\d+)?\s*%")  # a tax rate does not make a price a rate
# The total a sentence states: 总价为3905110元, 总金额为1332000元, 合计：…, 投标总价人民币…
_STATED_TOTAL = re.compile(r"(?:总价|总金额|总报价|报价总额|投标总价|合同总价|合计|总计)\s*(?:为|是|:)?\s*(?:人民币)?\s*")
_MASKED = re.compile(r"\*{2,}|＊{2,}|x{3,}|×{3,}")
_ATTACHMENT = re.compile(r"详见|见附件|附件|另行|见公告|见招标文件")
_ABOUT_BEFORE = re.compile(r"(?:约|大约|约为|预计)\s*[:：]?\s*$")
_ABOUT_AFTER = re.compile(r"\s*(?:左右|上下)")
_PER = re.compile(r"\s*(?:\(\s*(?:万元|元))?\s*(?:/|每)\s*([^\s,;:()0-9]{1,4})")  # 3800元/台, 162.98(元/公顷)
_CAP_VALUE = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_CAP_VALUE.update({c: i for i, c in enumerate("〇一二三四五六七八九")})


def unit_from_label(label: str) -> str | None:
    """The unit a label or column header carries: 报价(万元) -> 万元, 单价(元/台) -> 元, 中标价(%) -> %."""
    m = re.search(r"[(（\[]([^)）\]]*)[)）\]]", label)
    if m:
        u = _UNIT_HINT.search(m.group(1))
        if u:
            return u.group(1)
        if _RATE.search(m.group(1)):
            return RATE
    if label.endswith(("(万元)", "万元")):
        return "万元"
    return None


def parse_capital(cap: str) -> Decimal | None:
    try:
        return Decimal(str(cn2an.cn2an(cap, "normal")))
    except (ValueError, KeyError, InvalidOperation, IndexError):
        return None


def find_amount(text: str, default_unit: str | None = None, per_unit: bool = False) -> tuple[Amount, tuple[int, int] | None]:
    """The first sum of money in `text` (a label's value), and its span within `text`. A price per
    unit (12.5万元/年, 3800元/台) is no total: it is reported as such unless `per_unit` (an item's unit price)."""
    if default_unit == RATE:  # 中标价(%): 97.95 is a percentage of a fee scale, never yuan
        return Amount(None, "rate", note="the label gives a rate (%), not a sum"), None
    if not per_unit:
        sentence = _sentence_price(text)
        if sentence:
            return sentence
    arabic = None
    for m in _ARABIC.finditer(text):
        if m.group("unit") or m.group("punit") or m.group("cur") or default_unit \
                or (_looks_like_sum(m.group("num")) and not _in_prose(text, m)):
            arabic = m
            break
    capital = next((m for m in _CAPITAL.finditer(text) if m.group("cap") or m.group("jiao") or m.group("fen")), None)
    cap_value = None
    if capital:
        base = parse_capital(capital.group("cap")) if capital.group("cap") else Decimal(0)
        if base is not None:
            cap_value = base * SCALE[capital.group("capunit") or "元"]
            for part, scale in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
                if capital.group(part):
                    cap_value += _CAP_VALUE[capital.group(part)] * scale
    if arabic:
        per = None if per_unit else _PER.match(text, arabic.end())
        if per:
            span = _trim(text, (arabic.start("num"), per.end()))
            return Amount(None, "per_unit", note=f"{text[span[0]:span[1]]}: a price per {per.group(1)}, not a total"), span
        currency = _currency(text, arabic)
        if currency:
            span = _trim(text, (arabic.start("num"), arabic.end()))
            return Amount(None, f"currency:{currency}",
                          note=f"{text[span[0]:span[1]]} {currency}, not converted to CNY"), span
        digits = re.sub(r"[,\s]", "", arabic.group("num"))
        if len(digits.split(".")[0]) > _MAX_DIGITS:  # no procurement is worth 10^15 yuan: a code or junk
            return Amount(None, "absent", note=f"a figure of {len(digits)} digits is no sum"), None
        num = Decimal(digits)
        unit = arabic.group("unit") or arabic.group("punit") or default_unit
        note = None
        if unit is None:
            unit = "元"
            if not arabic.group("cur"):
                note = "unit not stated; read as 元"
        value = num * SCALE[unit]
        if cap_value is not None and cap_value != value:
            note = f"capital numerals say {cap_value}; figures say {value}"
        elif _ABOUT_BEFORE.search(text, 0, arabic.start()) or _ABOUT_AFTER.match(text, arabic.end()):
            note = "approximate: the notice says about (约, 左右)"
        span = (arabic.start("num") if not arabic.group("cur") else arabic.start("cur"), arabic.end())
        unit_name = {"万": "万元", "亿": "亿元", "圆": "元", "m": "million"}.get(unit, unit)
        return Amount(value, "ok", unit_name, note), _trim(text, span)
    if cap_value is not None:
        before = _CURRENCY_BEFORE.search(text, max(0, capital.start() - 8), capital.start())
        if before:  # 澳门元叁佰万元正: patacas, not yuan (人民币 is no entry of _CURRENCIES)
            currency = _CURRENCIES[before.group(1)]
            return Amount(None, f"currency:{currency}", note=f"{text[capital.start():capital.end()]} {currency}, "
                                                            "not converted to CNY"), capital.span()
        return Amount(cap_value, "ok", capital.group("capunit") or "元", "from capital numerals"), capital.span()
    if _MASKED.search(text):
        return Amount(None, "masked", note="amount masked in the notice"), None
    if _RATE.search(text):
        return Amount(None, "rate", note="a rate or discount, not a sum"), None
    if _ATTACHMENT.search(text):
        return Amount(None, "see_attachment", note="the notice refers to an attachment"), None
    return Amount(None, "absent", note="no sum given"), None


def _sentence_price(text: str) -> tuple[Amount, tuple[int, int] | None] | None:
    """A price written as a sentence (中标价(报价承诺): 单价为6400元/吨，总价为3905110元…; 设计费224.7万元，
    施工费下浮率3.5%): the total it states, with a note; with several sums or a rate and no stated total,
    nothing. None when the value is a plain sum."""
    found = [m for m in _ARABIC.finditer(text) if m.group("unit") or m.group("punit") or m.group("cur")]
    sums = {m.group("num") for m in found}
    rate = _RATE.search(_TAX_RATE.sub("", text))
    if len(sums) < 2 and not (sums and rate):
        return None
    if _LEADING_SUM.match(text, 0, found[0].start()):  # 人民币21.6万元（按每人每月15元计）: the sum, then how it was reckoned
        return None
    if rate:  # part of the price is a rate: a total it states is a part's (BIM服务费总金额为…), not the price
        return Amount(None, "sentence", note="a price written as a sentence, partly a rate: no total"), None
    for total in _STATED_TOTAL.finditer(text):
        amount, span = find_amount(text[total.end():], per_unit=True)
        if amount.value is not None and span[0] <= 2:
            note = f"a price written as a sentence: the total it states ({total.group(0).strip()}…)"
            return Amount(amount.value, "ok", amount.unit, note), (total.end() + span[0], total.end() + span[1])
    return Amount(None, "sentence", note="a price written as a sentence with several sums or a rate, and no total"), None


def _currency(text: str, m: re.Match) -> str | None:
    """The other currency written just before or after the figure, if any."""
    cur = m.group("cur")
    if cur and cur != "$":
        return None  # ¥, RMB, CNY, 人民币
    before = _CURRENCY_BEFORE.search(text, max(0, m.start("num") - 8), m.start("num"))
    if before:
        return _CURRENCIES[before.group(1)]
    after = _CURRENCY_AFTER.search(text[m.end("num"):m.end("num") + 12])
    return _CURRENCIES[after.group(1)] if after else None


def parse_amount(text: str, default_unit: str | None = None) -> Amount:
    return find_amount(text, default_unit)[0]


def _in_prose(text: str, m: re.Match) -> bool:
    """A bare figure inside a sentence ("按(计价格[2002]10号)文的45%计取") is a year, a document number
    or a rate, not a sum: without a unit it is taken only when the value is little more than it."""
    rest = text[:m.start()] + text[m.end():]
    return len(_PROSE.findall(rest)) >= 3


def _looks_like_sum(num: str) -> bool:
    # A bare number without unit or currency is only taken when it is plausibly money (not "1." or a year).
    return "," in num or "." in num or len(num) >= 3


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    s, e = span
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def precision(value: Decimal) -> int:
    """The exponent of the last significant digit: 6687920 -> 1, 6687900 -> 2. Lower is more precise."""
    if value == 0:
        return 0
    return value.normalize().as_tuple().exponent


def yuan(value: Decimal | None) -> str | None:
    """Canonical text of a yuan amount: no exponent, no trailing zeros after the point."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text

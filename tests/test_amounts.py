from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sousveil.extract.amounts import find_amount, parse_amount, precision, unit_from_label
from sousveil.text import fold


@pytest.mark.parametrize("text,expected,unit", [
    ("6687920.0元", "6687920.0", "元"),
    ("￥668.790000 万元（人民币）", "6687900", "万元"),
    ("预算金额1945万元", "19450000", "万元"),
    ("人民币135416元", "135416", "元"),
    ("¥1,234,567.00", "1234567.00", "元"),
    ("RMB 2.38 million", "2380000", "million"),
    ("238 万元（含税）", "2380000", "万元"),
    ("人民币陆万伍仟伍佰贰拾元（￥65,520.00）", "65520", "元"),
    ("壹佰万元整", "1000000", "元"),
    ("伍拾万零捌佰元", "500800", "元"),
    ("壹佰贰拾万元整", "1200000", "元"),
    ("陆万伍仟伍佰贰拾元伍角", "65520.5", "元"),
    ("１２３，４５６．００元", "123456", "元"),
    ("1.5亿元", "150000000", "亿元"),
])
def test_amount_forms(text, expected, unit):
    amount = parse_amount(fold(text))
    assert amount.status == "ok"
    assert amount.value == Decimal(expected)
    assert amount.unit == unit


@pytest.mark.parametrize("text,status", [
    ("下浮率：5%", "rate"), ("费率 0.8%", "rate"), ("***", "masked"), ("详见附件", "see_attachment"), ("无", "absent"),
    ("人民币12.5万元/年", "per_unit"), ("1,000元/人/天", "per_unit"), ("50万元每年", "per_unit"), ("HK$ 3,456,000", "currency:HKD"),
])
def test_no_sum_is_never_guessed(text, status):
    amount = parse_amount(fold(text))
    assert amount.value is None
    assert amount.status == status


def test_an_items_unit_price_is_a_price_per_unit():
    amount, span = find_amount(fold("3,800元/台"), per_unit=True)
    assert amount.value == Decimal("3800") and span == (0, 6)


def test_unit_from_column_header():
    assert unit_from_label("报价(万元)") == "万元"
    assert unit_from_label("单价(元/台)") == "元"
    assert parse_amount("12.5", unit_from_label("报价(万元)")).value == Decimal("125000")


def test_span_points_at_the_figure():
    text = fold("中标金额：人民币1,200,000.00元整")
    amount, (s, e) = find_amount(text)
    assert text[s:e] == "人民币1,200,000.00元"


def test_precision_prefers_the_body():
    assert precision(Decimal("6687920")) < precision(Decimal("6687900.000000"))


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999999.99"), places=2)


@given(amounts)
def test_yuan_with_separators_roundtrip(value):
    assert parse_amount(fold(f"{value:,.2f}元")).value == value
    assert parse_amount(fold(f"￥{value:,.2f}")).value == value


@given(amounts)
def test_full_width_digits_roundtrip(value):
    full = f"{value:.2f}元".translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})
    assert parse_amount(fold(full)).value == value


@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999999.9999"), places=4))
def test_wan_yuan_is_exact(value):
    assert parse_amount(fold(f"{value}万元")).value == value * 10000


@given(amounts)
def test_capital_numerals_roundtrip(value):
    capital = cn2an.an2cn(str(value), "rmb")
    assert parse_amount(fold(capital)).value == value


def test_thousands_grouped_by_spaces_before_a_unit():
    from sousveil.extract.amounts import find_amount

    assert find_amount("50 000元")[0].value == Decimal("50000")
    assert find_amount("12 345 678.00元")[0].value == Decimal("12345678.00")
    # A lot number before a sum stays apart from it.
    assert find_amount("包12 100万元")[0].value == Decimal("1000000")
    assert find_amount("第1包 100万元")[0].value == Decimal("1000000")


def test_an_approximate_sum_says_so():
    from sousveil.extract.amounts import find_amount

    for text in ["约100万元", "100万元左右", "预计：100万元"]:
        amount = find_amount(text)[0]
        assert amount.value == Decimal("1000000") and amount.note.startswith("approximate"), text
    assert find_amount("100万元")[0].note is None

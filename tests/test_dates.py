from datetime import date

import cn2an
from hypothesis import given
from hypothesis import strategies as st

from sousveil.extract.dates import find_dates
from sousveil.text import fold


def isos(text):
    return [d.iso for d in find_dates(fold(text))]


def test_forms_from_real_notices():
    assert isos("2025年05月27日 20:20") == ["2025-05-27T20:20"]
    assert isos("2025-05-27") == ["2025-05-27"]
    assert isos("2025/5/27") == ["2025-05-27"]
    assert isos("2025.05.27") == ["2025-05-27"]
    assert isos("二〇二五年五月二十七日") == ["2025-05-27"]
    assert isos("２０２５年０５月２７日") == ["2025-05-27"]
    assert isos("2025年05月27日至2025年05月30日") == ["2025-05-27", "2025-05-30"]
    assert isos("开标时间：2024年3月5日上午9时30分") == ["2024-03-05T09:30"]
    assert isos("2024年3月5日下午2时30分") == ["2024-03-05T14:30"]
    assert isos("2024-03-05 09:30:00") == ["2024-03-05T09:30"]
    assert isos("2024-03-05T09:30:00+08:00") == ["2024-03-05T09:30"]  # folded text has a lower-case t
    # The zero of a year as typed in official letters; 元月 for January; 号 for the day.
    for zero in "〇○0O零":
        assert isos(f"二{zero}二五年六月三日") == ["2025-06-03"], zero
    assert isos("2025年元月3日") == ["2025-01-03"] and isos("二〇二五年元月三日") == ["2025-01-03"]
    # The letter O for a zero among Arabic digits, in any position; its span is the date as written.
    assert isos("2O23年1O月O9日") == ["2023-10-09"] and isos("202O-O5-06") == ["2020-05-06"]
    assert find_dates(fold("公告：2O23年1O月O9日"))[0].start == 3 and isos("go 2023 no1") == []
    assert isos("2025年6月3号") == ["2025-06-03"] and find_dates("2025年6月3号")[0].end == len("2025年6月3号")


def test_invalid_dates_are_not_found():
    assert isos("2025年13月40日") == []
    assert isos("电话 0755-2333-8582") == []


def test_spans():
    text = fold("公告时间：2025年05月27日 20:20 来源")
    [d] = find_dates(text)
    assert text[d.start:d.end] == "2025年05月27日 20:20"


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))


@given(days, st.sampled_from(["{y}年{m}月{d}日", "{y}年{m:02d}月{d:02d}日", "{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m:02d}.{d:02d}"]))
def test_numeric_forms_roundtrip(day, form):
    assert isos(form.format(y=day.year, m=day.month, d=day.day)) == [day.isoformat()]


@given(days)
def test_chinese_numeral_dates_roundtrip(day):
    digits = "〇一二三四五六七八九"
    text = "".join(digits[int(c)] for c in str(day.year)) + f"年{cn2an.an2cn(day.month)}月{cn2an.an2cn(day.day)}日"
    assert isos(text) == [day.isoformat()]


def test_eight_digit_dates_only_in_a_labelled_date():
    from sousveil.extract.notice import extract_notice

    n = extract_notice("某项目中标公告\n发布日期：20250603\n项目编号：20250603\n")
    assert n.published == "2025-06-03"
    assert n.project_code == "20250603"
    assert isos("项目编号：20250603") == []  # eight digits in free text are not a date

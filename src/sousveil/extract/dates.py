"""Dates in every common form of Chinese notices, as ISO strings with their spans.

2025年05月27日 20:20, 2025-05-27, 2025/5/27, 2025.05.27, 二〇二五年五月二十七日 (a zero typed 〇, ○, 零, 0 or
the letter O in any position: 2O23年1O月O9日), and in English
15 March 2021 or March 15, 2021, and Taiwan's 民國 years (111/05/20). Input is folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Spaces only between the parts, never a line break or a tab: "2023年5月" at the end of a table
# row must not take the next row's number as its day. 年 goes with 月, and - / . with themselves.
_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[ ]*(?:年[ ]*(?P<m>\d{1,2}|元)[ ]*月[ ]*(?P<d>\d{1,2})(?!\d)[ ]*[日号]?"
    r"|(?P<sep>[\-/.])[ ]*(?P<m2>\d{1,2})[ ]*(?P=sep)[ ]*(?P<d2>\d{1,2})(?!\d))"
    r"(?:[ ]*[Tt]?[ ]*(?P<half>上午|下午|中午|晚上)?[ ]*(?P<H>\d{1,2})[ ]*(?:[:]|时|点)[ ]*(?:(?P<M>\d{1,2})[ ]*分?)?"
    r"(?:[ ]*:[ ]*(?P<S>\d{1,2}))?)?"
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
# The zero of a year is typed many ways: 〇, 零, ○ (a circle), 0, or the letter O.
_CN_DIGITS.update({"零": 0, "○": 0, "o": 0, "O": 0, "0": 0, "元": 1})  # 元月: the first month
_CHINESE = re.compile(r"(?P<y>[〇零○0oO一二三四五六七八九]{4})[ ]*年[ ]*(?P<m>[一二三四五六七八九十]{1,2}|元)[ ]*月"
                      r"[ ]*(?P<d>[一二三四五六七八九十]{1,3})[ ]*[日号]")


# English forms (folded text is lower case): 15 march 2021, 15 mar 2021, march 15, 2021.
_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ENGLISH = re.compile(rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?[ ]+(?P<m1>{_MONTH_NAME})\.?,?[ ]+(?P<y1>(?:19|20)\d{{2}})"
                      rf"|(?P<m2>{_MONTH_NAME})\.?[ ]+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?[ ]+(?P<y2>(?:19|20)\d{{2}}))\b")


# Taiwan's notices count years from 1912 (民國): 111/05/20 and 民國111年5月20日 are 2022-05-20. The
# slash form needs a three-digit year (from 民國100, 2011) and the 年 form needs 民國, else they are
# not told apart from other numbers.
_ROC = re.compile(r"(?:(?:中华)?民国[ ]*(?P<y>\d{2,3})[ ]*年[ ]*(?P<m>\d{1,2})[ ]*月[ ]*(?P<d>\d{1,2})[ ]*日?"
                  r"|(?<![\d/.\-])(?P<y2>1\d{2})/(?P<m2>\d{1,2})/(?P<d2>\d{1,2})(?![\d/]))")
ROC_OFFSET = 1911


@dataclass(frozen=True)
class FoundDate:
    iso: str
    start: int
    end: int


def _cn_small(text: str) -> int:
    """一 .. 三十一 as used for months and days."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _iso(y: int, m: int, d: int, hh=None, mm=None) -> str | None:
    try:
        date(y, m, d)
    except ValueError:
        return None
    if hh is not None and 0 <= hh < 24 and (mm is None or 0 <= mm < 60):
        return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{(mm or 0):02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


# The letter O typed for a zero among digits (2O23年1O月O9日; folded text is lower case): read as 0 in a
# copy of the same length, so spans still point into the text.
_O_FOR_ZERO = re.compile(r"(?<=\d)o|o(?=\d)")


def find_dates(text: str, offset: int = 0) -> list[FoundDate]:
    found = []
    numeric = _O_FOR_ZERO.sub("0", text) if "o" in text else text
    for m in _NUMERIC.finditer(numeric):
        hh = int(m.group("H")) if m.group("H") else None
        if hh is not None and hh < 12 and m.group("half") in ("下午", "晚上"):  # 下午2:30 is 14:30
            hh += 12
        mm = int(m.group("M")) if m.group("M") else None
        month = m.group("m") or m.group("m2")
        iso = _iso(int(m.group("y")), 1 if month == "元" else int(month), int(m.group("d") or m.group("d2")), hh, mm)
        if iso:
            end = m.end()
            while end > m.start() and numeric[end - 1].isspace():
                end -= 1
            found.append(FoundDate(iso, offset + m.start(), offset + end))
    for m in _CHINESE.finditer(text):
        y = int("".join(str(_CN_DIGITS[c]) for c in m.group("y")))
        iso = _iso(y, _cn_small(m.group("m")), _cn_small(m.group("d")))
        if iso:
            found.append(FoundDate(iso, offset + m.start(), offset + m.end()))
    for m in _ROC.finditer(text):
        y, mon, d = (m.group("y"), m.group("m"), m.group("d")) if m.group("y") else (m.group("y2"), m.group("m2"), m.group("d2"))
        iso = _iso(int(y) + ROC_OFFSET, int(mon), int(d))
        if iso:
            found.append(FoundDate(iso, offset + m.start(), offset + m.end()))
    for m in _ENGLISH.finditer(text):
        y, mon, d = (m.group("y1"), m.group("m1"), m.group("d1")) if m.group("y1") else \
            (m.group("y2"), m.group("m2"), m.group("d2"))
        iso = _iso(int(y), _MONTHS[mon], int(d))
        if iso:
            found.append(FoundDate(iso, offset + m.start(), offset + m.end()))
    found.sort(key=lambda f: f.start)
    return found


_MONTH = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[ ]*(?:年[ ]*(?P<m>\d{1,2})[ ]*月(?![ ]*\d)|[\-/.](?P<m2>\d{1,2})(?![\d\-/.]))")


def find_months(text: str, offset: int = 0) -> list[FoundDate]:
    """Months without a day (2023年5月, 2023-05), as ISO year-months: what intention notices give."""
    found = []
    for m in _MONTH.finditer(text):
        month = int(m.group("m") or m.group("m2"))
        if 1 <= month <= 12:
            found.append(FoundDate(f"{int(m.group('y')):04d}-{month:02d}", offset + m.start(), offset + m.end()))
    return found


_COMPACT = re.compile(r"(?<![\d\-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d\-])")


def find_compact_dates(text: str, offset: int = 0) -> list[FoundDate]:
    """Dates written as eight digits (20250603). Only read in a labelled date's value: elsewhere
    eight digits are as likely a project code or a number."""
    found = []
    for m in _COMPACT.finditer(text):
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append(FoundDate(iso, offset + m.start(), offset + m.end()))
    return found


def first_date(text: str, offset: int = 0) -> FoundDate | None:
    dates = find_dates(text, offset)
    return dates[0] if dates else None

"""Dates in every common form of Chinese notices, as ISO strings with their spans.

2025年05月27日 20:20, 2025-05-27, 2025/5/27, 2025.05.27, 二〇二五年五月二十七日. Input is folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<sep>[年\-/.])\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*(?:[:]|时|点)\s*(?:(?P<M>\d{1,2})\s*分?)?(?:\s*:\s*(?P<S>\d{1,2}))?)?"
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS.update({"零": 0, "○": 0, "o": 0, "O": 0})
_CHINESE = re.compile(r"(?P<y>[〇零○一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日")


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


def find_dates(text: str, offset: int = 0) -> list[FoundDate]:
    found = []
    for m in _NUMERIC.finditer(text):
        hh = int(m.group("H")) if m.group("H") else None
        mm = int(m.group("M")) if m.group("M") else None
        iso = _iso(int(m.group("y")), int(m.group("m")), int(m.group("d")), hh, mm)
        if iso:
            end = m.end()
            while end > m.start() and text[end - 1].isspace():
                end -= 1
            found.append(FoundDate(iso, offset + m.start(), offset + end))
    for m in _CHINESE.finditer(text):
        y = int("".join(str(_CN_DIGITS[c]) for c in m.group("y")))
        iso = _iso(y, _cn_small(m.group("m")), _cn_small(m.group("d")))
        if iso:
            found.append(FoundDate(iso, offset + m.start(), offset + m.end()))
    found.sort(key=lambda f: f.start)
    return found


def first_date(text: str, offset: int = 0) -> FoundDate | None:
    dates = find_dates(text, offset)
    return dates[0] if dates else None

"""Dates in every common form of Chinese notices, as ISO strings with their spans.

2025年05月27日 20:20, 2025-05-27, 2025/5/27, 2025.05.27, 二〇二五年五月二十七日 (a zero typed 〇, ○, 零, 0 or
the letter O in any position: 2O23年1O月O9日), and in English
15 March 2021 or March 15, 2021, and Taiwan's 民國 years (111/05/20). Input is folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..model import Fact, Notice
from ..text import fold
from .facts import cite

if TYPE_CHECKING:  # the scan is only named in annotations: importing it would be circular
    from .sections import Scan

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


# --- the notice's dates: which one is its publication ----------------------------------------------

DATE_FIELDS = ("published", "bid_opening", "deadline", "document_period", "notice_period", "contract_signed",
               "intention_time", "original_published")


def date_facts(notice: Notice, text: str, folded: str, scan: Scan, meta: dict) -> None:
    labelled = set()
    for field in DATE_FIELDS:
        for hit in scan.all(field):
            found = find_dates(folded[hit.start:hit.end], hit.start)
            if not found and field == "intention_time":  # 预计采购时间: often a month (2023年5月)
                found = find_months(folded[hit.start:hit.end], hit.start)
            if not found:  # 发布日期：20250603
                found = find_compact_dates(folded[hit.start:hit.end], hit.start)
            for d in found[:2]:
                cite(notice, field, text, d.start, d.end, value=d.iso, note=None if field != "published" else hit.label,
                           lot=hit.lot)
                labelled.add(d.start)
            if field == "published" and found and notice.published is None:
                notice.published = found[0].iso
    if notice.published is None and meta.get("PubDate"):
        d = first_date(fold(meta["PubDate"]))
        if d:
            notice.published = d.iso
            notice.facts.append(Fact("published", d.iso, origin="html-meta", note="<meta name=PubDate>"))
    if notice.published is None:
        # The date line under the heading, else the signature date at the end of the notice.
        heading = next((f for f in notice.facts if f.field == "heading"), None)
        d, note = None, None
        if heading:
            following = [(s, line) for s, line in scan.lines if s > heading.start][:2]
            for s, line in following:
                if len(line) <= 60 and ":" not in line.split(" ")[0] \
                        and not any(w in line for w in scan.voc.not_publication):
                    d = first_date(line, s)
                    if d:
                        note = "date under the heading"
                        break
        method = "position"
        if d is None and scan.cover is not None:
            # A tender document's cover: its date on a short line of its own, among the first lines.
            for s, line in scan.lines[:14]:
                if s > scan.cover[0] and len(line.strip()) <= 20 and ":" not in line:
                    d = first_date(line, s)
                    if d:
                        note, method = "the date on a tender document's cover page", "cover"
                        break
        if d is None:
            # A signature's date stands on a short line of its own; a deadline ("于2023年5月10日前提交…")
            # or a labelled date of another kind (开标时间：…) near the end is not the publication's.
            tail = [x for x in find_dates(folded[-400:], max(0, len(folded) - 400))
                    if x.start not in labelled and _signature_date_line(folded, x, scan.voc.not_publication)]
            d = tail[-1] if tail else None
            note = "date at the end of the notice"
        if d is None:
            signed = next((f for f in notice.facts if f.field == "contract_signed" and f.start is not None), None)
            if signed:  # a year for the sums; never a deadline's or an opening's date
                notice.published = signed.value
                notice.facts.append(Fact("published", signed.value, signed.start, signed.end, origin="derived",
                                         note="no publication date given: the date of the award or contract"))
        if d:
            notice.published = d.iso
            cite(notice, "published", text, d.start, d.end, value=d.iso, note=note, method=method)
    for d in find_dates(folded)[:30]:
        if d.start not in labelled:
            cite(notice, "date", text, d.start, d.end, value=d.iso)


# A signature at the end of a long line (a page flattened to one line): the signing body's name, then its date.
_SIGNED_BY = re.compile(r"(?:公司|局|部|中心|院|委员会|办公室|政府|站|所|学校|大学|厂)\s*$")


def _signature_date_line(folded: str, d, not_publication: tuple) -> bool:
    line_start = folded.rfind("\n", 0, d.start) + 1
    line_end = folded.find("\n", d.end)
    line = folded[line_start:line_end if line_end >= 0 else len(folded)]
    if len(line) <= 40:
        return not any(w in line for w in not_publication)
    # A long line: only what stands just before the date speaks for it (its sentences are the body's).
    before = re.split(r"[。;!?]", folded[max(line_start, d.start - 40):d.start])[-1]
    return not folded[d.end:line_start + len(line)].strip() and bool(_SIGNED_BY.search(before)) and \
        not any(w in before for w in not_publication)

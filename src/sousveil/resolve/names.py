"""Normalized forms of organization names, for matching and for deduplication.

`normalize` folds the name (simplified, half-width, lower case, without accents), drops bracketed
qualifiers ((中国), （杭州）, （集团）), a Latin-script legal form at its end (S.A. de C.V., B.V.,
Ltda., GmbH …: as whole words, not the end of a word) and spaces and punctuation; `parse` also splits a branch (……公司新疆分公司) from its
parent company and strips the legal-form suffix (有限公司, 股份有限公司, Co., Ltd.) and leading
place names (杭州, 浙江省, 北京市) to leave the distinctive core (海康威视数字技术).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ..extract.region import PLACE_SUFFIXES, gazetteer
from ..text import fold

_BRACKETS = re.compile(r"[(\[【（〔][^)\]】）〕]*[)\]】）〕]")
_NOISE = re.compile(r"[\s·・,，.。'\"“”‘’«»„&、/\\-]+")
# Chinese legal forms, at the end of a normalized name; Latin-script ones are `_LATIN_LEGAL`, as words
# (joined, "co" would be the end of Mexico).
_LEGAL = ("股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司", "股份公司", "公司", "集团")
_BRANCH = re.compile(r"^(.+?(?:股份有限公司|有限责任公司|有限公司|公司))(.+?)(分公司|分部|办事处|分院|营业部)$")


@dataclass(frozen=True)
class Name:
    normalized: str  # the whole name, folded, without brackets and spaces
    core: str  # the distinctive part: no place prefix, no legal form
    parent: str | None  # a branch's parent company (normalized), else None


# Legal forms of the Latin-script countries whose buyers write Chinese vendors' subsidiaries and
# resellers, as whole words at the end of a name (after lower-casing; dots and spaces optional).
_LATIN_LEGAL = re.compile(
    r"(?:[\s,;]+(?:s\.?\s?a\.?\s?p\.?\s?i\.?|s\.?\s?a\.?|s\.?\s?r\.?\s?l\.?|s\.?\s?a\.?\s?s\.?|s\.?\s?a\.?\s?c\.?|"
    r"s\.?\s?a\.?\s?c\.?\s?i\.?|s\.?\s?a\.?\s?r\.?\s?l\.?|s\.?\s?de\s?r\.?\s?l\.?|de\s?c\.?\s?v\.?|c\.?\s?v\.?|"
    r"c\.?\s?a\.?|ltda\.?|l\.?\s?l\.?\s?c\.?|l\.?\s?l\.?\s?p\.?|b\.?\s?v\.?|n\.?\s?v\.?|a\.?\s?g\.?|gmbh|s\.?\s?p\.?\s?a\.?|"
    r"pty|pte|pvt|plc|e\.?\s?i\.?\s?r\.?\s?l\.?|corporation|corp|limited|ltd|co|inc|incorporated|group|company|"
    r"ооо|оао|зао|пао|тов)\.?)+\s*$|^(?:ооо|оао|зао|пао|тов)\s+")


def _plain(text: str) -> str:
    """Lower case beyond ASCII and no accents: MÉXICO and México are mexico."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def normalize(name: str) -> str:
    folded = _plain(fold(name or "")).strip()
    return _NOISE.sub("", _BRACKETS.sub("", _LATIN_LEGAL.sub("", folded)))


@functools.lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], tuple[int, ...]]:
    """Province and city names, full and short, and their lengths longest first (浙江省 before 浙江):
    a lookup per length instead of a scan of every place name."""
    names = set()
    for p in gazetteer().places.values():
        if p.level in ("province", "city"):
            names.add(p.name)
            for suffix in PLACE_SUFFIXES:
                if p.name.endswith(suffix) and len(p.name) - len(suffix) >= 2:
                    names.add(p.name[: -len(suffix)])
    return frozenset(names), tuple(sorted({len(n) for n in names}, reverse=True))


def strip_legal_form(name: str) -> str:
    while name.endswith(_LEGAL):  # most names end with one form; the loop strips 集团 + 有限公司 too
        for suffix in _LEGAL:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                name = name[: -len(suffix)]
                break
        else:
            break
    return name


def strip_places(name: str) -> str:
    """Leading place names: 杭州海康威视 -> 海康威视; 中国 stays (中国电信 is a name)."""
    names, lengths = _places()
    changed = True
    while changed:
        changed = False
        for n in lengths:
            if len(name) > n + 1 and name[:n] in names:
                name, changed = name[n:], True
                break
    return name


@functools.lru_cache(maxsize=4096)  # bounded: memory must not grow with the corpus
def parse(name: str) -> Name:
    normalized = normalize(name)
    parent = None
    m = _BRANCH.match(normalized)
    if m:
        parent = m.group(1)
    base = parent or normalized
    core = strip_places(strip_legal_form(base))
    return Name(normalized, core, parent)

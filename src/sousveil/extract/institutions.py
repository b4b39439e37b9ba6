"""Institution names in folded text (东莞市公安局, 绵阳市涪城区人民法院, 国家税务总局东莞市税务局).

To find a buyer no label names (东莞市公安局巡处车辆管理服务项目, 受绵阳市民政局委托). A name is a chain
of gazetteer places, a short qualifier and an institution suffix, possibly nested (广州市公安局 + 天河区分局),
or 中国/国家/中共 + qualifier + a strong suffix; the rules are data (data/institutions.yaml). Precision
first: a company, a project phrase, an address or a span over a separator is no name. Linear: one
gazetteer pass per bounded piece, and each start is extended at most `lookahead` characters.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from types import SimpleNamespace

from ..data_files import load_yaml
from .region import gazetteer


@dataclass(frozen=True)
class Institution:
    name: str
    start: int  # offsets in the caller's text (offset added)
    end: int
    place_code: str | None  # the most specific place named in it (天河区 in 广州市公安局天河区分局)
    suffix: str  # the suffix of the outermost level (分局)


# Names are made of CJK characters only: any other character (punctuation, space, digit) separates.
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# A long run without a separator is read in overlapping pieces, each owning the starts in its first
# _STEP characters; a name and its look-ahead (< 80 characters) fit in the overlap, so none is cut.
_PIECE, _STEP = 400, 300


@functools.lru_cache(maxsize=1)
def _rules() -> SimpleNamespace:
    d = load_yaml("institutions.yaml")

    def by_first(words):  # a word list keyed by first character: a cheap test at each position
        out: dict[str, list[str]] = {}
        for w in sorted(words, key=len, reverse=True):
            out.setdefault(w[0], []).append(w)
        return out

    return SimpleNamespace(
        suffixes=set(d["suffixes"]), lengths=sorted({len(s) for s in d["suffixes"]}, reverse=True),
        needs_qualifier=set(d["needs_qualifier"]), bare_only=set(d["bare_only"]),
        strong=set(d["strong_suffixes"]), prefixes=tuple(d["prefixes"]),
        stops=by_first(d["stop_words"]), joiners=by_first(d["joiners"]),
        company=by_first(d["company_words"]), masks=by_first(d["masks"]),
        firsts={w[0] for k in ("stop_words", "joiners", "company_words", "masks") for w in d[k]},
        lasts={x[-1] for x in d["suffixes"]},  # most characters end no suffix and start no word: skip them
        window=d["window"], lookahead=d["lookahead"], max_q=d["max_qualifier"], max_places=d["max_places"])


def _at(text: str, i: int, words: dict) -> str | None:
    return next((w for w in words.get(text[i], ()) if text.startswith(w, i)), None)


def _extend(run: str, p0: int, r, strong: bool, places: dict) -> tuple[int, str] | None:
    """(end, suffix) of the longest name whose place or prefix ends at p0, or None if doubtful.
    `places` holds where gazetteer places start: an inner level that opens with one may end in a lone
    局 (国家税务总局 + 东莞市税务局), as a level after a place does."""
    best, last = None, p0  # last: where the current level's qualifier begins
    mask_start, mask_end = -1, -1
    hard = min(len(run), p0 + r.lookahead)
    for i in range(p0, hard + 1):
        # A suffix ending here (before run[i]), not inside a phrase read as one word.
        if i > last and i <= p0 + r.window and run[i - 1] in r.lasts and not mask_start < i < mask_end:
            for n in r.lengths:
                s, q = run[i - n:i], i - n - last
                if (n <= i - last and s in r.suffixes and q <= r.max_q
                        and (best is None or n >= 2 or places.get(last))  # else an inner 局, 所 is a word
                        and (q >= 2 or s not in r.needs_qualifier)
                        and (q == 0 and best is None or s not in r.bare_only)
                        and (best is not None or not strong or s in r.strong)):
                    best, last = (i, s), i
                    break
        if i == hard:
            break
        if i == last and best and places.get(i) is False:
            break  # the next name's own place: 东莞市公安局 | 东莞市人民医院
        if i >= mask_end and run[i] in r.firsts:
            m = _at(run, i, r.masks)
            if m:
                mask_start, mask_end = i, i + len(m)
            elif _at(run, i, r.company):
                return None  # a supplier's name, 四川省建筑设计研究院有限公司
            elif i == last and _at(run, i, r.joiners) or _at(run, i, r.stops):
                break
    return best


def _place_code(name: str, gaz) -> str | None:
    """The deepest place of the name that is consistent with those before it; None if ambiguous."""
    groups: dict[tuple[int, int], list] = {}
    for m in gaz.mentions(name, 0, 0):
        groups.setdefault((m.start, m.end), []).append(m.place)
    chosen = None
    for _span, places in sorted(groups.items()):
        fits = [p for p in places if chosen is None or _descends(p, chosen.code, gaz)]
        deepest = [p for p in fits if not any(_descends(o, p.code, gaz) for o in fits)]  # 北京: the city
        if len(deepest) > 1:  # 重庆市 is two cities (500100, 500200) of one province: the province
            deepest = [p for p in fits if all(_descends(o, p.code, gaz) for o in deepest)]
        if len(deepest) == 1:
            chosen = deepest[0]
    return chosen.code if chosen else None


def _descends(p, code: str, gaz) -> bool:
    while p is not None and p.parent and p.parent != code:
        p = gaz.places.get(p.parent)
    return p is not None and p.parent == code


def _candidates(piece: str, owned: int, r, gaz):
    """(start, end, suffix) for names starting in piece[:owned]."""
    at: dict[int, list] = {}
    ends: dict[int, int] = {}
    for m in gaz.mentions(piece, 0, 0):
        at.setdefault(m.start, []).append(m.place)
        ends[m.start] = max(ends.get(m.start, 0), m.end)
    for s in sorted(ends):
        if s >= owned:
            break
        e, last, n = ends[s], s, 1
        while e in ends and n < r.max_places:  # 广东省东莞市, 绵阳市涪城区
            e, last, n = ends[e], e, n + 1
        # An inner level may open with a place inside the chain's (广州市公安局 + 天河区分局); one
        # elsewhere begins the next name (东莞市公安局东莞市人民医院 is two).
        inner = {i: any(_descends(p, q.code, gaz) for p in at[i] for q in at[last])
                 for i in range(e, e + r.window) if i in at}
        found = _extend(piece, e, r, False, inner)
        if found:
            start = s - 2 if piece[max(0, s - 2):s] in r.prefixes else s  # 中共东莞市委员会
            yield start, found[0], found[1]
    anywhere = dict.fromkeys(at, True)  # after 国家税务总局 any place opens a level
    for p in r.prefixes:
        i = piece.find(p)
        while 0 <= i < owned:
            found = _extend(piece, i + len(p), r, True, anywhere)
            if found:
                yield i, found[0], found[1]
            i = piece.find(p, i + 1)


def find_institutions(folded: str, offset: int = 0) -> list[Institution]:
    """Every institution name in folded text, left to right, none overlapping (the earliest, longest wins)."""
    r, gaz = _rules(), gazetteer()
    spans = []
    for run in _RUN.finditer(folded):
        text, base = run.group(), run.start()
        for k in range(0, len(text), _STEP):
            owned = len(text) - k if k + _PIECE >= len(text) else _STEP
            for s, e, suffix in _candidates(text[k:k + _PIECE], owned, r, gaz):
                spans.append((base + k + s, base + k + e, suffix))
            if k + _PIECE >= len(text):
                break
    out, covered = [], 0
    for s, e, suffix in sorted(spans, key=lambda t: (t[0], -t[1])):
        if s >= covered:
            name = folded[s:e]
            out.append(Institution(name, offset + s, offset + e, _place_code(name, gaz), suffix))
            covered = e
    return out


def first_institution(folded: str) -> Institution | None:
    return next(iter(find_institutions(folded)), None)

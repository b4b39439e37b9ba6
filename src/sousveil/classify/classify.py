"""Tags for one notice: a pure function of its stored text and buyer type.

One pass of the automaton finds every term and veto phrase. A match counts unless it lies
inside a longer match of its category (a weak one: of any category) or a veto phrase of its
category, or a context-veto word stands near it.
Weak matches count only with support (see data/taxonomy.yaml).
"""

from __future__ import annotations

import bisect
import re

from ..model import Tag
from ..text import fold
from .taxonomy import CJK_START, Taxonomy, Term, lower, taxonomy

SNIPPET = 30


def _word_char(c: str) -> bool:
    return c.isalnum() and ord(c) < CJK_START  # a letter of a spaced script (Latin, Cyrillic) or a digit


def _word_boundary(text: str, start: int, end: int, stem: bool = False) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not _word_char(before) and (stem or not _word_char(after))


def snippet(text: str, start: int, end: int, width: int = SNIPPET) -> str:
    s = max(0, start - width)
    e = min(len(text), end + width)
    return ("…" if s > 0 else "") + text[s:e].replace("\n", " ").replace("\t", " ") + ("…" if e < len(text) else "")


# A company's name standing alone between spaces, tabs or punctuation (a bidder in a table, flattened or
# not, that no label names): …安防工程有限公司.
_COMPANY_TOKEN = re.compile(r"(?:^|(?<=[\s,，;；:：、。()（）]))[^\s,，;；:：、。()（）]{4,28}(?:有限责任公司|有限公司|公司|集团)"
                            r"(?=$|[\s,，;；:：、。()（）\d])")


def party_spans(folded: str, names) -> list[tuple[int, int]]:
    """Every occurrence of the parties' names, and of any company's name standing alone: a supplier
    called 某某安防工程有限公司 is not evidence that the notice buys surveillance."""
    spans = [m.span() for m in _COMPANY_TOKEN.finditer(folded)]
    for name in {fold(n) for n in names if n and len(n) >= 4}:
        i = folded.find(name)
        while i >= 0:
            spans.append((i, i + len(name)))
            i = folded.find(name, i + 1)
    return spans


def classify(text: str, buyer_type: str = "other", tax: Taxonomy | None = None, folded: str | None = None,
             exclude: list[tuple[int, int]] = ()) -> list[Tag]:
    """Tags of `text`; matches inside `exclude` spans (party names) do not count."""
    tax = tax or taxonomy()
    folded = lower(folded if folded is not None else fold(text))
    matches = []  # (start, end, Term)
    vetoes = []  # (start, end, category)
    for end, (length, items) in tax.automaton.iter(folded):
        start = end - length + 1
        for item in items:
            if isinstance(item, Term):
                if item.ascii and not _word_boundary(folded, start, end + 1, item.stem):
                    continue
                stop = end + 1
                while item.stem and stop < len(folded) and _word_char(folded[stop]):
                    stop += 1  # a stem's tag spans the whole word (видеонаблюдения)
                matches.append((start, stop, item))
            else:
                vetoes.append((start, end + 1, item[1]))
    if not matches:
        return []
    # Longer matches of the same category hide the ones inside them (监控 in 视频监控); a weak term is
    # hidden inside a longer term of any category too (监控 in 舆情监控, 信息采集 in 手机信息采集).
    # Only spans that start at most their longest length before a match can hold it: looking at those
    # alone keeps a notice of 10,000 table rows linear.
    within_match, within_veto, within_party = _Spans(matches), _Spans(vetoes), _Spans([(a, b, None) for a, b in exclude])
    kept = []
    for s, e, t in matches:
        weak = _strength(t, buyer_type) == "weak"
        if any((e2 - s2) > (e - s) and (weak or t2.category == t.category) for s2, e2, t2 in within_match.holding(s, e)):
            continue
        if any(c == t.category for _, _, c in within_veto.holding(s, e)):
            continue
        if any(True for _ in within_party.holding(s, e)):
            continue
        cat = tax.categories[t.category]
        if cat.context_vetoes:
            window = folded[max(0, s - cat.context_window):e + cat.context_window]
            if any(w in window for w in cat.context_vetoes):
                continue
        kept.append((s, e, t))

    explicit_terms: dict[str, str] = {}
    for s, e, t in kept:
        if _strength(t, buyer_type) == "explicit":
            explicit_terms.setdefault(t.category, t.term)

    tags: dict[tuple[str, str], Tag] = {}
    for s, e, t in kept:
        cat = tax.categories[t.category]
        strength = _strength(t, buyer_type)
        support = None
        if strength == "weak":
            if buyer_type in cat.support_buyer_types:
                support = f"buyer type {buyer_type}"
            elif t.category in explicit_terms:
                support = f"explicit term {explicit_terms[t.category]} in the same notice"
            else:
                continue
            strength = "supported"
        key = (t.category, t.term)
        if key in tags:
            tags[key].count += 1
            continue
        tags[key] = Tag(category=t.category, kind=cat.kind, term=t.term, strength=strength, start=s, end=e,
                        snippet=snippet(text, s, e), support=support, needs_review=cat.needs_review)
    return sorted(tags.values(), key=lambda tg: tg.start)


class _Spans:
    """(start, end, item) spans, sorted, to find the ones holding a given span without a scan of all."""

    def __init__(self, spans):
        self.spans = sorted(spans, key=lambda x: x[0])
        self.starts = [x[0] for x in self.spans]
        self.longest = max((x[1] - x[0] for x in self.spans), default=0)

    def holding(self, s: int, e: int):
        lo = bisect.bisect_left(self.starts, s - self.longest)
        hi = bisect.bisect_right(self.starts, s)
        return (x for x in self.spans[lo:hi] if x[1] >= e)


def _strength(t: Term, buyer_type: str) -> str:
    if t.explicit_for:
        return "explicit" if buyer_type in t.explicit_for else "weak"
    return t.strength


def categories_of(tags: list[Tag]) -> list[str]:
    return sorted({t.category for t in tags if t.kind == "capability"})

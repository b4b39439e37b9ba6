"""A fact cites its span and says how it was found: its method and the confidence that earns (data/methods.yaml)."""

from __future__ import annotations

import bisect
import functools
from typing import TYPE_CHECKING

from ..data_files import load_yaml
from ..model import Fact, Notice

if TYPE_CHECKING:  # the scan is only named in annotations: importing it would be circular
    from .sections import Scan


_METHOD_OF_ORIGIN = {"derived": "derived", "html-meta": "metadata", "url": "url", "inferred": "inferred"}


@functools.lru_cache(maxsize=1)
def method_priors() -> dict[str, float]:
    """The confidence each method earns (data/methods.yaml)."""
    return {m: float(spec["confidence"]) for m, spec in load_yaml("methods.yaml")["methods"].items()}


def assign_methods(notice: Notice, scan: Scan) -> None:
    """Every fact says how it was found and with what confidence: its own method, else its origin's,
    else the method of the label hit or table cell its span lies in, else its position in the text."""
    priors = method_priors()
    hits = sorted(scan.hits, key=lambda h: h.start)
    hit_starts = [h.start for h in hits]
    cells = sorted((c.start, c.end) for table, _, _ in scan.tables for row in table.rows for c in row if c.text)
    cell_starts = [s for s, _ in cells]
    for f in notice.facts:
        if f.method is None:
            f.method = _METHOD_OF_ORIGIN.get(f.origin)
        if f.method is None and f.start is not None:
            hit = _holding(hits, hit_starts, f.start, f.end, lambda h: (h.start, h.end))
            if hit is not None:
                f.method = hit.method
            elif _holding(cells, cell_starts, f.start, f.end, lambda c: c) is not None:
                f.method = "table"
        f.method = f.method or "position"
        f.confidence = priors[f.method]


def _holding(spans: list, starts: list[int], start: int, end: int, bounds, near: int = 8):
    """The span among the `near` last ones starting at or before `start` that holds start..end: a fact
    lies in the label value or cell it came from, which starts just before it (linear in all)."""
    i = bisect.bisect_right(starts, start)
    for span in reversed(spans[max(0, i - near):i]):
        s, e = bounds(span)
        if s <= start and end <= e:
            return span
    return None


def cite(notice: Notice, field: str, text: str, start: int, end: int, value: str | None = None, **kw) -> Fact:
    fact = Fact(field, value if value is not None else text[start:end], start, end, **kw)
    notice.facts.append(fact)
    return fact

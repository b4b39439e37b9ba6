"""A fact cites its span and says how it was found: its method and the confidence that earns (data/methods.yaml)."""

from __future__ import annotations

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
    cells = [(c.start, c.end) for table, _, _ in scan.tables for row in table.rows for c in row if c.text]
    for f in notice.facts:
        if f.method is None:
            f.method = _METHOD_OF_ORIGIN.get(f.origin)
        if f.method is None and f.start is not None:
            hit = next((h for h in scan.hits if h.start <= f.start and f.end <= h.end), None)
            if hit is not None:
                f.method = hit.method
            elif any(s <= f.start and f.end <= e for s, e in cells):
                f.method = "table"
        f.method = f.method or "position"
        f.confidence = priors[f.method]


def cite(notice: Notice, field: str, text: str, start: int, end: int, value: str | None = None, **kw) -> Fact:
    fact = Fact(field, value if value is not None else text[start:end], start, end, **kw)
    notice.facts.append(fact)
    return fact

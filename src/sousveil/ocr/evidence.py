"""Where each recognised line stands in the stored text: a fact's span maps back to its page and box.

The text of a scanned page passes through tidy_text and redaction like any text, which shift it. Each line
is found again in the stored (redacted) text, in reading order, just after the line before it; a line that
is not there word for word was changed, by redaction (联系人：张伟 -> 联系人：[姓名已删除]) or tidying, and takes
the text between its neighbours. The part of its box that redaction removed is blacked out on any image
shown. Linear in the text: each search looks only a line's length ahead.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from ..extract.facts import method_priors
from ..model import Notice
from .engine import char_widths

_SEPARATORS = "\n\t "
_AHEAD = 8  # characters of separators and tidied white space a line may start after the one before
_SLACK = 40  # characters a changed line may have grown by (a redaction marker is at most 8)
SUMS = frozenset(("award", "award_total", "budget", "budget_total", "ceiling_price", "proposed_price"))
DIGITS_SURE = 0.9  # the engine's confidence below which the digits of a sum are flagged for a look at the image


@dataclass
class Placed:
    """A recognised line: its span in the stored text, its page and box (pixels of the page image)."""

    page: int
    start: int
    end: int
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    blackout: list  # (x0, x1) parts of the box that redaction removed


def place(pages: list, text: str, redactions) -> list[Placed]:
    """Place the lines of the OCR'd pages in `text`, and replace each line's text by what it became in it
    (so that nothing unredacted outlives this call: the cache keeps those lines)."""
    marks = sorted((r.start, r.end) for r in redactions)
    mark_starts = [s for s, _ in marks]
    out: list[Placed] = []
    cursor = 0
    for page in pages:
        pending = []  # lines not found word for word since the last one found
        for i in page.order:
            line = page.lines[i]
            limit = cursor + len(line.text) + _AHEAD + sum(len(page.lines[j].text) + _SLACK for j in pending)
            at = text.find(line.text, cursor, limit) if line.text else -1
            if at < 0:
                pending.append(i)
                continue
            _fill(page, pending, text, cursor, at, marks, mark_starts, out)
            pending = []
            out.append(_placed(page, line, at, at + len(line.text)))
            cursor = at + len(line.text)
        if pending:  # changed lines at the end of the page: as many rows or cells of the text as there are lines
            limit = min(len(text), cursor + sum(len(page.lines[j].text) + _SLACK for j in pending))
            end = cursor
            while end < limit and text[end] in _SEPARATORS:
                end += 1
            for _ in pending:
                cut = _next_separator(text, end + 1, limit)
                end = cut if cut >= 0 else limit
            cursor = _fill(page, pending, text, cursor, end, marks, mark_starts, out)
    used = {(id(p), i) for p in pages for i in p.order}
    for page in pages:  # a line the layout left out keeps no text
        for i, line in enumerate(page.lines):
            if (id(page), i) not in used:
                line.text = ""
    return sorted(out, key=lambda p: p.start)


def _next_separator(text: str, start: int, limit: int) -> int:
    cuts = [i for i in (text.find("\n", start, limit), text.find("\t", start, limit)) if i >= 0]
    return min(cuts) if cuts else -1


def _placed(page, line, start: int, end: int) -> Placed:
    return Placed(page.page, start, end, line.x0, line.y0, line.x1, line.y1, line.confidence, list(line.blackout))


def _fill(page, pending: list[int], text: str, start: int, end: int, marks, mark_starts, out) -> int | None:
    """Give the changed lines between two found ones the text between them: split at separators when there
    are as many pieces as lines, else each the whole stretch. Returns the end of what they took."""
    if not pending:
        return None
    while start < end and text[start] in _SEPARATORS:
        start += 1
    stop = end
    while stop > start and text[stop - 1] in _SEPARATORS:
        stop -= 1
    pieces = _split(text, start, stop, len(pending))
    for i, (s, e) in zip(pending, pieces):
        line = page.lines[i]
        new = text[s:e]
        k = bisect.bisect_left(mark_starts, e)
        if s < e and k and marks[k - 1][1] > s and new != line.text:
            line.blackout = [_removed(line, new)]
        line.text = new
        if s < e:
            out.append(_placed(page, line, s, e))
    return stop


def _split(text: str, start: int, stop: int, n: int) -> list[tuple[int, int]]:
    if n == 1:
        return [(start, stop)]
    cuts = [i for i in range(start, stop) if text[i] in "\n\t"]
    if len(cuts) != n - 1:
        return [(start, stop)] * n
    bounds = [start, *cuts, stop]
    return [(bounds[k] + (k > 0), bounds[k + 1]) for k in range(n)]


def _removed(line, new: str) -> tuple[float, float]:
    """The stretch of the line's box that the redaction replaced: what differs between the recognised text
    and what it became, in proportion of the box's width (a Chinese character as wide as two digits)."""
    old = line.text
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    q = 0
    while q < min(len(old), len(new)) - p and old[-1 - q] == new[-1 - q]:
        q += 1
    units = char_widths(old)
    total = max(sum(units), 1)
    scale = (line.x1 - line.x0) / total
    before, removed = sum(units[:p]), sum(units[p:len(old) - q])
    # Half a unit more on each side: better a letter too many blacked out than a stroke of a name left.
    return (max(line.x0, line.x0 + (before - 0.5) * scale), min(line.x1, line.x0 + (before + removed + 0.5) * scale))


def covering(placed: list[Placed], starts: list[int], start: int, end: int) -> list[Placed]:
    """The placed lines a span overlaps (placed sorted by start, starts their starts)."""
    i = bisect.bisect_left(starts, end)
    out = []
    while i > 0 and placed[i - 1].end > start:
        i -= 1
        out.append(placed[i])
        if len(out) > 1000:  # a span over a whole scanned document: its first lines are enough evidence
            break
    return out[::-1]


def mark_facts(notice: Notice, placed: list[Placed]) -> None:
    """A fact read from OCR text says so: method `ocr`, the engine's confidence (at most the prior of the
    way the text was read), and a flag on the digits of a sum the engine was unsure of."""
    if not placed:
        return
    priors = method_priors()
    starts = [p.start for p in placed]
    for f in notice.facts:
        if f.start is None or f.end is None:
            continue
        lines = covering(placed, starts, f.start, f.end)
        if not lines:
            continue
        engine = min(p.confidence for p in lines)
        pages = sorted({p.page for p in lines})
        how = f.method or "position"
        notes = [f"OCR p.{','.join(map(str, pages))}, read as {how} ({engine:.2f})"]
        if f.field in SUMS and f.value and any(c.isdigit() for c in f.value) and engine < DIGITS_SURE:
            notes.append("digits unsure: check the page image")
        f.note = "; ".join([*([f.note] if f.note else []), *notes])
        f.method = "ocr"
        f.confidence = round(min(priors.get(how, priors["ocr"]), engine), 3)

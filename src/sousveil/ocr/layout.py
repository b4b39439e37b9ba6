"""Recognised lines -> the page's text in the layout convert.py gives HTML: a line per block, a tab between
the cells of a table row, so that extraction reads a scanned award table as it reads an HTML one.

Tables are found by their ruled lines (the grid of a printed table, opened out of the page image with a
long thin kernel); each recognised line goes to the cell holding its centre, and a cell's lines are joined
as the cell's text. Outside tables, lines that share a band of the page are one row, read left to right;
a wide gap between them is a cell boundary (a table without rules). The cells of such a table are rebuilt
from the lines themselves: a row whose cells wrap is held together by the centred cells beside them, and a
line the engine read across cells is cut at the columns of the row above. A line continues on the next (a
wrapped paragraph) when the next one's first word would not have fitted at its end. Rows, ruled or not,
are read top to bottom. Work is linear in the lines of the page after one sort.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass

import numpy as np

from .engine import Line, char_widths

_GAP_CELL = 0.8  # a gap of this many line heights between two lines of a band separates cells (the engine
# itself keeps the words of a run of text in one line)
_MIN_CELL = 1.2  # a ruled cell is at least this many line heights high and wide
_MAX_CELL_ROWS = 4  # a ruled box holding more rows of text than this is a framed passage, not a table cell
_LONGEST_LABEL = 12  # characters of the longest label a cell may start with
_INNER_LABEL = 4  # characters of a label found inside a cell (采购方式, 项目编号): shorter ones occur in names
_SKEW_MIN = 0.2  # degrees below which the page is taken as straight
_WRAP_ROOM = 1.5  # line heights left at the right margin: the line wrapped (a character did not fit)
_ROW_OVERLAP = 0.2  # of a line's height: lines of two columns overlapping so much stand in one table row


@dataclass
class _Box:
    index: int  # the line's position in the engine's list
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def skew(quads: list) -> float:
    """The page's skew in degrees, from the top edges of the long lines (median: robust to a stamp's text)."""
    angles = []
    for q in quads:
        (x0, y0), (x1, y1) = q[0], q[1]
        if abs(x1 - x0) > 4 * abs(q[3][1] - q[0][1]):
            angles.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
    return float(np.median(angles)) if angles else 0.0


def lay_out(lines: list[Line], gray: np.ndarray, angle: float = 0.0) -> tuple[list[str], list[int]]:
    """The page's text lines, and the engine's line indices in the order their text appears in them."""
    rows = lay_out_rows(lines, gray, angle)
    return [text for text, _ in rows], [i for _, held in rows for i in held]


def lay_out_rows(lines: list[Line], gray: np.ndarray, angle: float = 0.0) -> list[tuple[str, list[int]]]:
    """The page's text lines, each with the engine's line indices its text holds, in that order."""
    if not lines:
        return []
    h, w = gray.shape[:2]
    boxes = [_Box(i, ln.x0, ln.y0, ln.x1, ln.y1, ln.text) for i, ln in enumerate(lines)]
    if abs(angle) >= _SKEW_MIN:  # read the page straightened: rows and rules are level then
        gray, boxes = _straighten(gray, boxes, angle)
    height = float(np.median([b.y1 - b.y0 for b in boxes]))
    cells = _cells(gray, height)
    in_cell: dict[int, list[_Box]] = {}
    free = []
    for b in boxes:
        c = _cell_of(cells, b)
        if c is None:
            free.append(b)
        else:
            in_cell.setdefault(c, []).append(b)
    for c, held in list(in_cell.items()):
        if len(_bands(held, height)) > _MAX_CELL_ROWS:  # a box around a passage, not a cell: its lines stay lines
            free += in_cell.pop(c)
    # Elements to read top to bottom: (top, kind, content)
    elements = [(min(b.y0 for b in row), kind, row) for kind, row in _rows(_bands(free, height), height)]
    for row in _table_rows([c for c in range(len(cells)) if c in in_cell or _inside_table(cells, c, in_cell)],
                           cells, height):
        elements.append((min(cells[c][1] for c in row), "table", row))
    elements.sort(key=lambda e: e[0])
    right = max((b.x1 for b in free), default=w)
    out, held = [], []  # the rows' texts, and the line indices each holds
    room = None  # the space left at the right of the last free row, when a row without cells
    columns: list[float] = []  # where the cells of the last free row start, when a row of cells
    for _, kind, content in elements:
        if kind == "table":
            texts, order = [], []
            for c in content:
                parts = [b for band in _bands(in_cell.get(c, []), height) for b in band]
                texts.append(_join(parts))
                order += [b.index for b in parts]
            out.append("\t".join(texts))
            held.append(order)
            room, columns = None, []
            continue
        if kind == "wrapped":
            texts, columns, order = [], [], []
            for column in _columns(content, height):
                parts = [b for band in _bands(column, height) for b in band]
                texts.append(_split_label(_join(parts)))
                order += [b.index for b in parts]
                columns.append(min(b.x0 for b in column))
            out.append("\t".join(texts))
            held.append(order)
            room = None
            continue
        row = content
        cells = any(b.x0 - a.x1 > _GAP_CELL * height for a, b in zip(row, row[1:]))  # a row of cells without rules
        # or one the engine read as one line, under a row of cells: it starts at their first column, runs
        # across the next and starts with a label glued to its value (采购代理机构镇江市…发布日期2025/3/15)
        read_as_one = not cells and len(row) == 1 and bool(columns) and abs(row[0].x0 - columns[0]) < height and \
            any(row[0].x0 + height < x < row[0].x1 for x in columns[1:]) and _glued_label(row[0].text) > 0
        pieces, last, starts, order = [], None, [row[0].x0], []
        for b in row:
            if last is not None:
                wide = b.x0 - last.x1 > _GAP_CELL * height
                pieces.append("\t" if wide else _space(last.text, b.text))
                starts += [b.x0] if wide else []
            pieces.append(_cut_at_columns(b, columns, height) if cells else b.text)
            starts += [x for x in columns if "\t" in pieces[-1] and b.x0 < x < b.x1]
            order.append(b.index)
            last = b
        if cells or read_as_one:
            pieces = [_split_label(p) for p in pieces]
        text = "".join(pieces)
        columns = starts if cells else columns if read_as_one else []
        # A row continues the last when the space left on it was too narrow for the first word of this one:
        # a character (a line run to the margin), or a number or Latin word a browser does not break.
        if room is not None and "\t" not in text and room <= max(_WRAP_ROOM * height, _lead(row[0]) + height / 2):
            out[-1] += _space(out[-1], text) + text
            held[-1] += order
        else:
            out.append(text)
            held.append(order)
        room = None if "\t" in text else right - row[-1].x1
    return list(zip(out, held))


def _cut_at_columns(b: _Box, columns: list[float], height: float) -> str:
    """A line that the engine read across a column of the row of cells above it (1中国电子科学研究院223,892.66
    under 包号 | 成交供应商 | 成交金额) is cut where the column starts, if Chinese and Latin or digits meet
    within two characters of there (the characters' positions estimated from their widths)."""
    inside = [x for x in columns if b.x0 + height < x < b.x1 - height / 2]
    if not inside or len(b.text) < 2:
        return b.text
    widths = char_widths(b.text)
    scale = (b.x1 - b.x0) / max(sum(widths), 1)
    edges = [b.x0 + scale * w for w in itertools.accumulate(widths, initial=0)]  # x before each character
    cuts = []
    for x in inside:
        at = min(range(1, len(widths)), key=lambda i: abs(edges[i] - x))
        near = [i for i in range(max(1, at - 2), min(len(widths), at + 3)) if widths[i - 1] != widths[i]]
        if near:
            cuts.append(min(near, key=lambda i: abs(i - at)))
    text = b.text
    for i in sorted(set(cuts), reverse=True):
        text = text[:i] + "\t" + text[i:]
    return text


def _straighten(gray: np.ndarray, boxes: list[_Box], angle: float) -> tuple[np.ndarray, list[_Box]]:
    import cv2

    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    out = []
    for b in boxes:
        corners = np.array([[b.x0, b.y0, 1], [b.x1, b.y0, 1], [b.x0, b.y1, 1], [b.x1, b.y1, 1]]) @ m.T
        out.append(_Box(b.index, corners[:, 0].min(), corners[:, 1].min(), corners[:, 0].max(), corners[:, 1].max(),
                        b.text))
    # The corners of a rotated box make it taller than its line; shrink it back around its centre.
    tall = math.tan(math.radians(abs(angle)))
    for b in out:
        extra = (b.x1 - b.x0) * tall / 2
        if b.y1 - b.y0 > 2 * extra:
            b.y0, b.y1 = b.y0 + extra, b.y1 - extra
    return gray, out


def _cells(gray: np.ndarray, height: float) -> list[tuple[int, int, int, int]]:
    """The cells of the ruled tables on the page: (x0, y0, x1, y1) of each space enclosed by rules."""
    import cv2

    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    # Rules are found at half the resolution when lines are tall enough (a 300 dpi page): any ink of a 2 x 2
    # square is ink there, so a rule a pixel wide is kept, and the search takes a quarter of the time.
    scale = 2 if height >= 24 else 1
    if scale > 1:
        ink = cv2.resize(ink, (ink.shape[1] // scale, ink.shape[0] // scale), interpolation=cv2.INTER_AREA)
        ink = np.where(ink > 0, 255, 0).astype(np.uint8)  # which joins, as the dilation below, a broken rule
        height /= scale
    else:
        ink = cv2.dilate(ink, np.ones((3, 3), np.uint8))  # a thin rule broken by noise or a slight slope holds together
    h, w = ink.shape[:2]
    # Longer than any stroke of a character: three lines' height across, one line's height down (a row
    # of one line is not much taller than its line).
    across, down = max(int(3 * height), 20), max(int(height), 10)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (across, 1)))
    verticals = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, down)))
    rules |= verticals
    if not rules.any():
        return []
    # Close the corners, where a printed rule is lighter or the two rules do not quite meet.
    close = max(int(height / 6), 3)
    rules = cv2.dilate(rules, np.ones((close, close), np.uint8))
    # Close each table's outline: one split over two pages has its last row open at the foot of the page
    # (and its first open at the head of the next), its inner rules stopping short of the outer ones.
    n, _, boxes, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    for x, y, bw, bh, _ in boxes[1:n] if n > 1 else []:
        if bw <= 3 * height or bh <= 2 * height:
            continue
        cv2.rectangle(rules, (int(x), int(y)), (int(x + bw - 1), int(y + bh - 1)), 255, close)
        m, _, inner, _ = cv2.connectedComponentsWithStats(verticals[y:y + bh, x:x + bw], connectivity=8)
        for vx, vy, vw, vh, _ in inner[1:m] if m > 1 else []:
            if bh - (vy + vh) < 1.5 * height:
                rules[y + vy + vh:y + bh, x + vx:x + vx + vw + close] = 255
            if vy < 1.5 * height:
                rules[y:y + vy, x + vx:x + vx + vw + close] = 255
    n, _, stats, _ = cv2.connectedComponentsWithStats(255 - rules, connectivity=4)
    least = _MIN_CELL * height
    cells = []
    for x, y, cw, ch, area in stats[1:n] if n > 1 else []:
        if x == 0 or y == 0 or x + cw >= w or y + ch >= h:
            continue  # the page around the tables
        if cw >= least and ch >= least and area >= 0.7 * cw * ch:
            cells.append((int(x) * scale, int(y) * scale, int(x + cw) * scale, int(y + ch) * scale))
    return cells


def _cell_of(cells, b: _Box) -> int | None:
    for i, (x0, y0, x1, y1) in enumerate(cells):
        if x0 <= b.cx <= x1 and y0 <= b.cy <= y1:
            return i
    return None


def _inside_table(cells, c: int, in_cell: dict) -> bool:
    """An empty cell is kept when a cell with text shares its band (an empty column of a row)."""
    x0, y0, x1, y1 = cells[c]
    return any(cells[o][1] < y1 and y0 < cells[o][3] for o in in_cell)


def _table_rows(ids: list[int], cells, height: float) -> list[list[int]]:
    """Cells whose tops are level make a row, read left to right."""
    rows: list[list[int]] = []
    top = None
    for c in sorted(ids, key=lambda c: cells[c][1]):
        if top is None or cells[c][1] - top > height / 2:
            rows.append([])
            top = cells[c][1]
        rows[-1].append(c)
    return [sorted(r, key=lambda c: cells[c][0]) for r in rows]


def _bands(boxes: list[_Box], height: float) -> list[list[_Box]]:
    """Lines whose centres lie within half a line of the first line of a band are one row, read left to right."""
    rows: list[list[_Box]] = []
    anchor = None
    for b in sorted(boxes, key=lambda b: b.cy):
        if anchor is not None and b.cy - anchor < height / 2:
            rows[-1].append(b)
        else:
            rows.append([b])
            anchor = b.cy
    return [sorted(r, key=lambda b: b.x0) for r in rows]


def _rows(bands: list[list[_Box]], height: float) -> list[tuple[str, list[_Box]]]:
    """Bands -> rows. A row of a table without rules whose cells wrap spans several bands: a cell of one
    line stands centred beside the two lines of its neighbour (as a browser prints a table), overlapping
    both. Such bands are one "wrapped" row; other bands are "free" rows. Linear: a band is compared with
    the one before it."""
    rows: list[tuple[str, list[_Box]]] = []
    for band in bands:
        if rows and _beside(rows[-1][1], band, height):
            rows[-1] = ("wrapped", rows[-1][1] + band)
        else:
            rows.append(("free", band))
    return rows


def _beside(above: list[_Box], band: list[_Box], height: float) -> bool:
    """A line of the band and a line above it in another column share at least _ROW_OVERLAP of a line's height."""
    top = min(b.y0 for b in band)
    return any(min(a.y1, b.y1) - max(a.y0, b.y0) >= _ROW_OVERLAP * height and (a.x1 < b.x0 or b.x1 < a.x0)
               for a in above if a.y1 > top for b in band)


def _columns(row: list[_Box], height: float) -> list[list[_Box]]:
    """The columns of a wrapped row, left to right: lines whose x-extents overlap are one column (the lines of
    a cell start at its left edge; the cells of such a table may stand closer than a cell gap)."""
    columns: list[list[_Box]] = []
    right = 0.0
    for b in sorted(row, key=lambda b: b.x0):
        if columns and b.x0 < right:
            columns[-1].append(b)
            right = max(right, b.x1)
        else:
            columns.append([b])
            right = b.x1
    return columns


@functools.lru_cache(maxsize=1)
def _cell_labels() -> frozenset:
    """The labels of data/labels.yaml (采购人) and the column headers (包号, 成交供应商) a cell may hold."""
    from ..extract.labels import vocabulary

    voc = vocabulary()
    return frozenset(voc.cell_labels | voc.column_of.keys())


def _glued_label(cell: str) -> int:
    """The length of the longest label of data/labels.yaml the cell starts with when its value follows without
    a colon (采购代理机构镇江市…), else 0 (项目概况：…; 采购方式 alone is a label, not 采购方 and 式)."""
    from ..text import fold

    labels = _cell_labels()
    folded = fold(cell)
    for k in range(min(_LONGEST_LABEL, len(cell)), 1, -1):
        if folded[:k] in labels:
            return k if k < len(cell) and folded[k] not in ":：\t " else 0
    return 0


def _split_label(cell: str) -> str:
    """A cell of a row without rules that the engine read together with its neighbours, labels and their
    values (采购代理机构内蒙古…有限公司, …监测服务采购方式单一来源, 包号成交供应商): each label or column header of
    data/labels.yaml in it becomes a cell of its own, as in the HTML table it was printed from. A label
    inside the cell must be of _INNER_LABEL characters or more, with text before and after it."""
    from ..extract.labels import vocabulary
    from ..extract.names import ORG_SUFFIXES
    from ..text import fold

    voc = vocabulary()
    name_goes_on = ("有限", "股份", "咨询", "服务", *ORG_SUFFIXES)
    labels = _cell_labels()
    folded = fold(cell)
    glued = _glued_label(cell)
    cuts = [glued] if glued else []
    inner = []
    for end, label in voc.automaton.iter_long(folded):
        start = end + 1 - len(label)
        if len(label) >= _INNER_LABEL and start >= 2 and end + 1 < len(cell) and label in labels and \
                folded[end + 1] not in ":：\t " and (not cuts or start >= cuts[-1]) and \
                not folded.startswith(name_goes_on, end + 1):  # 智联招标代理有限公司 is a name
            inner.append((start, end + 1))
    for i, (start, end) in enumerate(inner):
        if i + 1 < len(inner) and inner[i + 1][0] == end:
            continue  # a label is followed by its value, not by a label: 设备采购项目采购方式 ends a title
        cuts += [start, end]
    for at in sorted(set(cuts), reverse=True):
        cell = cell[:at] + "\t" + cell[at:]
    return cell


def _lead(b: _Box) -> float:
    """The width of the line's first word: a run of Latin letters, digits and their punctuation after a
    currency sign (122.5万元 -> 122.5, ￥1,120,087.00 whole), else its first character; from the line's width,
    a Chinese character as wide as two digits."""
    word = re.match(r"[￥¥$]?[A-Za-z0-9.,%/:_-]+", b.text)
    lead = word.group() if word else b.text[:1]
    return (b.x1 - b.x0) * sum(char_widths(lead)) / max(sum(char_widths(b.text)), 1)


def _space(before: str, after: str) -> str:
    """Latin words and numbers keep a space between them; Chinese characters are written together."""
    return " " if before and after and before[-1].isascii() and before[-1].isalnum() and \
        after[0].isascii() and after[0].isalnum() else ""


def _join(parts: list[_Box]) -> str:
    out = ""
    for b in parts:
        out += _space(out, b.text) + b.text
    return out

"""Tables in stored text: a header line whose tab-separated cells are known column labels,
followed by rows with the same number of cells."""

from __future__ import annotations

from dataclasses import dataclass

from .labels import column_label


@dataclass
class Cell:
    text: str  # folded
    start: int
    end: int


@dataclass
class Table:
    columns: list[str | None]  # column per position (None: unknown)
    headers: list[str]  # folded header text per position (with unit)
    rows: list[list[Cell]]
    start: int  # span of the header line
    end: int


def split_cells(line: str, offset: int) -> list[Cell]:
    cells, pos = [], offset
    for part in line.split("\t"):
        lead = len(part) - len(part.lstrip())
        stripped = part.strip()
        cells.append(Cell(stripped, pos + lead, pos + lead + len(stripped)))
        pos += len(part) + 1
    return cells


def header_columns(line: str) -> tuple[list[str | None], list[str]] | None:
    """Columns of a header line, or None when the line is not a table header."""
    if "\t" not in line:
        return None
    cells = [c.strip() for c in line.split("\t")]
    if any(len(c) > 24 for c in cells):
        return None
    cols = [column_label(c)[0] if c else None for c in cells]
    known = [c for c in cols if c]
    if len(known) < 2 or len(set(known)) < 2:
        return None
    return cols, cells


def read_table(lines: list[tuple[int, str]], i: int) -> tuple[Table | None, int]:
    """Parse a table whose header is lines[i]; return it and the index after its last row."""
    start, line = lines[i]
    parsed = header_columns(line)
    if not parsed:
        return None, i
    cols, headers = parsed
    rows = []
    j = i + 1
    while j < len(lines):
        off, row = lines[j]
        cells = split_cells(row, off)
        # Trailing empty cells are dropped when text is tidied: pad short rows back.
        if "\t" not in row or len(cells) > len(cols) or header_columns(row):
            break
        end = cells[-1].end
        rows.append(cells + [Cell("", end, end)] * (len(cols) - len(cells)))
        j += 1
    return Table(cols, headers, rows, start, start + len(line)), j

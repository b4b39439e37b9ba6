"""The label vocabulary of data/labels.yaml, compiled for matching folded text."""

from __future__ import annotations

import functools
import re

import ahocorasick
from dataclasses import dataclass

from ..data_files import load_yaml
from ..text import fold

# A numbered heading: 一、 (一) 1. 1、 第一章 …
HEADING_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[、.．](?!\d)|第[一二三四五六七八九十\d]+[章节部分条])")


_SEPARATOR = re.compile(r"\s*(:|为|是(?!否))\s*")


@dataclass(frozen=True)
class LabelMatch:
    """A label followed by a separator: "采购人：", "中标供应商为"."""

    start: int
    end: int  # end of the label
    value_start: int  # after the separator
    label: str
    sep: str


@dataclass(frozen=True)
class Vocabulary:
    version: str
    field_of: dict  # folded label -> field
    scoped: dict  # scope -> {folded label -> field}
    scope_headings: list  # [(folded heading keyword, scope)] longest first
    column_of: dict  # folded column label -> column
    automaton: object  # every label, for one-pass matching (pyahocorasick)
    cell_labels: frozenset  # every label, for cells that are a label alone

    def matches(self, text: str) -> list[LabelMatch]:
        """Labels followed by a separator, leftmost-longest, in one pass over `text`."""
        out = []
        for end, label in self.automaton.iter_long(text):
            m = _SEPARATOR.match(text, end + 1)
            if m:
                out.append(LabelMatch(end + 1 - len(label), end + 1, m.end(), label, m.group(1)))
        return out


def _norm(label: str) -> str:
    return fold(label).replace(" ", "")


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = load_yaml("labels.yaml")
    field_of = {}
    for fld, labels in data["fields"].items():
        for label in labels:
            field_of.setdefault(_norm(label), fld)
    scoped, headings = {}, []
    for scope, spec in data["scopes"].items():
        scoped[scope] = {_norm(k): v for k, v in (spec.get("labels") or {}).items()}
        headings += [(_norm(h), scope) for h in spec["headings"]]
    headings.sort(key=lambda h: -len(h[0]))
    column_of = {}
    for col, labels in data["columns"].items():
        for label in labels:
            column_of.setdefault(_norm(label), col)
    all_labels = set(field_of) | {k for d in scoped.values() for k in d}
    automaton = ahocorasick.Automaton()
    for label in all_labels:
        automaton.add_word(label, label)
    automaton.make_automaton()
    return Vocabulary(str(data["version"]), field_of, scoped, headings, column_of, automaton, frozenset(all_labels))


def column_label(cell: str) -> tuple[str | None, str]:
    """(column, header text without its unit) for a table header cell."""
    voc = vocabulary()
    norm = cell.replace(" ", "").rstrip(":")
    if norm in voc.column_of:
        return voc.column_of[norm], norm
    bare = re.sub(r"\([^)]*\)$", "", norm)
    return voc.column_of.get(bare), bare


def scope_of_heading(folded_line: str) -> str | None:
    for keyword, scope in vocabulary().scope_headings:
        if keyword in folded_line:
            return scope
    return None

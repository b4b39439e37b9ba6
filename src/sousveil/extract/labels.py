"""The label vocabulary of data/labels.yaml, compiled for matching folded text."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..data_files import load_yaml
from ..text import fold

# A numbered heading: 一、 (一) 1. 1、 第一章 …
HEADING_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[、.．](?!\d)|第[一二三四五六七八九十\d]+[章节部分条])")


@dataclass(frozen=True)
class Vocabulary:
    version: str
    field_of: dict  # folded label -> field
    scoped: dict  # scope -> {folded label -> field}
    scope_headings: list  # [(folded heading keyword, scope)] longest first
    column_of: dict  # folded column label -> column
    label_re: re.Pattern  # any label followed by a separator
    cell_labels: frozenset  # every label, for cells that are a label alone


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
    alternation = "|".join(re.escape(x) for x in sorted(all_labels, key=len, reverse=True))
    # A label is followed by a colon, or by 为/是 for the fields that free text states that way.
    label_re = re.compile(rf"(?P<label>{alternation})\s*(?P<sep>:|为|是(?!否))\s*")
    return Vocabulary(str(data["version"]), field_of, scoped, headings, column_of, label_re, frozenset(all_labels))


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

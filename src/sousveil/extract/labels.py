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


_TRAILING_UNIT = re.compile(r"\([^)]*\)$")
_COLUMN_PREFIXES = ("货物", "产品", "设备", "商品", "标的", "服务", "采购")
# The words of a correction: "预算金额为100万元，现更正为120万元", "开标时间由…变更为…".
CHANGED_TO = r"(?:现|已)?(?:更正|变更|调整|修改|更改)为"
# "开标时间由…变更为…" names the field with 由: the value is read after the change (extract/sections.py).
_SEPARATOR = re.compile(rf"\s*(:|】|为|是(?!否)|由(?=[^\n]{{0,40}}?{CHANGED_TO}))\s*")
# A clause's number just before a label, itself at the start of a line or after a space or a stop.
_NUMBERED = re.compile(r"(?:^|(?<=[\s。；;]))(?:[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．)])[ ]*$")
_SPACES = re.compile(r"[ ]+")
_FIGURE = re.compile(r"\d|¥|人民币|rmb")
_CLAUSE_START = "\n\t:;,。、 "
_BEFORE_CHANGE = ("更正前", "变更前", "调整前", "修改前", "更改前")
# A qualifier in brackets between a label and its colon: 合同金额(大写):, 乙方(供应商):, 采购人(甲方):.
_QUALIFIER = re.compile(r"\s*(\([^():]{1,10}\))\s*(:)\s*")


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
    header_words: frozenset  # column headers that are no field and never a value (序号, 备注)
    not_publication: tuple  # words before a date that make it a deadline, not a signature's date

    def matches(self, text: str) -> list[LabelMatch]:
        """Labels followed by a separator, leftmost-longest, in one pass over `text`. A label of the
        value before a change (原预算金额, 更正前开标时间) is left out: its value is no longer the notice's."""
        out = []
        for end, label in self.automaton.iter_long(text):
            before = end + 1 - len(label)
            if before > 0 and (text[before - 1] == "原"
                               or text[max(0, before - 5):before].rstrip(": ").endswith(_BEFORE_CHANGE)):
                continue  # 原预算金额, 更正前预算金额, "更正前：预算金额100万元"
            m = _SEPARATOR.match(text, end + 1)
            if m and m.group(1) == "】" and not (before > 0 and text[before - 1] == "【"):
                m = None
            if m:
                start = text.rfind(label[0], 0, end + 1)  # the label as written may be padded
                # 【采购人】某市民政局: a label in brackets is a label before a colon
                out.append(LabelMatch(start, end + 1, m.end(), label, ":" if m.group(1) == "】" else m.group(1)))
            elif text.startswith(("(", " "), end + 1) and (m := _QUALIFIER.match(text, end + 1)):
                # the label keeps its qualifier: a unit in it (预算(万元)) is read with the amount
                start = text.rfind(label[0], 0, end + 1)
                out.append(LabelMatch(start, m.end(1), m.end(), label + m.group(1).replace(" ", ""), ":"))
            elif _FIGURE.match(text, end + 1) and (before == 0 or text[before - 1] in _CLAUSE_START):
                # "第一包：预算金额100万元": a label that opens a clause and runs into its figure
                out.append(LabelMatch(before, end + 1, end + 1, label, ""))
            elif text.startswith(" ", end + 1) and (before == 0 or text[before - 1] in _CLAUSE_START) and \
                    _FIGURE.match(text, (gap := _SPACES.match(text, end + 1).end())):
                # "行政区域 大庆市 公告时间 2018年08月10日 15:59": a summary table flattened with spaces for
                # its cells; a figure after the space is the label's value
                out.append(LabelMatch(before, end + 1, gap, label, " "))
            elif (before == 0 or text[before - 1] in "\n " or _NUMBERED.search(text, max(0, before - 8), before)) \
                    and text.startswith(" ", end + 1):
                # "招标人 绵阳市民政局": a label opening its line, a numbered clause (六、 评审专家名单 甲、乙) or
                # a cell of a table flattened with spaces (…09:30 评审专家名单 甲，乙 总中标金额 …), a space for its
                # colon (the caller checks that what follows is a name, a sum or a date)
                m = _SPACES.match(text, end + 1)
                if m.end() < len(text) and text[m.end()] not in "\n\t":
                    out.append(LabelMatch(before, end + 1, m.end(), label, " "))
        return out

    def field(self, label: str, scope: str | None = None) -> str | None:
        """The field a label names, in a scope; a label with a qualifier (合同金额(大写)) names its base's."""
        for key in (label, _TRAILING_UNIT.sub("", label)) if label.endswith(")") else (label,):
            if scope and key in self.scoped.get(scope, {}):
                return self.scoped[scope][key]
            if key in self.field_of:
                return self.field_of[key]
        return None


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
    spaced = {_norm(label): fold(label) for labels in data["fields"].values() for label in labels if " " in label}
    automaton = ahocorasick.Automaton()
    for label in all_labels:
        automaton.add_word(label, label)
        if label in spaced:  # "tender reference" as written; the key is the label without spaces
            automaton.add_word(spaced[label], label)
        if 2 <= len(label) <= 4 and not label.isascii():
            # Portals pad short labels to the width of longer ones: "名 称：", "电　　话：", "采 购 人：".
            for n in range(1, 5 if len(label) == 2 else 3):
                automaton.add_word((" " * n).join(label), label)
    automaton.make_automaton()
    return Vocabulary(str(data["version"]), field_of, scoped, headings, column_of, automaton, frozenset(all_labels),
                      frozenset(_norm(w) for w in data["header_words"]), tuple(_norm(w) for w in data["not_publication"]))


@functools.lru_cache(maxsize=4096)
def column_label(cell: str) -> tuple[str | None, str]:
    """(column, header text without its unit) for a table header cell."""
    voc = vocabulary()
    norm = cell.replace(" ", "").rstrip(":")
    if norm in voc.column_of:
        return voc.column_of[norm], norm
    bare = _TRAILING_UNIT.sub("", norm)
    if bare in voc.column_of:
        return voc.column_of[bare], bare
    # 货物品牌, 产品数量, 标的单价: a known column behind a word for "goods".
    for prefix in _COLUMN_PREFIXES:
        if bare.startswith(prefix) and bare[len(prefix):] in voc.column_of:
            return voc.column_of[bare[len(prefix):]], bare
    # 工时费下浮率, 配件费折扣率: a rate of one part of the price.
    if bare.endswith(tuple(label for label, col in voc.column_of.items() if col == "rate")):
        return "rate", bare
    return None, bare


@functools.lru_cache(maxsize=1)
def scope_pattern() -> tuple[re.Pattern, dict]:
    """Every section heading keyword (longest first) and the scope each opens."""
    headings = vocabulary().scope_headings  # longest first, so the alternation prefers them
    first = {}
    for keyword, scope in headings:
        first.setdefault(keyword, scope)
    return re.compile("|".join(re.escape(k) for k, _ in headings)), first


def scope_of_heading(folded_line: str) -> str | None:
    """The scope a heading line opens (the longest heading keyword it contains)."""
    pattern, scope_of = scope_pattern()
    found = [m.group(0) for m in pattern.finditer(folded_line)]
    return scope_of[max(found, key=len)] if found else None

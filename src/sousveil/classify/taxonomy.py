"""The taxonomy file compiled into one Aho-Corasick automaton over folded text."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ahocorasick

from ..data_files import load_yaml
from ..text import fold


@dataclass(frozen=True)
class Term:
    category: str
    term: str  # as written in the taxonomy
    strength: str  # explicit | weak
    explicit_for: frozenset  # buyer types for which a weak/explicit_for term is explicit
    ascii: bool  # needs word boundaries


@dataclass(frozen=True)
class Category:
    id: str
    kind: str
    name_en: str
    name_zh: str
    support_buyer_types: frozenset
    needs_review: bool
    context_window: int
    context_vetoes: tuple


@dataclass
class Taxonomy:
    version: str
    categories: dict
    automaton: ahocorasick.Automaton  # folded string -> ("term", [Term]) | ("veto", [category])


def _is_ascii(s: str) -> bool:
    return all(ord(c) < 128 for c in s)


def build(data: dict) -> Taxonomy:
    entries: dict[str, list] = {}
    categories = {}
    for cid, spec in data["categories"].items():
        ctx = spec.get("context_vetoes") or {}
        categories[cid] = Category(
            cid, spec["kind"], spec["name"]["en"], spec["name"]["zh"],
            frozenset(spec.get("support_buyer_types") or ()), bool(spec.get("needs_review")),
            int(ctx.get("window", 0)), tuple(fold(w) for w in ctx.get("words", ())))
        for group in spec["groups"]:
            explicit_for = frozenset(group.get("explicit_for") or ())
            strength = group["strength"]
            for term in group.get("terms", []) + group.get("traditional", []) + group.get("english", []):
                key = fold(str(term))
                entries.setdefault(key, [])
                t = Term(cid, str(term), strength, explicit_for, _is_ascii(key))
                if all(e.category != cid for e in entries[key] if isinstance(e, Term)):
                    entries[key].append(t)
        for veto in spec.get("vetoes") or ():
            entries.setdefault(fold(veto), []).append(("veto", cid))
    automaton = ahocorasick.Automaton()
    for key, items in entries.items():
        automaton.add_word(key, (len(key), tuple(items)))
    automaton.make_automaton()
    return Taxonomy(str(data["version"]), categories, automaton)


@functools.lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    return build(load_yaml("taxonomy.yaml"))

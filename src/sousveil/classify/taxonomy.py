"""The taxonomy file compiled into one Aho-Corasick automaton over folded text."""

from __future__ import annotations

import functools
import unicodedata
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
    ascii: bool  # a term of a spaced script (Latin, Cyrillic): needs word boundaries
    stem: bool = False  # written with a final `*`: any ending (видеонаблюдени* for each case)


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


# The lists of terms of a group: Chinese (simplified, traditional), then the languages of foreign
# publishers. Codes of item classifications (CPV, UNSPSC) are terms `SCHEME CODE`, as rendered.
LANGUAGES = ("terms", "traditional", "english", "es", "fr", "pt", "ru")
CJK_START = 0x2E80  # from here on, characters of scripts written without spaces


def _is_ascii(s: str) -> bool:
    """Whether a term is written in a spaced script (then it must match whole words)."""
    return all(ord(c) < CJK_START for c in s)


# Lower case for the letters that `fold` leaves (it lowers ASCII only): Á, Ç, В … one character for
# one, so that offsets into the folded text stay those of the text.
_LOWER = {i: c.lower() for i in range(128, CJK_START) if len(c := chr(i).lower()) == 1 and c != chr(i)}


def lower(folded: str) -> str:
    return folded.translate(_LOWER)


def _unaccented(s: str) -> str:
    """The term without its accents, character for character (publishers often drop them)."""
    return "".join(unicodedata.normalize("NFD", c)[0] if ord(c) < CJK_START else c for c in s)


def build(data: dict) -> Taxonomy:
    entries: dict[str, list] = {}
    categories = {}
    for cid, spec in data["categories"].items():
        ctx = spec.get("context_vetoes") or {}
        categories[cid] = Category(
            cid, spec["kind"], spec["name"]["en"], spec["name"]["zh"],
            frozenset(spec.get("support_buyer_types") or ()), bool(spec.get("needs_review")),
            int(ctx.get("window", 0)), tuple(lower(fold(w)) for w in ctx.get("words", ())))
        for group in spec["groups"]:
            explicit_for = frozenset(group.get("explicit_for") or ())
            strength = group["strength"]
            terms = [str(t) for lang in LANGUAGES for t in group.get(lang, [])]
            terms += [f"{scheme} {code}" for scheme, codes in (group.get("codes") or {}).items() for code in codes]
            for term in terms:
                if "*" in term.rstrip("*"):
                    raise ValueError(f"taxonomy term {term!r}: a `*` only ends a term")
                stem = term.endswith("*")
                for key in {lower(fold(term.rstrip("*"))), _unaccented(lower(fold(term.rstrip("*"))))}:
                    entries.setdefault(key, [])
                    t = Term(cid, term, strength, explicit_for, _is_ascii(key), stem)
                    if all(e.category != cid for e in entries[key] if isinstance(e, Term)):
                        entries[key].append(t)
        for veto in spec.get("vetoes") or ():
            for key in {lower(fold(veto)), _unaccented(lower(fold(veto)))}:
                entries.setdefault(key, []).append(("veto", cid))
    automaton = ahocorasick.Automaton()
    for key, items in entries.items():
        automaton.add_word(key, (len(key), tuple(items)))
    automaton.make_automaton()
    return Taxonomy(str(data["version"]), categories, automaton)


@functools.lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    return build(load_yaml("taxonomy.yaml"))

"""Full-text index terms: CJK bigrams and whole ASCII words, over folded text.

Why bigrams in a contentless FTS5 table (measured in bench/, see docs/search.md): SQLite's
trigram tokenizer cannot answer two-character queries (人脸, 指纹) without a full scan, and
it indexes every three-character window; the default unicode61 tokenizer treats a whole CJK
run as one token. Overlapping bigrams answer any query of two or more characters as an FTS5
phrase, and the index stores no copy of the text (it is in `documents.text` already).
Folding makes 監控 find 监控 and ＷｉＦｉ find wifi.
"""

from __future__ import annotations

import re

from ..text import fold

_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([a-z0-9]+)")


def terms(text: str, folded: bool = False) -> list[str]:
    text = text if folded else fold(text)
    out = []
    for m in _RUNS.finditer(text):
        cjk, word = m.groups()
        if word:
            out.append(word)
        elif len(cjk) == 1:
            out.append(cjk)
        else:
            out.extend(cjk[i:i + 2] for i in range(len(cjk) - 1))
    return out


def index_text(text: str, folded: bool = False) -> str:
    return " ".join(terms(text, folded))


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression: each whitespace-separated word of the query must occur as a phrase."""
    phrases = []
    for word in query.split():
        toks = terms(word)
        if not toks:
            continue
        if len(toks) == 1 and len(toks[0]) == 1 and not toks[0].isascii():
            phrases.append(f'"{toks[0]}" *')  # a single character: any bigram starting with it
        else:
            phrases.append('"' + " ".join(toks) + '"')
    return " AND ".join(phrases) if phrases else None


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's words occur in `text` (folded comparison), for highlighting results."""
    folded = fold(text)
    spans = []
    for word in query.split():
        needle = fold(word)
        if not needle:
            continue
        i = folded.find(needle)
        while i >= 0:
            spans.append((i, i + len(needle)))
            i = folded.find(needle, i + len(needle))
    return sorted(spans)

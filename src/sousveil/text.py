"""Length-preserving normalisation, so that matches found in folded text are spans of the stored text.

`fold` maps traditional to simplified characters (OpenCC hk2s), full-width ASCII to half-width,
the ideographic space to a space, and ASCII letters to lower case. Every step maps one
character to one character; when OpenCC's phrase conversion would change the length,
the text is converted character by character instead.
"""

from __future__ import annotations

import functools

_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xFFE5: ord("¥")})
_FOLD = dict(_WIDTH)
_FOLD.update({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
_FOLD.update({c + 0xFEE0: c + 32 for c in range(ord("A"), ord("Z") + 1)})
# Dashes and the ideographic comma variants that portals mix freely.
_FOLD.update({0x2014: ord("-"), 0x2013: ord("-"), 0x2212: ord("-"), 0xFE63: ord("-")})


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("hk2s")  # t2s plus the Hong Kong variants (衞, 綫)


def to_simplified(text: str) -> str:
    conv = _t2s()
    out = conv.convert(text)
    if len(out) != len(text):
        out = "".join(conv.convert(ch) if len(conv.convert(ch)) == 1 else ch for ch in text)
    return out


def fold(text: str) -> str:
    """Simplified, half-width, lower-case ASCII; same length as `text`."""
    return to_simplified(text).translate(_FOLD)

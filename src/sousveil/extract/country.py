"""The country of a notice: ISO 3166-1 alpha-2 codes from what publishers write.

Country names are read in the languages of the publishers sousveil reads (CLDR's names, as Babel
ships them: "México", "Україна", "Royaume-Uni", "中国"), folded for case and accents, or as ISO
alpha-2 codes. An ocid's prefix names its publisher (data/ocid_prefixes.csv: only the
prefixes whose publisher is known from its own data); the publisher's country is that of a notice
that names no other.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ..data_files import load_csv

# The languages of the names looked up: the five of the taxonomy, Chinese, and those of the
# publishers read (Ukrainian, Armenian, Romanian).
LOCALES = ("en", "es", "fr", "pt", "ru", "zh", "uk", "hy", "ro", "de", "it")


def fold(text: str) -> str:
    """Lower case, without accents or punctuation, spaces single: "  MÉXICO " -> "mexico"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from babel import Locale

    out: dict[str, str] = {}
    for code in Locale.parse("en").territories:
        if len(code) == 2 and code.isalpha():
            out[code.casefold()] = code
    for loc in LOCALES:
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha():
                out.setdefault(fold(name), code)
    return out


def code_of(name: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country as written, or None when it names none."""
    if not name:
        return None
    return _names().get(fold(name))


def name_of(code: str, locale: str = "en") -> str:
    from babel import Locale

    return Locale.parse(locale).territories.get(code, code)


@lru_cache(maxsize=1)
def _prefixes() -> dict[str, dict]:
    return {r["prefix"].casefold(): r for r in load_csv("ocid_prefixes.csv")}


def publisher_of(ocid: str | None) -> dict | None:
    """The registry row (prefix, country, publisher) of an ocid's prefix, `ocds-` and six characters."""
    if not ocid or len(ocid) < 11 or not ocid[:5].casefold() == "ocds-":
        return None
    return _prefixes().get(ocid[:11].casefold())

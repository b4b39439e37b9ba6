"""The vendor registry (data/vendors.yaml) and the resolution of names to its vendors.

A supplier's name is tried in order, and the first method that matches is kept as evidence:
`registered` (the whole name is a registered name), `alias` (the name's core is a short, stock
or brand name), `prefix` (the core begins with a distinctive name: 海康威视系统技术), then
`subsidiary` (a short English alias followed by a country or a region: ZTE Kenya, Dahua Europe),
then `fuzzy` (rapidfuzz ratio of the cores at or above FUZZY_MIN). A brand from an item table is
resolved the same way but never by prefix or fuzzy matching of short words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..data_files import load_yaml
from .names import normalize, parse, strip_legal_form

FUZZY_MIN = 88
FUZZY_MIN_LENGTH = 4
ASCII_PREFIX_MIN = 6  # shorter cores are too alike (科技, 信息) to be matched fuzzily
_BRAND_SPLIT = re.compile(r"[/／|｜,，、;；]+|\s+or\s+|或")


@dataclass(frozen=True)
class Designation:
    list: str
    list_name: str
    date: str
    reference: str
    status: str  # verified | unverified


@dataclass(frozen=True)
class Vendor:
    id: str
    name_zh: str
    name_en: str
    country: str
    parent: str | None
    business: str | None
    aliases: tuple[str, ...]
    registered: tuple[str, ...]
    designations: tuple[Designation, ...]
    prefixes: tuple[str, ...] = field(default=())
    notes: tuple[dict, ...] = field(default=())

    @property
    def designated(self) -> bool:
        return any(d.status == "verified" for d in self.designations)


@dataclass(frozen=True)
class Match:
    vendor: str
    method: str  # registered | alias | prefix | fuzzy
    score: float  # 100 for exact methods, the rapidfuzz ratio for fuzzy
    matched: str  # the registry name it matched
    branch: bool = False  # the name is a branch (分公司) of the matched company


class Registry:
    def __init__(self, data: dict):
        self.version = str(data["version"])
        lists = data.get("lists") or {}
        self.vendors: dict[str, Vendor] = {}
        self._registered: dict[str, tuple[str, str]] = {}  # normalized registered name -> (vendor, name)
        self._alias: dict[str, tuple[str, str]] = {}  # normalized alias or core -> (vendor, name)
        self._prefixes: dict[str, tuple[str, str]] = {}  # distinctive prefix -> (vendor, name)
        fuzzy: dict[str, tuple[str, str]] = {}
        for v in data["vendors"]:
            if not re.fullmatch(r"[a-z0-9_]+", v["id"]):  # ids are used in URLs and SQL lists
                raise ValueError(f"vendors.yaml: vendor id {v['id']!r} must be lower-case letters, digits and '_'")
            designations = tuple(Designation(d["list"], lists.get(d["list"], {}).get("name", d["list"]), str(d["date"]),
                                             d["reference"], d["status"]) for d in v.get("designations") or ())
            vendor = Vendor(v["id"], v["name"]["zh"], v["name"]["en"], v["country"], v.get("parent"), v.get("business"),
                            tuple(v.get("aliases") or ()), tuple(v.get("registered") or ()), designations,
                            tuple(v.get("prefixes") or ()), tuple(v.get("notes") or ()))
            self.vendors[vendor.id] = vendor
            for name in vendor.registered:
                self._registered[normalize(name)] = (vendor.id, name)
                core = parse(name).core
                self._alias.setdefault(core, (vendor.id, name))
                if len(core) >= FUZZY_MIN_LENGTH:
                    fuzzy[core] = (vendor.id, name)
            for name in vendor.aliases:
                key = strip_legal_form(normalize(name))
                self._alias[key] = (vendor.id, name)
                if len(key) >= FUZZY_MIN_LENGTH and not key.isascii():
                    fuzzy.setdefault(key, (vendor.id, name))
            for name in vendor.prefixes:
                self._prefixes.setdefault(normalize(name), (vendor.id, name))
            for name in vendor.aliases:  # English names are distinctive from six letters (not "intel")
                key = strip_legal_form(normalize(name))
                if key.isascii() and len(key) >= ASCII_PREFIX_MIN:
                    self._prefixes.setdefault(key, (vendor.id, name))
        # A lookup per prefix length, longest first, instead of a scan of every prefix.
        self._prefix_lengths = sorted({len(p) for p in self._prefixes}, reverse=True)
        self._fuzzy_keys = list(fuzzy)
        self._fuzzy = fuzzy
        # Suppliers recur across notices; bounded, since memory must not grow with the corpus.
        self.resolve = functools.lru_cache(maxsize=4096)(self._resolve)

    def _resolve(self, name: str) -> Match | None:
        """The vendor a supplier's name belongs to, with how it was matched; None if none
        (called as `resolve`, through a cache)."""
        if not name or not name.strip():
            return None
        parsed = parse(name)
        branch = parsed.parent is not None
        whole = parsed.parent or parsed.normalized
        if whole in self._registered:
            vid, matched = self._registered[whole]
            return Match(vid, "registered", 100.0, matched, branch)
        for key in (parsed.core, strip_legal_form(whole)):
            if key in self._alias:
                vid, matched = self._alias[key]
                return Match(vid, "alias", 100.0, matched, branch)
        for n in self._prefix_lengths:
            for key in (parsed.core, whole):
                if key[:n] in self._prefixes and len(key) >= n:
                    vid, matched = self._prefixes[key[:n]]
                    return Match(vid, "prefix", 100.0, matched, branch)
        for key in (parsed.core, whole):
            match = self._subsidiary(key)
            if match:
                return Match(*match, branch=branch)
        if len(parsed.core) >= FUZZY_MIN_LENGTH and self._fuzzy_keys:
            best = process.extractOne(parsed.core, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
            if best:
                vid, matched = self._fuzzy[best[0]]
                return Match(vid, "fuzzy", round(best[1], 1), matched, branch)
        return None

    def _subsidiary(self, key: str) -> tuple | None:
        """A short alias (ZTE, Dahua) followed by a place: the vendor's company there. Shorter aliases
        are not prefixes (zte begins other words), but a country or region after them is a subsidiary's
        name, not another word."""
        for n in range(min(len(key) - 1, ASCII_PREFIX_MIN - 1), 2, -1):
            entry = self._alias.get(key[:n])
            if entry and key[:n].isascii() and _place(key[n:]):
                return entry[0], "subsidiary", 100.0, entry[1]
        return None

    def resolve_brand(self, brand: str) -> Match | None:
        """The vendor behind a brand written in an item table (海康威视, HIKVISION, 海康威视/HIKVISION)."""
        for part in _BRAND_SPLIT.split(brand or ""):
            key = strip_legal_form(normalize(part))
            if not key:
                continue
            if key in self._alias:
                vid, matched = self._alias[key]
                return Match(vid, "brand", 100.0, matched)
            if normalize(part) in self._registered:
                vid, matched = self._registered[normalize(part)]
                return Match(vid, "brand", 100.0, matched)
            if len(key) >= 3:  # a company name written as the brand
                match = self.resolve(part)
                if match and match.method != "fuzzy":
                    return match
        return None

    def group(self, vendor_id: str) -> list[str]:
        """The vendor, its parents up the chain: what a designation of a parent reaches."""
        chain, seen = [], set()
        while vendor_id and vendor_id not in seen and vendor_id in self.vendors:
            chain.append(vendor_id)
            seen.add(vendor_id)
            vendor_id = self.vendors[vendor_id].parent
        return chain


_REGIONS = ("europe", "international", "global", "africa", "middleeast", "asia", "asiapacific", "latinamerica", "latam",
            "americas", "northamerica", "usa", "uk", "emirates")
_LINKS = ("", "de", "do", "da", "del", "du", "of", "technologies", "technology", "tecnologias", "tecnologia",
          "technologies de", "telecom", "communications")


@functools.lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Countries (CLDR names in the languages of the taxonomy) and regions, normalized."""
    from ..extract.country import LOCALES
    from babel import Locale

    names = {normalize(name) for loc in LOCALES[:5] for code, name in Locale.parse(loc).territories.items()
             if len(code) == 2 and code.isalpha()}
    return frozenset(names | set(_REGIONS))


def _place(rest: str) -> bool:
    """Whether the rest of a name is a place, after a link word (de, of) or a line of business."""
    return any(rest.startswith(normalize(link)) and rest[len(normalize(link)):] in _places() for link in _LINKS)


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    return Registry(load_yaml("vendors.yaml"))

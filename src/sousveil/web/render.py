"""Pure helpers that turn query results into what the templates draw: highlighted text
segments, the capability chart and the province map (SVG built from data, never from markup
strings, so the templates' escaping covers every value)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from ..data_files import load_json
from ..export.flat import money

# Sequential shades for the map (light to dark) and distinct colours for chart series.
SHADES = ("#eef3f8", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
SERIES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
SAFE_SCHEMES = ("http://", "https://")


def url(path: str, params: dict, **changes) -> str:
    """`path` with the page state `params` changed by `changes` (None removes a key)."""
    merged = {**params, **changes}
    query = urlencode([(k, v) for k, v in merged.items() if v not in (None, "")])
    return path + ("?" + query if query else "")


def safe_link(address: str | None) -> str | None:
    """Only http(s) addresses become links: a source URL may be hostile (javascript:, data:)."""
    return address if address and address.lower().startswith(SAFE_SCHEMES) else None


def segments(text: str, marks: list[tuple[int, int, str, str]]) -> list[dict]:
    """Split `text` at every mark boundary. Each mark is (start, end, id, kind); a segment lists
    the marks covering it and the ids of the marks that start there (anchors to scroll to)."""
    marks = [m for m in marks if m[0] is not None and 0 <= m[0] < m[1] <= len(text)]
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    starts: dict[int, list[str]] = {}
    for s, _, mid, _ in marks:
        starts.setdefault(s, []).append(mid)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [m for m in marks if m[0] <= a and m[1] >= b]
        out.append({"text": text[a:b], "ids": [m[2] for m in covering],
                    "kinds": sorted({m[3] for m in covering}), "anchors": starts.get(a, [])})
    return out


def _shade(value: Decimal, top: Decimal) -> str:
    if not value or not top:
        return SHADES[0]
    return SHADES[1 + min(len(SHADES) - 2, int((value / top) * (len(SHADES) - 1)))]


def amount(value: str | None, currency: str | None = None) -> str:
    """An amount for reading: ¥1,200,000 in yuan (a Chinese notice's, or no currency recorded),
    else with its ISO 4217 code (1,200,000 MXN)."""
    if not value:
        return ""
    return "¥" + money(value) if (currency or "CNY") == "CNY" else money(value, currency)


def province_map(by_province: list[dict], measure: str, link) -> dict:
    """Provinces shaded by `measure` ('notices' or 'award_value'); `link(code)` gives each its search."""
    values = {r["province_code"][:2]: Decimal(r[measure] or 0) for r in by_province if r.get("province_code")}
    names = {r["province_code"][:2]: r["province"] for r in by_province if r.get("province_code")}
    data = load_json("provinces.json")
    return _shaded(data["view_box"], data["provinces"], values, names, lambda code: link(code + "0000"))


def country_map(by_country: list[dict], measure: str, link) -> dict:
    """Countries (ISO 3166-1 alpha-2, data/world.json) shaded by `measure`, as `province_map`."""
    values = {r["country"]: Decimal(r[measure] or 0) for r in by_country if r["country"] != "(unknown)"}
    data = load_json("world.json")
    return _shaded(data["view_box"], data["countries"], values, {}, link)


def _shaded(view_box: str, shapes: dict, values: dict, names: dict, link) -> dict:
    top = max(values.values(), default=Decimal(0))
    regions = [{"code": code, "name": names.get(code) or shape["name_en"], "d": shape["d"],
                "value": values.get(code, Decimal(0)), "fill": _shade(values.get(code, Decimal(0)), top),
                "href": link(code)} for code, shape in shapes.items()]
    legend = [{"fill": SHADES[i + 1], "from": top * i / (len(SHADES) - 1)} for i in range(len(SHADES) - 1)]
    return {"view_box": view_box, "regions": regions, "legend": legend if top else []}


def bar_chart(rows: list[dict], measure: str, label, link, width: int = 760, height: int = 260) -> dict:
    """Grouped bars: one group per year, one bar per capability; `link(category, year)` for each bar."""
    years = sorted({r["year"] for r in rows if r["year"] is not None})
    cats = sorted({r["category"] for r in rows})
    if not years or not cats:
        return {"bars": [], "years": [], "legend": [], "width": width, "height": height}
    value = {(r["category"], r["year"]): Decimal(r[measure] or 0) for r in rows}
    top = max(value.values()) or Decimal(1)
    left, bottom, top_pad = 10, 24, 10
    group = (width - left) / len(years)
    bar = max(2.0, (group - 8) / len(cats))
    bars, axis = [], []
    for yi, year in enumerate(years):
        x0 = left + yi * group
        axis.append({"x": x0 + group / 2, "y": height - 6, "text": str(year)})
        for ci, cat in enumerate(cats):
            v = value.get((cat, year), Decimal(0))
            h = float(v / top) * (height - bottom - top_pad)
            bars.append({"x": round(x0 + 4 + ci * bar, 1), "y": round(height - bottom - h, 1), "w": round(bar - 1, 1),
                         "h": round(h, 1), "fill": SERIES[ci % len(SERIES)], "href": link(cat, year),
                         "title": f"{label.category(cat)} {year}: {v}"})
    legend = [{"fill": SERIES[i % len(SERIES)], "text": label.category(c), "category": c} for i, c in enumerate(cats)]
    return {"bars": bars, "years": axis, "legend": legend, "width": width, "height": height}

"""The report as one self-contained HTML page: inline CSS and SVG, no script, nothing loaded
from elsewhere; A4 print styles with page numbers (report/templates/)."""

from __future__ import annotations

import base64
import hashlib

import jinja2
from markupsafe import Markup

from ..data_files import load_yaml
from ..export.flat import SYNTHETIC_LABEL, money
from ..web.i18n import Labels
from ..web.render import safe_link
from . import charts


class ReportLabels(Labels):
    """The interface's labels (data/ui.yaml), and the report's own (data/report.yaml)."""

    def __call__(self, key: str, **values) -> str:
        entry = load_yaml("report.yaml")["labels"].get(key)
        if entry is None:
            return super().__call__(key, **values)
        return entry[self.lang].format(**values) if values else entry[self.lang]


def css_string(text: str) -> Markup:
    """A CSS string literal of `text` (for a print margin's content), safe inside <style>."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return Markup(f'"{escaped}"')


_env = jinja2.Environment(loader=jinja2.PackageLoader("sousveil.report", "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)
_env.filters["css_string"] = css_string


def style(report: dict) -> str:
    """The inline style sheet; with synthetic notices, a line saying so on every printed page."""
    t = ReportLabels(report["lang"])
    banner = t("report_synthetic_page", n=report["synthetic"], total=report["scope"]["totals"]["notices"])
    return _env.get_template("report.css").render(synthetic=bool(report["synthetic"]), banner=banner)


def style_hash(report: dict) -> str:
    """The CSP source of the inline style sheet, so a server can allow it and nothing else."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(style(report).encode()).digest()).decode() + "'"


def render_html(report: dict) -> str:
    t = ReportLabels(report["lang"])
    context = {
        "r": report, "t": t, "money": money, "safe_link": safe_link, "SYNTHETIC": SYNTHETIC_LABEL,
        "style": style(report),
        "charts": {m: charts.capability_chart(report["capabilities"], m, t) for m in ("notices", "award_value")},
        "map": charts.province_map(report["provinces"], "notices"),
        "world": charts.country_map(report["countries"], "notices") if report["countries"] else None,
        "bars": {name: charts.ranking_bars(report[name], "award_value") for name in ("buyers", "suppliers", "vendors")},
    }
    return _env.get_template("report.html").render(context)

"""Findings reports: a cited, reproducible dossier of what a search found (docs/report.md).

`gather` reads the figures through store.queries (the same functions as `stats` and `export`),
`evidence` gives every cited notice its spans, `html` writes one self-contained page, `package`
the data package beside it, `pdf` prints the page through chromium.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, fields

from ..store.queries import Filters

# Filters a report takes on the command line, in the order the rebuilding command names them.
FILTER_OPTIONS = ("category", "country", "province", "city", "buyer_type", "year", "type", "synthetic", "min_confidence", "buyer",
                  "supplier", "vendor", "designated", "review")


@dataclass
class Spec:
    """What a report is asked for: the search it reports on and how it is written."""

    filters: Filters = field(default_factory=Filters)
    query: str | None = None
    confirmed_only: bool = False
    currency: str = "CNY"
    lang: str = "en"
    top: int = 10  # rows of each ranking
    key_notices: int = 20
    cite: int = 3  # notices cited for each figure, the largest by counted value


def scope_filters(spec: Spec) -> Filters:
    """The filters the figures count over: --confirmed-only keeps notices with a confirmed tag."""
    if not spec.confirmed_only:
        return spec.filters
    values = {f.name: getattr(spec.filters, f.name) for f in fields(Filters)}
    return Filters(**{**values, "review": "confirmed"})


def command(spec: Spec, db_path: str, output: str = "report.html", pdf: str | None = None) -> str:
    """The command line that rebuilds the report (written in its methods section)."""
    args = ["sousveil", "report", "--db", db_path]
    if spec.query:
        args += ["--query", spec.query]
    for name in FILTER_OPTIONS:
        value = getattr(spec.filters, name)
        if value is None:
            continue
        option = "--" + ("type" if name == "type" else name.replace("_", "-"))
        if name == "synthetic":
            args.append("--synthetic" if value else "--real")
        elif name == "designated":
            args += ["--designated"] if value else []
        else:
            args += [option, str(value)]
    if spec.confirmed_only:
        args.append("--confirmed-only")
    args += ["--currency", spec.currency, "--lang", spec.lang]
    for name, default in (("top", 10), ("key_notices", 20), ("cite", 3)):
        if getattr(spec, name) != default:
            args += ["--" + name.replace("_", "-"), str(getattr(spec, name))]
    args += ["-o", output]
    if pdf:
        args += ["--pdf", pdf]
    return shlex.join(args)

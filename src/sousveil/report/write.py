"""A report from a database: the HTML page, the data package beside it, and the PDF when asked."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from . import Spec
from .gather import gather
from .html import render_html
from .package import write_package


def data_folder(output: Path) -> Path:
    """report.html -> report-data/ beside it."""
    return output.with_name(output.stem + "-data")


def write_report(db: sqlite_utils.Database, spec: Spec, db_path: str, output: Path, pdf: Path | None = None) -> dict:
    """Write the report to `output`, its data package and, with `pdf`, the PDF. Returns what was written."""
    report = gather(db, spec, db_path, output.name, pdf.name if pdf else None)
    html = render_html(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    written = {"html": output, "data": write_package(db, report, data_folder(output)), "report": report}
    if pdf:
        from .pdf import write_pdf

        written["refused"] = write_pdf(html, pdf)
        written["pdf"] = pdf
    return written

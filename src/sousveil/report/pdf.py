"""The report as PDF: Debian's chromium, driven by Playwright, prints the HTML (A4, the page's own
print styles and page numbers). Nothing is loaded: every request the page would make is refused."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Without the background-networking flags chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class PdfError(Exception):
    pass


def chromium_path() -> str:
    path = os.environ.get("SOUSVEIL_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise PdfError("--pdf needs Debian's chromium (as root: apt-get install chromium fonts-noto-cjk; "
                       "or set SOUSVEIL_CHROMIUM to a chromium binary)")
    return path


def write_pdf(html: str, path: Path) -> list[str]:
    """Print `html` to `path`; returns the requests the page tried to make (refused), which should be none."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        raise PdfError("--pdf needs Playwright: pip install 'sousveil[pdf]'") from e
    refused: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: (refused.append(route.request.url), route.abort()))
            page.set_content(html, wait_until="load")
            page.pdf(path=str(path), format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
    return refused

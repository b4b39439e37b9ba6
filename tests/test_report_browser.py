"""The report in chromium (Playwright, Debian's chromium as in test_browser.py): it loads nothing,
prints to A4 with page numbers and a synthetic line on every page; screenshots of the page and of
the PDF's pages (pdftoppm, poppler-utils) go to test-artifacts/report/ (or $SOUSVEIL_ARTIFACTS)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from sousveil.report.pdf import CHROMIUM_ARGS, chromium_path

from .conftest import run_cli
from .test_report import real_db  # noqa: F401  (the fixture)

ARTIFACTS = Path(os.environ.get("SOUSVEIL_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")) / "report"


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"the report's PDF tests need {tool} (apt-get install poppler-utils; scripts/browser_deps.sh)")
    return path


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run([poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]  # a form feed ends every page


def screenshots(pdf: Path, prefix: str, pages: int = 3) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([poppler("pdftoppm"), "-r", "70", "-png", "-f", "1", "-l", str(pages), str(pdf),
                    str(ARTIFACTS / prefix)], check=True)
    return sorted(ARTIFACTS.glob(prefix + "-*.png"))


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        path = chromium_path()
    except Exception as e:
        pytest.fail(str(e))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_synthetic_pdf_every_page_marked_and_numbered(corpus, tmp_path):
    out, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    result = run_cli("report", "--db", corpus["db_path"], "--category", "video", "-o", out, "--pdf", pdf)
    assert "refused" not in result.stderr  # the page asked for nothing
    pages = pdf_pages(pdf)
    assert len(pages) > 3
    for i, page in enumerate(pages, 1):
        assert "SYNTHETIC" in page, i
        assert re.search(rf"\b{i} / {len(pages)}\b", page), i
    assert "pts (A4)" in subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True).stdout
    assert "人脸" in "".join(pages)  # Chinese text is in the PDF as text, not missing glyphs
    shots = screenshots(pdf, "synthetic-pdf")
    assert len(shots) == 3 and all(s.stat().st_size > 10_000 for s in shots)


def test_real_pdf_in_chinese_has_no_synthetic_mark(real_db, tmp_path):  # noqa: F811
    out, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    run_cli("report", "--db", real_db, "--lang", "zh", "-o", out, "--pdf", pdf)
    pages = pdf_pages(pdf)
    assert not any("SYNTHETIC" in p or "合成数据" in p for p in pages)
    assert "调查结果报告" in pages[0] and "宜昌" in "".join(pages)
    assert all(re.search(rf"\b{i} / {len(pages)}\b", p) for i, p in enumerate(pages, 1))
    screenshots(pdf, "real-zh-pdf", pages=2)


def test_html_loads_nothing_and_screenshots(corpus, browser, tmp_path):
    out = tmp_path / "report.html"
    run_cli("report", "--db", corpus["db_path"], "-o", out, "--top", "5")
    context = browser.new_context(viewport={"width": 1100, "height": 1400}, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    assert requests == [out.as_uri()]  # the file itself, nothing else
    assert page.locator("#synthetic-banner").is_visible()
    assert page.locator("#provinces svg path").count() == 34
    assert page.locator("#capabilities svg rect").count() > 10
    page.screenshot(path=ARTIFACTS / "report.png")
    page.locator("#parties").scroll_into_view_if_needed()
    page.locator("#parties").screenshot(path=ARTIFACTS / "report-parties.png")
    page.locator("article.evidence").first.screenshot(path=ARTIFACTS / "report-evidence.png")
    # A citation leads to its evidence.
    page.locator("#H6 a.cite").first.click()
    assert re.search(r"#N\d+$", page.url) and page.locator(page.url[page.url.index("#"):]).is_visible()
    context.close()

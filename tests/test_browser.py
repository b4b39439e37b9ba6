"""The web interface in a real browser: Playwright driving Debian's chromium, headless, against
`sousveil serve` started by the test on 127.0.0.1. Screenshots of the main pages are saved to
test-artifacts/screenshots/ (or $SOUSVEIL_ARTIFACTS)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from sousveil.web.server import add_reviewer

from .conftest import copy_database

ARTIFACTS = Path(os.environ.get("SOUSVEIL_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")) / "screenshots"
# Without the background-networking flags chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"


def chromium_path() -> str:
    path = os.environ.get("SOUSVEIL_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)")
    return path


@pytest.fixture(scope="module")
def server(web_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    db_path = root / "browser.db"
    copy_database(web_db["db_path"], db_path)  # never shutil.copy of an open database (conftest.py)
    accounts = root / "reviewers.json"
    add_reviewer(str(accounts), "carol", PASSWORD)
    proc = subprocess.Popen([sys.executable, "-m", "sousveil.cli", "serve", str(db_path), "--port", "0",
                             "--reviewers", str(accounts)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        proc.kill()
        raise AssertionError(f"serve did not start: {line}{proc.stderr.read()}")
    yield {"url": match.group(0).rstrip("/"), "db": web_db["db"]}
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def test_search_and_facet_click(server, page):
    page.goto(server["url"] + "/-/search?q=" + "人脸")
    expect(page.locator("ol.results mark").first).to_be_visible()
    before = int(page.locator("p.total strong").inner_text())
    page.locator('section.facet[data-facet="province"] li a').first.click()
    expect(page).to_have_url(re.compile(r"province=\d{6}"))
    after = int(page.locator("p.total strong").inner_text())
    assert 0 < after <= before
    assert "q=%E4%BA%BA%E8%84%B8" in page.url  # the query stays in the URL with the facet
    expect(page.locator('.chip[data-facet="province"]')).to_be_visible()
    page.screenshot(path=ARTIFACTS / "search.png", full_page=True)
    page.locator("ol.results .meta a").first.click()  # the buyer of the first notice
    expect(page).to_have_url(re.compile(r"/-/buyer\?name="))
    expect(page.locator("h1")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "buyer.png", full_page=True)


def test_notice_page_highlights_the_selected_span(server, page):
    nid = server["db"].execute("select notice_id from tags group by 1 order by count(*) desc limit 1").fetchone()[0]
    page.goto(f"{server['url']}/-/notice/{nid}")
    link = page.locator("#tags a.span-link").first
    target = link.get_attribute("data-target")
    link.click()
    active = page.locator("mark.active")
    expect(active.first).to_be_visible()
    assert all(target in (m.get_attribute("data-ids") or "").split() for m in active.all())
    assert active.first.is_visible() and page.evaluate("location.hash") == "#" + target
    page.locator("#facts a.span-link").first.click()
    expect(page.locator("mark.active.fact").first).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "notice.png", full_page=False)


def test_review_flow_with_sign_in(server, page):
    nid = server["db"].execute("select id from notices where project_code = 'WEB-2024-001' and type = 'award'").fetchone()[0]
    page.goto(f"{server['url']}/-/notice/{nid}")
    expect(page.locator("form.review")).to_have_count(0)  # anonymous visitors only read
    page.goto(server["url"] + "/-/login")
    page.fill('input[name="username"]', "carol")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('input[type="submit"], button[type="submit"]').last.click()
    page.goto(f"{server['url']}/-/notice/{nid}")
    expect(page.locator(".user strong")).to_have_text("carol")
    form = page.locator("form.review").first
    form.locator("select").select_option("false_positive")
    form.locator('input[name="note"]').fill("browser test: not a camera purchase")
    form.locator("button").click()
    row = page.locator("table.audit tr", has_text="browser test: not a camera purchase")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("carol")
    expect(page.locator(".verdict.false_positive").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "review.png", full_page=True)


def test_xss_payloads_stay_inert(server, page):
    nid = server["db"].execute("select id from notices where project_code = 'WEB-2024-001' and type = 'award'").fetchone()[0]
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{server['url']}/-/notice/{nid}")
    page.locator("h1").click()
    page.locator("pre.doc").click()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.dialogs == []
    expect(page.locator("h1")).to_contain_text("<img src=x onerror=")  # shown as text
    expect(page.locator("pre.doc")).to_contain_text('<script>window.__xss="escaped script"</script>')
    assert page.locator("pre.doc img, pre.doc svg, pre.doc iframe, pre.doc script").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    page.screenshot(path=ARTIFACTS / "hostile-notice.png", full_page=True)


def test_map_and_chart_are_drawn_and_link_to_searches(server, page):
    page.goto(server["url"] + "/")
    expect(page.locator("svg#map path")).to_have_count(34)
    box = page.locator("svg#map").bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    assert page.locator("svg#chart rect").count() > 10
    assert page.locator("svg#chart").bounding_box()["width"] > 300
    page.screenshot(path=ARTIFACTS / "overview.png", full_page=True)
    page.locator('svg#map a[data-code="44"] path').click()
    expect(page).to_have_url(re.compile(r"/-/search\?province=440000"))
    assert int(page.locator("p.total strong").inner_text()) > 0


def test_vendor_page_and_process_timeline(server, page):
    page.goto(server["url"] + "/-/vendors")
    page.locator('tr[data-vendor="hikvision"] a').first.click()
    expect(page.locator("#designations")).to_contain_text("84 FR 54002")
    page.screenshot(path=ARTIFACTS / "vendor.png", full_page=True)
    page.locator("#vendor-notices a.title").first.click()
    expect(page.locator("#process code")).to_be_visible()
    assert page.locator("ol.timeline li").count() >= 1

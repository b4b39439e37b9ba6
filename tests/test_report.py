"""`sousveil report`: figures equal `stats` and `export` for the same filters, every citation is a
stored span, the page is self-contained and byte-identical when rebuilt, synthetic data say so,
the data package is a valid Frictionless package, and the web's search page links to the report.
(The PDF and the screenshots, which need chromium: test_report_browser.py.)"""

import csv
import json
import re
import shlex
import sqlite3
from collections import defaultdict
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from lxml import html as lxml_html

from sousveil.ingest.run import ingest
from sousveil.report import Spec
from sousveil.report.gather import gather
from sousveil.report.html import render_html, style_hash
from sousveil.report.write import write_report
from sousveil.store import queries
from sousveil.store.db import open_db

from .conftest import run_cli

REAL = Path(__file__).parent.parent.parent / "shared" / "real" / "yichang-awards"
# (report options, the same for stats and export)
SCOPES = [[], ["--category", "video"], ["--query", "人脸", "--year", "2021"], ["--province", "广东", "--type", "award"],
          ["--min-confidence", "0.7", "--real"]]


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    if not REAL.is_dir():
        pytest.fail(f"the report's real-data test reads {REAL} (../shared/real/yichang-awards)")
    path = tmp_path_factory.mktemp("real") / "real.db"
    ingest([REAL], path, progress=False)
    return path


def build(db_path, out: Path, *options) -> Path:
    run_cli("report", "--db", db_path, *options, "-o", out)
    return out


def export_rows(db_path, *options) -> list[dict]:
    result = run_cli("export", "--db", db_path, "--format", "jsonl", *options)
    return [json.loads(line) for line in result.stdout.splitlines()]


def counted_once(rows: list[dict]) -> Decimal:
    """The counting rule, from the export's rows alone: copies out; a process's value from its award
    notices, else its contracts, else its other notices (an unlinked notice counts on its own)."""
    rank = {"award": 0, "contract": 1}
    best: dict = {}
    for r in rows:
        if r["ocid"] and r["award_total"] is not None and not r["duplicate_of"]:
            best[r["ocid"]] = min(best.get(r["ocid"], 9), rank.get(r["type"], 2))
    # The rule looks at every notice of the process, also those outside the scope.
    return sum((Decimal(r["award_total"]) for r in rows if r["award_total"] is not None and not r["duplicate_of"]
                and (r["type"] == "award" or not r["ocid"] or rank.get(r["type"], 2) <= best[r["ocid"]])), Decimal(0))


def figures(folder: Path) -> dict:
    with open(folder / "figures.csv", encoding="utf-8", newline="") as fh:
        return {r["figure"]: r for r in csv.DictReader(fh)}


@pytest.mark.parametrize("options", SCOPES, ids=lambda o: " ".join(o) or "all")
def test_every_figure_equals_stats_and_export(corpus, tmp_path, options):
    db_path = corpus["db_path"]
    build(db_path, tmp_path / "report.html", *options, "--top", "5")
    got = figures(tmp_path / "report-data")
    stats = json.loads(run_cli("stats", "--db", db_path, "--json", "--top", "5", *options).stdout)
    rows = export_rows(db_path, *options)
    own = [r for r in rows if not r["duplicate_of"]]
    t = stats["totals"]
    assert int(got["H1"]["notices"]) == t["notices"] == len(rows)
    assert int(got["H2"]["notices"]) == t["documents"] == len({r["sha256"] for r in rows})
    assert int(got["H3"]["notices"]) == len({r["buyer"] for r in own if r["buyer"]})
    assert int(got["H4"]["notices"]) == len({s["name"] for r in own for s in r["suppliers"] if s["role"] == "winner"})
    assert int(got["H5"]["notices"]) == len({r["ocid"] for r in own if r["ocid"]})
    value = sum((Decimal(p["award_value"] or 0) for p in stats["by_province"]), Decimal(0))
    assert Decimal(got["H6"]["award_value"]) == value
    if not options or options[0] != "--category":  # a process's other notices are all in scope then
        assert value == counted_once(rows)
    for prefix, section in (("F1.", "by_category_year"), ("F2.", "by_province"), ("F3.", "top_buyers"),
                            ("F4.", "top_suppliers")):
        mine = [r for k, r in got.items() if k.startswith(prefix)]
        assert len(mine) == len(stats[section])
        for m, s in zip(mine, stats[section]):
            assert (int(m["notices"]), Decimal(m["award_value"] or 0)) == (s["notices"], Decimal(s["award_value"] or 0))
            assert m["label"] == str(s.get("name") or s.get("category") or s.get("province"))
            assert m["cites"], m  # every row cites its notices
    # scope.csv lists exactly the exported notices, with the values the sums count.
    with open(tmp_path / "report-data" / "scope.csv", encoding="utf-8", newline="") as fh:
        scope = list(csv.DictReader(fh))
    assert [int(r["id"]) for r in scope] == [r["id"] for r in rows]
    assert sum((Decimal(r["counted_value"]) for r in scope if r["counted_value"]), Decimal(0)) == value


def test_vendor_figures_equal_the_vendors_command(web_db, tmp_path):
    report = write_report(web_db["db"], Spec(), str(web_db["db_path"]), tmp_path / "r.html")["report"]
    listed = {v["id"]: v for v in json.loads(run_cli("vendors", "--db", web_db["db_path"], "--json").stdout)}
    assert report["vendors"]
    for v in report["vendors"]:
        same = listed[v["vendor"]]
        assert (v["won_notices"], v["award_value"], v["brand_notices"]) == \
            (same["won_notices"], same["award_value"], same["brand_notices"])
        assert v["cites"] and v["designations"] == same["designations"]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "84 FR 54002" in html and "unverified: needs a primary source" in html


def test_every_citation_resolves_to_a_stored_span(corpus, corpus_db, tmp_path):
    out = build(corpus["db_path"], tmp_path / "report.html", "--category", "video")
    page = lxml_html.fromstring(out.read_bytes())
    articles = {a.get("id"): a for a in page.xpath("//article[@class='evidence']")}
    cited = set()
    for a in page.xpath("//a[@class='cite']"):
        cited.add(a.get("href")[1:])
    assert cited and cited == set(articles)  # every citation has its evidence, and no evidence is uncited
    for row in page.xpath("//tr[starts-with(@id, 'F') or starts-with(@id, 'H') or starts-with(@id, 'K')]"):
        assert row.xpath(".//a[@class='cite']"), row.get("id")  # every numbered row cites
    spans = 0
    for a in articles.values():
        text = corpus_db.execute("select text from documents where sha256 = ?", [a.get("data-sha256")]).fetchone()[0]
        nid = int(a.get("data-notice"))
        assert a.xpath(".//dd[@class='hash']")[0].text == a.get("data-sha256")
        for mark in a.xpath(".//mark"):
            start, end = int(mark.get("data-start")), int(mark.get("data-end"))
            assert mark.text_content() == text[start:end] and end > start
            spans += 1
        stored = corpus_db.execute("select count(*) from tags where notice_id = ? and kind = 'capability'",
                                   [nid]).fetchone()[0]
        assert len(a.xpath(".//table[@class='tags']/tbody/tr")) == stored
    assert spans > 50
    # The data package's facts and tags carry the same spans.
    for name in ("facts", "tags"):
        with open(tmp_path / "report-data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["span_start"]:
                    text = corpus_db.execute("select text from documents where sha256 = ?", [r["sha256"]]).fetchone()[0]
                    assert text[int(r["span_start"]):int(r["span_end"])].lstrip("'") == r["span_text"].lstrip("'")


def test_rebuilt_report_is_byte_identical(corpus, tmp_path):
    options = ["--query", "监控", "--lang", "zh"]
    a = build(corpus["db_path"], tmp_path / "a" / "report.html", *options)
    b = build(corpus["db_path"], tmp_path / "b" / "report.html", *options)
    assert a.read_bytes() == b.read_bytes()
    for name in ("scope", "figures", "notices", "facts", "tags"):
        assert (a.parent / "report-data" / f"{name}.csv").read_bytes() == \
            (b.parent / "report-data" / f"{name}.csv").read_bytes()
    html = a.read_text(encoding="utf-8")
    command = unescape(re.search(r'<pre class="command">(.*?)</pre>', html, re.S).group(1))
    assert shlex.split(command) == ["sousveil", "report", "--db", str(corpus["db_path"]), "--query", "监控", "--currency",
                                    "CNY", "--lang", "zh", "-o", "report.html"]
    # The only time in the page is the one the data record.
    as_of = max(filter(None, open_db(corpus["db_path"], create=False).execute(
        "select (select max(ingested_at) from documents), (select max(at) from reviews),"
        " (select value from meta where key = 'linked_at')").fetchone()))
    assert set(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", html)) <= {as_of, "2026-01-01T00:00:00Z"}


def test_self_contained_no_script_no_request(corpus, tmp_path):
    html = build(corpus["db_path"], tmp_path / "report.html").read_text(encoding="utf-8")
    page = lxml_html.fromstring(html)
    assert not page.xpath("//script | //link | //iframe | //img | //object | //embed | //*[@src] | //*[@srcset]")
    assert not page.xpath("//*[@style]")  # the one style sheet is inline, so a server can allow it by its hash
    assert "url(" not in html and "@import" not in html and "@font-face" not in html
    for a in page.xpath("//a[@href]"):
        href = a.get("href")
        # In-page links, and source URLs the reader may follow (never loaded by the page).
        assert href.startswith("#") or (href.startswith(("http://", "https://")) and "noreferrer" in a.get("rel"))
    assert len(page.xpath("//svg")) >= 3


def test_synthetic_report_says_so_on_every_page(corpus, tmp_path):
    html = build(corpus["db_path"], tmp_path / "report.html").read_text(encoding="utf-8")
    page = lxml_html.fromstring(html)
    assert "SYNTHETIC" in page.xpath("//div[@id='synthetic-banner']")[0].text_content()
    css = page.xpath("//style")[0].text
    assert re.search(r'@page \{ @top-center \{ content: "SYNTHETIC[^"]*400 notices', css)  # every printed page
    assert len(page.xpath("//article[@class='evidence']//span[@class='badge synthetic']")) == \
        len(page.xpath("//article[@class='evidence']"))


def test_real_notices_report_has_no_synthetic_mark(real_db, tmp_path):
    out = build(real_db, tmp_path / "report.html", "--lang", "zh")
    html = out.read_text(encoding="utf-8")
    assert "SYNTHETIC" not in html and "synthetic-banner" not in html and "@top-center" not in html
    got = figures(tmp_path / "report-data")
    stats = json.loads(run_cli("stats", "--db", real_db, "--json").stdout)
    assert int(got["H1"]["notices"]) == stats["totals"]["notices"] == 156
    value = sum((Decimal(p["award_value"] or 0) for p in stats["by_province"]), Decimal(0))
    assert Decimal(got["H6"]["award_value"]) == value == counted_once(export_rows(real_db))
    assert "调查结果报告" in html and "计数规则" in html  # in Chinese
    # Redacted before storage: the rosters' identity numbers appear nowhere in the report or its data.
    for path in [out, *(tmp_path / "report-data").glob("*.csv")]:
        assert not re.search(r"\d{6}(?:19|20)\d{2}[\d*]{7}[\dXx]", path.read_text(encoding="utf-8")), path


def test_confirmed_only(web_db, tmp_path):
    path = tmp_path / "reviewed.db"
    with sqlite3.connect(path) as copy:
        web_db["db"].conn.backup(copy)
    db = open_db(path, create=False)
    tags = db.execute("select id from tags where kind = 'capability' order by id limit 3").fetchall()
    queries.add_review(db, tags[0][0], "confirmed", "", "alice")
    queries.add_review(db, tags[1][0], "confirmed", "", "alice")
    queries.add_review(db, tags[1][0], "false_positive", "not a camera", "bob")  # the latest review counts
    queries.add_review(db, tags[2][0], "confirmed", "", "alice")
    confirmed = db.execute("select count(distinct r.notice_id) from reviews r where r.verdict = 'confirmed' and"
                           f" {queries.LATEST_REVIEW}").fetchone()[0]
    report = write_report(db, Spec(confirmed_only=True), str(path), tmp_path / "report.html")["report"]
    assert 0 < report["scope"]["totals"]["notices"] == confirmed
    everything = db.execute("select count(*) from notices").fetchone()[0]
    assert report["methods"]["without_confirmed"] == {"notices": everything, "left_out": everything - confirmed}
    # Only the confirmed tags are counted as capabilities.
    assert sum(r["notices"] for r in report["capabilities"]) == db.execute(
        "select count(distinct t.notice_id || t.category) from tags t join reviews r on r.tag_id = t.id where"
        f" r.verdict = 'confirmed' and {queries.LATEST_REVIEW}").fetchone()[0]
    assert "--confirmed-only" in report["command"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "bob, " in html and "not a camera" in html  # the verdict with its reviewer and time
    assert run_cli("report", "--db", path, "--confirmed-only", "--review", "unsure", "-o", tmp_path / "x.html",
                   check=False).returncode == 2


def test_data_package_is_valid(corpus, tmp_path):
    import frictionless

    build(corpus["db_path"], tmp_path / "report.html", "--category", "phone_tracking")
    report = frictionless.validate(str(tmp_path / "report-data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads((tmp_path / "report-data" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in descriptor["resources"]} == {"scope", "figures", "notices", "facts", "tags"}
    assert "SYNTHETIC" in descriptor["description"]


def test_web_search_links_to_the_same_report(web_db):
    from sousveil.web.server import make_app

    from .test_web import Client

    app = Client(make_app(str(web_db["db_path"]), public=True))
    page = app.get("/-/search?q=人脸&category=video&lang=zh").text
    link = unescape(re.search(r'<a class="report" href="([^"]+)">生成这些公告的调查报告</a>', page).group(1))
    response = app.get(link)
    assert response.status_code == 200
    spec = Spec(queries.Filters(category="video"), "人脸", lang="zh")
    report = gather(web_db["db"], spec, str(web_db["db_path"]))
    assert response.text == render_html(report)  # what `sousveil report` writes for the same filters
    csp = response.headers["content-security-policy"]
    assert f"style-src {style_hash(report)};" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert "--category video" in response.text


def test_every_report_label_has_both_languages():
    from sousveil.data_files import load_yaml
    from sousveil.report.html import ReportLabels

    labels = load_yaml("report.yaml")["labels"]
    for key, entry in labels.items():
        assert set(entry) == {"en", "zh"} and all(entry.values()), key
    template = (Path(__file__).parent.parent / "src" / "sousveil" / "report" / "templates" / "report.html").read_text()
    ui = load_yaml("ui.yaml")["labels"]
    for key in set(re.findall(r"t\('([a-z_]+)'[,)]", template)):  # not a prefix ('report_designation_' ~ status)
        assert key in labels or key in ui, key
    assert ReportLabels("zh")("report_title") == "调查结果报告" and ReportLabels("en")("buyer") == "Buyer"


def test_hostile_notice_stays_text_in_the_report(web_db, tmp_path):
    db = web_db["db"]
    nid = db.execute("select id from notices where project_code = 'WEB-2024-001' and type = 'award'").fetchone()[0]
    report = write_report(db, Spec(queries.Filters(buyer="深圳市公安局"), "人脸识别系统"), str(web_db["db_path"]),
                          tmp_path / "report.html")["report"]
    assert nid in {e["id"] for e in report["evidence"]}
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    page = lxml_html.fromstring(html)
    assert not page.xpath("//script | //img | //iframe | //*[@onerror] | //*[@onload] | //*[@onclick]")
    assert not page.xpath("//a[starts-with(@href, 'javascript')]")
    title = page.xpath(f"//article[@data-notice='{nid}']/h3")[0].text_content()
    assert """<img src=x onerror="window.__xss='img onerror'">""" in title  # shown as text
    assert "&lt;img src=x onerror=" in html


ABROAD = {"version": "1.1", "publishedDate": "2019-05-02T00:00:00Z", "publisher": {"name": "test publisher"},
          "uri": "https://example.org/package", "releases": [{
              "ocid": "ocds-abc123-0001", "id": "r1", "date": "2019-05-02T00:00:00Z", "tag": ["award"],
              "initiationType": "tender", "buyer": {"id": "b", "name": "Ministerio del Interior"},
              "parties": [{"id": "b", "name": "Ministerio del Interior", "roles": ["buyer"],
                           "address": {"countryName": "Ecuador"}},
                          {"id": "s", "name": "Huawei Technologies Co., Ltd.", "roles": ["supplier"]}],
              "awards": [{"id": "a1", "value": {"amount": 1500000.5, "currency": "USD"},
                          "suppliers": [{"id": "s", "name": "Huawei Technologies Co., Ltd."}]}],
              "tender": {"id": "t1", "title": "Sistema de videovigilancia"}}]}


def test_abroad_world_map_and_sums_by_currency(tmp_path):
    from sousveil.synth.generate import write_corpus

    write_corpus(tmp_path / "synth", 20, seed=5)
    (tmp_path / "package.json").write_text(json.dumps(ABROAD), encoding="utf-8")
    db_path = tmp_path / "abroad.db"
    ingest([tmp_path / "package.json", tmp_path / "synth" / "notices"], db_path, progress=False)
    build(db_path, tmp_path / "report.html", "--currency", "USD")
    got = figures(tmp_path / "report-data")
    stats = json.loads(run_cli("stats", "--db", db_path, "--json", "--currency", "USD").stdout)
    assert Decimal(got["H6"]["award_value"]) == sum((Decimal(p["award_value"] or 0) for p in stats["by_province"]),
                                                    Decimal(0))
    published = {r["currency"]: Decimal(r["award_value"]) for k, r in got.items() if k.startswith("H6.")}
    assert published["USD"] == Decimal("1500000.5") and set(published) == {"USD", "CNY"}
    countries = {r["label"]: r for k, r in got.items() if k.startswith("F6.")}
    assert countries["EC"]["notices"] == "1" and countries["EC"]["cites"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'data-code="EC"' in lxml_html.tostring(lxml_html.fromstring(html).xpath("//h3[@id='countries']/following"
                                                                                     "-sibling::figure[1]")[0]).decode()
    assert "Sums are in USD" in html and "ECB reference rates" in html
    build(db_path, tmp_path / "ec" / "report.html", "--country", "EC", "--currency", "USD")
    assert figures(tmp_path / "ec" / "report-data")["H1"]["notices"] == "1"
    assert "--country EC --currency USD" in (tmp_path / "ec" / "report.html").read_text(encoding="utf-8")

"""The web interface, in process through Datasette's test client (browser tests: test_browser.py)."""

import asyncio
import csv
import io
import json
import re
import sqlite3
from html import unescape

import pytest

from sousveil.store import facets, queries
from sousveil.web import CSP
from sousveil.web.i18n import Labels
from sousveil.web.render import segments
from sousveil.web.server import add_reviewer, load_reviewers, make_app

from .conftest import run_cli


class Client:
    """Datasette's in-process client on one event loop, with cookies kept like a browser's."""

    def __init__(self, ds):
        self.ds = ds
        self.loop = asyncio.new_event_loop()
        self.cookies = {}
        self.loop.run_until_complete(ds.invoke_startup())

    def _send(self, method, path, **kwargs):
        response = self.loop.run_until_complete(
            getattr(self.ds.client, method)(path, cookies=dict(self.cookies), **kwargs))
        self.cookies.update(response.cookies)
        return response

    def get(self, path, **kwargs):
        return self._send("get", path, **kwargs)

    def post(self, path, **kwargs):
        return self._send("post", path, **kwargs)

    def sign_in(self, name):
        self.cookies["ds_actor"] = self.ds.sign({"a": {"id": name}}, "actor")

    def form_token(self, html):
        return re.search(r'name="csrftoken" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def app(web_db, tmp_path_factory):
    accounts = tmp_path_factory.mktemp("accounts") / "reviewers.json"
    add_reviewer(str(accounts), "alice", "correct horse battery")
    return Client(make_app(str(web_db["db_path"]), reviewers=str(accounts)))


@pytest.fixture(scope="module")
def public(web_db):
    return Client(make_app(str(web_db["db_path"]), public=True))


def _notice_id(db, title_part):
    return db.execute("select id from notices where title like ? and type = 'award'", [f"%{title_part}%"]).fetchone()[0]


def test_every_page_answers_with_the_security_headers(app, web_db):
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    nid = _notice_id(web_db["db"], "人脸识别系统")
    for path in ["/", "/-/search", "/-/search?q=人脸&category=video", f"/-/notice/{nid}",
                 "/-/buyer?name=深圳市公安局", "/-/search?lang=zh"]:
        r = app.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in r.text  # our pages carry no inline script at all
    app.cookies.pop("sousveil_lang")  # set by ?lang=zh above
    assert app.get("/-/notice/999999").status_code == 404


def test_datasette_views_stay_available(app, web_db):
    name = web_db["db_path"].stem
    rows = app.get(f"/{name}/notices.json?_shape=array&_size=3").json()
    assert len(rows) == 3 and "title" in rows[0]
    sql = app.get(f"/{name}.json?sql=select+count(*)+as+n+from+notices&_shape=array").json()
    assert sql[0]["n"] == web_db["db"].execute("select count(*) from notices").fetchone()[0]
    assert app.get(f"/{name}/tags.csv?_size=5").status_code == 200


def test_search_counts_match_the_query_functions_and_facets(app, web_db):
    db = web_db["db"]
    r = app.get("/-/search?q=人脸&sort=amount")
    total, _ = queries.search(db, "人脸", queries.Filters())
    assert total > 5
    assert re.search(rf"<strong>{total}</strong>", r.text)
    assert "<mark>人脸</mark>" in r.text  # hits highlighted in the snippets
    counts = facets.facet_counts(db, "人脸", queries.Filters())
    # Each facet value's count is the number a click on it finds.
    for name in ("category", "type", "province", "year", "synthetic"):
        for f in counts[name][:3]:
            page = app.get(f"/-/search?q=人脸&{name}={f['value']}")
            assert re.search(rf"<strong>{f['count']}</strong>", page.text), (name, f)
    # The facet link carries the whole state: query, sort and the new filter.
    link = re.search(r'href="(/-/search\?[^"]*category=video[^"]*)"', r.text).group(1)
    assert "q=%E4%BA%BA%E8%84%B8" in link and "sort=amount" in link


def test_search_filters_city_supplier_and_pagination(app, web_db):
    db = web_db["db"]
    city_code, city_count = db.execute("select city_code, count(*) from notices where city_code is not null"
                                       " group by 1 order by 2 desc limit 1").fetchone()
    assert re.search(rf"<strong>{city_count}</strong>", app.get(f"/-/search?city={city_code}").text)
    name, wins = db.execute("select name, count(distinct notice_id) from suppliers where role = 'winner'"
                            " group by 1 order by 2 desc limit 1").fetchone()
    assert re.search(rf"<strong>{wins}</strong>", app.get(f"/-/search?supplier={name}").text)
    first = app.get("/-/search?sort=date").text
    second = app.get("/-/search?sort=date&page=2").text
    ids = lambda html: re.findall(r'class="title" href="/-/notice/(\d+)"', html)  # noqa: E731
    assert len(ids(first)) == 20 and not set(ids(first)) & set(ids(second))
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_search_pages_are_the_query_functions_pages_in_every_order(app, web_db):
    """The web orders a search's first pages from the facet index and later ones through SQL
    (views.FIRST_PAGES): either way a page holds the notices `queries.search` gives it, ties of
    dates and sums included, and no notice shows on two pages."""
    from sousveil.web.views import FIRST_PAGES, PAGE_SIZE

    db = web_db["db"]
    ids = lambda html: [int(i) for i in re.findall(r'class="title" href="/-/notice/(\d+)"', html)]  # noqa: E731
    for q, filters in ((None, {}), ("采购", {}), (None, {"type": "award"})):
        total, _ = queries.search(db, q, queries.Filters(**filters))
        assert total > (FIRST_PAGES + 1) * PAGE_SIZE, (q, filters, total)
        for sort in queries.SORTS:
            shown = []
            for page in range(1, FIRST_PAGES + 3):
                params = {**filters, "sort": sort, "page": page, **({"q": q} if q else {})}
                html = app.get("/-/search?" + "&".join(f"{k}={v}" for k, v in params.items())).text
                _, rows = queries.search(db, q, queries.Filters(**filters), limit=PAGE_SIZE,
                                         offset=(page - 1) * PAGE_SIZE, sort=sort)
                assert ids(html) == [r["id"] for r in rows], (q, filters, sort, page)
                assert re.search(rf"<strong>{total}</strong>", html)
                shown += ids(html)
            assert len(shown) == len(set(shown)) == (FIRST_PAGES + 2) * PAGE_SIZE


def test_facet_counts_are_the_tables_counts(web_db):
    """The facet index counts what a query of the tables counts, for each facet and value."""
    db = web_db["db"]
    where, params = queries._where(queries.Filters(type="award"), "公安")
    matching = f"select n.id from notices n where {' and '.join(where)}"
    counts = facets.facet_counts(db, "公安", queries.Filters(type="award"), limit=1000)
    expected = {
        "category": f"select category, count(distinct notice_id) from tags where notice_id in ({matching}) group by 1",
        "province": f"select province_code, count(*) from notices where province_code is not null and id in ({matching})"
                    " group by 1",
        "supplier": f"select name, count(distinct notice_id) from suppliers where role = 'winner' and notice_id in"
                    f" ({matching}) group by 1",
        "year": f"select year, count(*) from notices where year is not null and id in ({matching}) group by 1",
    }
    for name, sql in expected.items():
        assert {f["value"]: f["count"] for f in counts[name]} == \
            {str(v): c for v, c in db.execute(sql, params).fetchall()}, name
    assert counts["type"] == [{"value": "award", "label": "award", "count": len(db.execute(matching, params).fetchall())}]


def test_synthetic_is_labelled_and_separated(app, web_db):
    db = web_db["db"]
    overview = app.get("/").text
    assert 'class="banner synthetic"' in overview
    real = app.get("/-/search?synthetic=0").text
    assert re.search(r"<strong>1</strong>", real)  # the one real notice (CCGP sample)
    assert "banner synthetic" not in real and "SYNTHETIC" not in real.split("<main>")[1]
    synthetic = app.get("/-/search?synthetic=1").text
    assert "banner synthetic" in synthetic and synthetic.count('class="badge synthetic"') == 20
    nid = db.execute("select id from notices where synthetic = 1 limit 1").fetchone()[0]
    assert "banner synthetic" in app.get(f"/-/notice/{nid}").text
    real_id = db.execute("select id from notices where synthetic = 0").fetchone()[0]
    assert "banner synthetic" not in app.get(f"/-/notice/{real_id}").text
    rows = list(csv.DictReader(io.StringIO(app.get("/-/export.csv?synthetic=1&category=video").text.lstrip("\ufeff"))))
    assert rows and all(r["label"] == "SYNTHETIC" for r in rows)


def test_notice_page_highlights_every_fact_and_tag(app, web_db):
    db = web_db["db"]
    nid = db.execute("select t.notice_id from tags t join facts f on f.notice_id = t.notice_id group by 1"
                     " order by count(distinct t.id) desc limit 1").fetchone()[0]
    html = app.get(f"/-/notice/{nid}").text
    facts = db.execute("select id, span_start, span_end from facts where notice_id = ? and span_start is not null",
                       [nid]).fetchall()
    tags = db.execute("select id from tags where notice_id = ?", [nid]).fetchall()
    assert facts and tags
    text = db.execute("select text from documents d join notices n on n.sha256 = d.sha256 where n.id = ?",
                      [nid]).fetchone()[0]
    for fid, start, end in facts:
        assert f'href="#f{fid}"' in html and f'id="f{fid}"' in html
        # The marks carrying this fact's id spell out exactly its span of the stored text.
        pieces = re.findall(rf'<mark class="[^"]*" data-ids="[^"]*\bf{fid}\b[^"]*">(.*?)</mark>', html, re.S)
        assert unescape("".join(pieces)) == text[start:end]
    for (tid,) in tags:
        assert f'href="#t{tid}"' in html and f'id="t{tid}"' in html
    doc_pane = html.split('<pre class="doc">')[1].split("</pre>")[0]
    assert unescape(re.sub(r"<[^>]+>", "", doc_pane)) == text  # the whole stored text, nothing lost
    real = db.execute("select id from notices where synthetic = 0").fetchone()[0]  # the CCGP sample
    assert "6,687,920" in app.get(f"/-/notice/{real}").text  # the award, formatted


def test_segments_cover_overlapping_spans():
    segs = segments("abcdefgh", [(1, 5, "f1", "fact"), (3, 7, "t1", "tag"), (9, 12, "bad", "fact")])
    assert "".join(s["text"] for s in segs) == "abcdefgh"
    assert [(s["text"], s["ids"]) for s in segs] == [("a", []), ("bc", ["f1"]), ("de", ["f1", "t1"]), ("fg", ["t1"]),
                                                    ("h", [])]
    assert segs[1]["anchors"] == ["f1"] and segs[2]["anchors"] == ["t1"]


def test_same_project_and_provenance(app, web_db):
    db = web_db["db"]
    award = _notice_id(db, "人脸识别系统")
    tender = db.execute("select id from notices where project_code = 'WEB-2024-001' and type = 'tender'").fetchone()[0]
    html = app.get(f"/-/notice/{award}").text
    assert f'href="/-/notice/{tender}"' in html
    sha = db.execute("select sha256 from notices where id = ?", [award]).fetchone()[0]
    assert sha in html and "2024-03-06T08:00:00Z" in html


def test_downloads_are_attachments_never_rendered(app, web_db):
    db = web_db["db"]
    award = _notice_id(db, "人脸识别系统")
    sha = db.execute("select sha256 from notices where id = ?", [award]).fetchone()[0]
    text = app.get(f"/-/document/{sha}/text")
    assert text.headers["content-disposition"].startswith("attachment")
    assert text.headers["content-type"].startswith("text/plain")
    original = app.get(f"/-/document/{sha}/original")  # this fixture was ingested with --keep-originals
    assert original.status_code == 200 and original.headers["content-type"] == "application/octet-stream"
    assert original.headers["content-disposition"].startswith("attachment")
    assert original.content == (web_db["hostile"]).read_bytes()
    other = db.execute("select sha256 from documents where sha256 not in (select sha256 from originals)"
                       " limit 1").fetchone()[0]
    assert app.get(f"/-/document/{other}/original").status_code == 404


def test_hostile_document_is_inert(app, web_db):
    db = web_db["db"]
    award = _notice_id(db, "人脸识别系统")
    html = app.get(f"/-/notice/{award}").text
    body = html.split("<main>")[1]
    assert "<script" not in body and "<img" not in body and "<svg onload" not in body and "<iframe" not in body
    assert not re.search(r"<[^>]*\son\w+\s*=", body)  # no event-handler attribute on any element
    assert "&lt;script&gt;" in body  # shown, as text
    assert 'href="javascript:' not in html  # neither the supplier's link nor the source URL became a link
    assert "javascript:window.__xss=&#39;source url&#39;" in body  # the source URL is shown as text
    for path in ["/-/search?q=人脸识别系统", "/-/buyer?name=深圳市公安局", "/-/supplier?name=测试视频科技有限公司"]:
        page = app.get(path).text.split("<main>")[1]
        assert "<script" not in page and "<img" not in page


def test_review_flow_is_appended_to_the_audit_table(app, web_db):
    db = web_db["db"]
    award = _notice_id(db, "人脸识别系统")
    tag_id = db.execute("select id from tags where notice_id = ? order by id", [award]).fetchone()[0]
    anonymous = app.get(f"/-/notice/{award}").text
    assert 'action="/-/notice/' not in anonymous and "/-/login" in anonymous
    token = app.form_token(app.get("/-/login").text)  # a valid CSRF token: the refusal is for the missing sign-in
    refused = app.post(f"/-/notice/{award}/review", data={"tag_id": tag_id, "verdict": "confirmed", "csrftoken": token})
    assert refused.status_code == 403
    app.sign_in("alice")
    page = app.get(f"/-/notice/{award}").text
    assert f'action="/-/notice/{award}/review"' in page
    without_token = app.post(f"/-/notice/{award}/review", data={"tag_id": tag_id, "verdict": "confirmed"})
    assert without_token.status_code == 403  # CSRF
    token = app.form_token(page)
    for verdict, note in (("unsure", "check the lot"), ("confirmed", "face recognition cameras, lot 1")):
        saved = app.post(f"/-/notice/{award}/review",
                         data={"tag_id": tag_id, "verdict": verdict, "note": note, "csrftoken": token})
        assert saved.status_code == 302
    bad = app.post(f"/-/notice/{award}/review", data={"tag_id": tag_id, "verdict": "maybe", "csrftoken": token})
    assert bad.status_code == 400
    rows = db.execute("select verdict, note, reviewer from reviews where tag_id = ? order by id", [tag_id]).fetchall()
    assert rows[-2:] == [("unsure", "check the lot", "alice"), ("confirmed", "face recognition cameras, lot 1", "alice")]
    html = app.get(f"/-/notice/{award}").text
    assert "face recognition cameras, lot 1" in html and "check the lot" in html  # both rows of the audit trail
    found = app.get("/-/search?review=confirmed").text
    assert f'href="/-/notice/{award}"' in found
    export = [json.loads(line) for line in app.get("/-/export.jsonl?review=confirmed").text.splitlines()]
    assert [r["id"] for r in export] == [award] and export[0]["reviews"][-1]["verdict"] == "confirmed"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with db.conn:
            db.execute("update reviews set verdict = 'false_positive'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with db.conn:
            db.execute("delete from reviews")
    app.cookies.pop("ds_actor")


def test_public_mode_is_read_only(public, web_db):
    db = web_db["db"]
    award = _notice_id(db, "人脸识别系统")
    public.sign_in("alice")  # even a signed actor cookie does not allow review in public mode
    page = public.get(f"/-/notice/{award}").text
    assert 'action="/-/notice/' not in page and "review is switched off" in page.lower()
    tag_id = db.execute("select id from tags where notice_id = ?", [award]).fetchone()[0]
    r = public.post(f"/-/notice/{award}/review", data={"tag_id": tag_id, "verdict": "confirmed",
                                                        "csrftoken": public.form_token(public.get("/-/login").text)})
    assert r.status_code == 403


def test_overview_chart_and_map_link_to_searches(app, web_db):
    html = app.get("/").text
    china = html[html.index('<svg id="map"'):html.index("</svg>", html.index('<svg id="map"'))]
    assert china.count("<path ") == 34  # every province, Taiwan, Hong Kong and Macau
    world = html[html.index('<svg id="world"'):html.index("</svg>", html.index('<svg id="world"'))]
    assert world.count("<path ") == 174 and re.search(r'data-code="CN"><path d="M[^"]+" fill="(?!#eef3f8)', world)
    bars = re.findall(r'<a href="(/-/search\?category=[^"&]+&amp;year=\d+)"><rect', html)
    assert bars
    guangdong = re.search(r'<a href="/-/search\?province=440000" data-code="44"><path d="M[^"]+" fill="(#[0-9a-f]+)"', html)
    assert guangdong and guangdong.group(1) != "#eef3f8"  # shaded: the corpus has notices there
    assert "/-/buyer?name=" in html and "/-/supplier?name=" in html
    value = app.get("/?measure=award_value").text
    assert 'class="selected">awarded value' in value
    assert "each procurement&#39;s value counted once" in html


def test_party_pages(app, web_db):
    db = web_db["db"]
    buyer, n = db.execute("select buyer, count(*) from notices where buyer is not null and id not in (select notice_id"
                          " from process_notices where duplicate_of is not null) group by 1 order by 2 desc"
                          " limit 1").fetchone()
    html = app.get(f"/-/buyer?name={buyer}").text
    assert f"{n} notices" in html  # republished copies count once
    profile = facets.party_profile(db, "buyer", buyer)
    assert sum(y["notices"] for y in profile["by_year"]) == n
    supplier = db.execute("select name from suppliers where role = 'winner' limit 1").fetchone()[0]
    assert app.get(f"/-/supplier?name={supplier}").status_code == 200
    assert app.get("/-/supplier?name=nobody").status_code == 404


def test_two_languages(app):
    zh = app.get("/-/search?lang=zh")
    assert "监控能力" in zh.text and 'lang="zh-Hans"' in zh.text
    assert zh.cookies.get("sousveil_lang") == "zh"
    assert "监控能力" in app.get("/-/search").text  # the choice sticks (cookie)
    en = app.get("/-/search?lang=en").text
    assert "Capability" in en and "Video surveillance" in en
    app.cookies.pop("sousveil_lang")


def test_every_label_has_both_languages():
    from sousveil.data_files import load_yaml

    ui = load_yaml("ui.yaml")
    for table in ("labels", "types", "buyer_types", "fields", "roles", "strengths", "amount_statuses"):
        for key, entry in ui[table].items():
            assert set(entry) == {"en", "zh"} and all(entry.values()), (table, key)
    t = Labels("zh")
    assert t.category("video") != Labels("en").category("video")
    assert Labels("en").amount_status("currency:HKD") == "in another currency, not converted: HKD"
    assert Labels("zh").amount_status("per_unit") == "单价，无总额"


def test_reviewer_accounts(tmp_path):
    path = tmp_path / "r.json"
    add_reviewer(str(path), "bob", "a long password")
    accounts = load_reviewers(str(path))
    assert accounts["bob"].startswith("pbkdf2_sha256$") and "a long password" not in path.read_text()
    with pytest.raises(ValueError):
        add_reviewer(str(path), "bob", "short")
    path.write_text('{"bob": "plain"}')
    with pytest.raises(ValueError, match="r.json"):
        load_reviewers(str(path))


def test_serve_cli_errors(tmp_path):
    r = run_cli("serve", tmp_path / "missing.db", check=False)
    assert r.returncode == 1 and "missing.db" in r.stderr
    r = run_cli("serve", tmp_path / "missing.db", "--public", "--reviewers", __file__, check=False)
    assert r.returncode == 2


def test_vendor_pages_and_designations(app, web_db):
    db = web_db["db"]
    html = app.get("/-/vendors").text
    assert 'href="/-/vendor/hikvision"' in html and "US Commerce Department Entity List" in html
    hik = app.get("/-/vendor/hikvision").text
    assert "84 FR 54002" in hik and "Executive Order 14032" in hik and "verified" in hik
    assert "needs a primary source" in app.get("/-/vendor/intellifusion").text  # an unverified designation says so
    assert app.get("/-/vendor/nobody").status_code == 404
    brands = db.execute("select count(distinct notice_id) from vendor_links where vendor = 'hikvision'").fetchone()[0]
    assert re.search(rf"<strong>{brands}</strong>", app.get("/-/search?vendor=hikvision").text)
    designated = db.execute("select count(distinct notice_id) from vendor_links where vendor in "
                            f"({','.join(repr(v) for v in queries.designated_vendors())})").fetchone()[0]
    page = app.get("/-/search?designated=1").text
    assert designated and re.search(rf"<strong>{designated}</strong>", page)
    assert 'data-facet="vendor"' in app.get("/-/search").text


def test_notice_page_shows_vendor_evidence_and_process(app, web_db):
    db = web_db["db"]
    nid, vendor, method = db.execute("select notice_id, vendor, method from vendor_links where kind = 'supplier'"
                                     " limit 1").fetchone()
    html = app.get(f"/-/notice/{nid}").text
    assert f'href="/-/vendor/{vendor}"' in html and f"Method {method}" in html
    ocid = db.execute("select ocid from process_notices where notice_id = ?", [nid]).fetchone()[0]
    assert ocid in html and 'class="timeline"' in html
    award = _notice_id(db, "人脸识别系统")
    tender = db.execute("select id from notices where project_code = 'WEB-2024-001' and type = 'tender'").fetchone()[0]
    timeline = app.get(f"/-/notice/{award}").text.split('class="timeline"')[1]
    assert f'href="/-/notice/{tender}"' in timeline  # the tender is in the award's process
    brand = db.execute("select notice_id from vendor_links where kind = 'brand' limit 1").fetchone()[0]
    assert 'id="brands"' in app.get(f"/-/notice/{brand}").text


def test_fact_fields_and_roles_have_names(app, web_db):
    from sousveil.data_files import load_yaml

    ui = load_yaml("ui.yaml")
    db = web_db["db"]
    assert {r[0] for r in db.execute("select distinct field from facts")} <= set(ui["fields"])
    assert {r[0] for r in db.execute("select distinct role from suppliers")} <= set(ui["roles"])
    nid = db.execute("select notice_id from suppliers where role = 'winner' limit 1").fetchone()[0]
    assert "中标（成交）" in app.get(f"/-/notice/{nid}?lang=zh").text
    app.cookies.pop("sousveil_lang")

"""The sousveil pages: overview, search, notice, buyer and supplier, review, exports, downloads.

Handlers read through the same query functions as the CLI (store.queries, store.facets), run
on Datasette's database threads. The URL carries the whole state of a page, so a search, a
filter or a chart selection can be shared as a link.
"""

from __future__ import annotations

import asyncio
import functools
import io
import multiprocessing
import multiprocessing.connection
import os
import sqlite3
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from importlib import resources

import sqlite_utils
from datasette.utils.asgi import AsgiStream, Response, asgi_static

from ..export import flat as exports
from ..extract.currency import MEASURES as CURRENCIES
from ..store import db as store
from ..store import facets, linked, queries
from ..text import fold
from . import render
from .i18n import COOKIE, LANGS, Labels, choose_lang

PAGE_SIZE = 20
FIRST_PAGES = 5  # pages of a search ordered from the facet index; later ones by the database
EXPORT_CHUNK = 500
EXPORT_NICE = 10  # the export process's niceness (Unix): bulk downloads give way to pages
FILTER_KEYS = ("category", "type", "country", "province", "city", "buyer_type", "year", "supplier", "buyer", "synthetic",
               "review", "vendor", "designated", "confident")
STATE_KEYS = ("q", *FILTER_KEYS, "sort", "page", "currency")
MEASURES = ("notices", "award_value")
AGGREGATE_CACHE = 1024  # aggregates kept: facet counts of a search are a few KB


async def _read(datasette, fn, *args, **kwargs):
    """Run a query function (taking a sqlite_utils.Database) on a Datasette read connection."""
    return await datasette.get_database().execute_fn(lambda conn: fn(sqlite_utils.Database(conn), *args, **kwargs))


_aggregates: OrderedDict = OrderedDict()
_computing: dict = {}  # key -> Event: an aggregate one database thread is computing now
_lock = threading.Lock()  # handlers run on several database threads at once


def _cached(db: sqlite_utils.Database, fn, *args):
    """An aggregate over the whole database (overview, facet counts, vendors), kept until the data
    changes (a notice, a review or a linking run): at 100,000 notices the overview takes about 2 s
    to compute (docs/web.md). Only the newest state's value is kept, so the facet index (tens of MB)
    is not kept once per commit while an ingest runs. Requests that need one being computed wait for
    it rather than compute it again: many readers opening the same search at once cost one count."""
    state = db.execute("select (select count(*) from notices), (select max(id) from notices),"
                       " (select max(id) from reviews), (select value from meta where key = 'linked_at')").fetchone()
    slot = (db.execute("pragma database_list").fetchone()[2], fn.__name__, repr(args))  # its value: (state, value)
    key = (*slot, state)
    with _lock:
        if _aggregates.get(slot, (None,))[0] == state:
            _aggregates.move_to_end(slot)
            return _aggregates[slot][1]
        running = _computing.get(key)
        if running is None:
            running = _computing[key] = threading.Event()
            owner = True
        else:
            owner = False
    if not owner:
        running.wait()
        with _lock:
            if _aggregates.get(slot, (None,))[0] == state:
                return _aggregates[slot][1]
        return fn(db, *args)  # the first computation failed: its error is that request's
    try:
        value = fn(db, *args)
        with _lock:
            _aggregates[slot] = (state, value)
            _aggregates.move_to_end(slot)
            if len(_aggregates) > AGGREGATE_CACHE:
                _aggregates.popitem(last=False)
        return value
    finally:
        with _lock:
            _computing.pop(key, None)
        running.set()


async def warm(datasette) -> None:
    """Before the server takes requests: the facet index is read (0.8 s at 100,000 notices), the export
    process started and the dictionaries loaded, so that the first searches do not wait for them."""
    def index(db: sqlite_utils.Database) -> None:
        if db["notices"].exists():  # a plain `datasette` may serve other databases with the plugin on
            _cached(db, facets.facet_index)

    started = asyncio.get_running_loop().run_in_executor(_exporter(), int) if datasette.get_database().path else None
    await _read(datasette, index)
    fold("")  # the search's highlighting loads OpenCC's dictionaries
    if started:
        await started  # the export process has imported sousveil


def _search_summary(db: sqlite_utils.Database, q: str | None, filters: queries.Filters) -> dict:
    """A search's total, facet counts and first pages in each order, from its notice ids and the facet
    index: kept like any aggregate, so a search's next page or another order costs a lookup of 20 rows."""
    index = _cached(db, facets.facet_index)
    ids = facets.matching_ids(db, q, filters)
    return {"total": len(ids), "facets": facets.facet_counts(db, q, filters, index=index, ids=ids),
            "first": facets.first_ids(index, ids, FIRST_PAGES * PAGE_SIZE)}


def _config(datasette) -> dict:
    return datasette.plugin_config("sousveil") or {}


def _can_review(datasette, request) -> bool:
    return bool(request.actor) and not _config(datasette).get("public")


def _state(request) -> dict:
    return {k: request.args.get(k) for k in STATE_KEYS if request.args.get(k)}


def _filters(state: dict) -> queries.Filters:
    year = state.get("year")
    synthetic = state.get("synthetic")
    return queries.Filters(
        category=state.get("category"), province=state.get("province"), buyer_type=state.get("buyer_type"),
        year=int(year) if year and year.isdigit() else None, type=state.get("type"),
        synthetic=None if synthetic not in ("0", "1") else synthetic == "1", city=state.get("city"),
        buyer=state.get("buyer"), supplier=state.get("supplier"), review=state.get("review"), vendor=state.get("vendor"),
        designated=True if state.get("designated") == "1" else None, country=state.get("country"),
        min_confidence=queries.CONFIDENT if state.get("confident") == "1" else None)


async def _page(datasette, request, template: str, context: dict, status: int = 200) -> Response:
    t = Labels(choose_lang(request))
    base = {"t": t, "money": exports.money, "amount": render.amount, "url": render.url, "actor": request.actor,
            "public": bool(_config(datasette).get("public")), "path": request.path, "state": _state(request),
            "db_name": datasette.get_database().name, "lang_url": render.url(request.path, {k: request.args.get(k) for k in request.args.keys()},
                                                                             lang=t.other)}
    html = await datasette.render_template(template, {**base, **context}, request=request)
    response = Response.html(html, status=status)
    if request.args.get("lang") in LANGS:
        response.set_cookie(COOKIE, request.args["lang"], max_age=365 * 24 * 3600, samesite="lax")
    return response


async def overview(request, datasette):
    measure = request.args.get("measure") if request.args.get("measure") in MEASURES else "notices"
    cur = request.args.get("currency") if request.args.get("currency") in CURRENCIES else "CNY"
    stats = await _read(datasette, _cached, queries.stats, 10, None, None, False, cur)
    t = Labels(choose_lang(request))
    chart = render.bar_chart(stats["by_category_year"], measure, t,
                             lambda cat, year: render.url("/-/search", {"category": cat, "year": year}))
    china = render.province_map(stats["by_province"], measure,
                                lambda code: render.url("/-/search", {"province": code}))
    world = render.country_map(stats["by_country"], measure, lambda code: render.url("/-/search", {"country": code}))
    return await _page(datasette, request, "sousveil_overview.html",
                       {"stats": stats, "chart": chart, "map": china, "world": world, "measure": measure,
                        "currency": cur, "currencies": CURRENCIES})


async def search(request, datasette):
    state = _state(request)
    filters = _filters(state)
    page = max(1, int(state["page"])) if state.get("page", "").isdigit() else 1
    sort = state.get("sort") if state.get("sort") in queries.SORTS else "date"
    q = state.get("q")
    summary = await _read(datasette, _cached, _search_summary, q, filters)
    total, counts, first = summary["total"], summary["facets"], summary["first"][sort]
    offset = (page - 1) * PAGE_SIZE
    if offset + PAGE_SIZE <= len(first) or len(first) == total:
        rows = await _read(datasette, queries.notices_of, first[offset:offset + PAGE_SIZE], q)
    else:  # a page beyond the first few: the database orders it
        _, rows = await _read(datasette, queries.search, q, filters, limit=PAGE_SIZE, offset=offset, sort=sort)
    for r in rows:
        if "snippet" in r:
            r["snippet_segments"] = render.segments(
                r["snippet"]["text"], [(s, e, "hit", "hit") for s, e in r["snippet"]["highlights"]])
    return await _page(datasette, request, "sousveil_search.html", {
        "q": q or "", "total": total, "rows": rows, "facets": counts, "page": page, "sort": sort,
        "pages": (total + PAGE_SIZE - 1) // PAGE_SIZE, "active": {k: state[k] for k in FILTER_KEYS if k in state},
        "synthetic_shown": sum(1 for r in rows if r["synthetic"])})


def _notice_bundle(db, notice_id: int):
    n = queries.notice(db, notice_id)
    if n is None:
        return None
    n["reviews"] = queries.reviews(db, notice_id)
    n["same_project"] = facets.same_project(db, n)
    n["has_original"] = db.execute("select count(*) from originals where sha256 = ?", [n["sha256"]]).fetchone()[0] > 0
    n.update(linked.notice_links(db, notice_id))
    n["vendor_of_supplier"] = {v["supplier_id"]: v for v in n["vendor_links"] if v["kind"] == "supplier"}
    n["scans"] = {f["id"]: _scan_evidence(lines, n["document"]["text"] or "")
                  for f, lines in _ocr_facts(db, n["sha256"], n["facts"])}
    return n


def _ocr_facts(db, sha256: str, facts: list[dict]):
    """(fact, the OCR'd lines its span covers) for each fact read by OCR."""
    from ..ocr.evidence import Placed, covering

    facts = [f for f in facts if f["method"] == "ocr" and f["span_start"] is not None]
    if not facts:
        return
    placed = [Placed(*row) for row in db.execute(
        "select page, span_start, span_end, x0, y0, x1, y1, confidence, blackout from ocr_lines where sha256 = ?"
        " order by span_start", [sha256]).fetchall()]
    starts = [p.start for p in placed]
    for f in facts:
        lines = covering(placed, starts, f["span_start"], f["span_end"])
        if lines:
            yield f, [p for p in lines if p.page == lines[0].page]  # the evidence on the page where it starts


def _scan_evidence(lines, text: str) -> dict:
    return {"page": lines[0].page, "confidence": min(p.confidence for p in lines),
            "text": text[lines[0].start:lines[-1].end][:300]}


def _fact_crop(db, notice_id: int, fact_id: int) -> bytes | None:
    from ..ocr import crop

    cols = ("id", "method", "span_start", "span_end", "sha256")
    row = db.execute("select f.id, f.method, f.span_start, f.span_end, n.sha256 from facts f join notices n on"
                     " n.id = f.notice_id where f.id = ? and f.notice_id = ?", [fact_id, notice_id]).fetchone()
    if row is None:
        return None
    fact = dict(zip(cols, row))
    found = next(_ocr_facts(db, fact["sha256"], [fact]), None)
    original = db.execute("select o.data, d.media_type from originals o join documents d on d.sha256 = o.sha256"
                          " where o.sha256 = ?", [fact["sha256"]]).fetchone()
    if found is None or original is None:
        return None
    lines = found[1]
    gray = crop.page_image(original[0], original[1], lines[0].page)
    if gray is None:
        return None
    cols = ("x0", "y0", "x1", "y1", "blackout")
    page_lines = [dict(zip(cols, r)) for r in db.execute(
        f"select {', '.join(cols)} from ocr_lines where sha256 = ? and page = ?", [fact["sha256"], lines[0].page])]
    return crop.crop(gray, page_lines, [{"x0": p.x0, "y0": p.y0, "x1": p.x1, "y1": p.y1} for p in lines])


async def fact_crop(request, datasette):
    """The page image around a fact read by OCR, its box drawn, redacted parts blacked out (PNG)."""
    png = await _read(datasette, _fact_crop, int(request.url_vars["id"]), int(request.url_vars["fact"]))
    if png is None:
        return Response.text("no page image stored for this fact (ingest --keep-originals keeps them)", status=404)
    return Response(png, content_type="image/png", headers={"x-content-type-options": "nosniff",
                                                            "cache-control": "private, max-age=3600"})


async def notice(request, datasette):
    notice_id = int(request.url_vars["id"])
    n = await _read(datasette, _notice_bundle, notice_id)
    if n is None:
        return await _page(datasette, request, "sousveil_error.html", {"message": f"notice {notice_id}"}, status=404)
    text = n["document"]["text"] or ""
    marks = [(f["span_start"], f["span_end"], f"f{f['id']}", "fact") for f in n["facts"]]
    marks += [(tg["span_start"], tg["span_end"], f"t{tg['id']}", "tag") for tg in n["tags"]]
    latest = {}
    for r in n["reviews"]:
        latest[r["tag_id"]] = r
    for s in n["sources"]:
        s["link"] = render.safe_link(s["url"])
    return await _page(datasette, request, "sousveil_notice.html", {
        "n": n, "segments": render.segments(text, marks), "latest": latest, "verdicts": store.VERDICTS,
        "can_review": _can_review(datasette, request)})


async def party(request, datasette):
    role = request.url_vars["role"]
    name = request.args.get("name") or ""
    profile = await _read(datasette, facets.party_profile, role, name)
    if not profile["notices"]:
        return await _page(datasette, request, "sousveil_error.html", {"message": f"{role} {name}"}, status=404)
    _, rows = await _read(datasette, queries.search, None, queries.Filters(**{role: name}), limit=50,
                          with_snippets=False)
    return await _page(datasette, request, "sousveil_party.html", {"p": profile, "rows": rows})


async def vendors(request, datasette):
    rows = await _read(datasette, _cached, linked.vendors)
    return await _page(datasette, request, "sousveil_vendors.html", {"vendors": rows})


async def vendor(request, datasette):
    v = await _read(datasette, linked.vendor, request.url_vars["id"])
    if v is None:
        return await _page(datasette, request, "sousveil_error.html", {"message": request.url_vars["id"]}, status=404)
    return await _page(datasette, request, "sousveil_vendor.html", {"v": v, "synthetic": sum(1 for r in v["links"] if r["synthetic"])})


async def review(request, datasette):
    if request.method != "POST":
        return Response.text("POST a review", status=405)
    if not _can_review(datasette, request):
        return Response.text("Sign in to review (and review is off in --public mode).", status=403)
    form = await request.post_vars()
    notice_id = int(request.url_vars["id"])
    try:
        tag_id = int(form.get("tag_id", ""))
        row = await datasette.get_database().execute_write_fn(
            lambda conn: queries.add_review(sqlite_utils.Database(conn), tag_id, form.get("verdict", ""),
                                            form.get("note", ""), request.actor["id"]), block=True)
    except ValueError as e:
        return Response.text(f"review not saved: {e}", status=400)
    if row["notice_id"] != notice_id:
        return Response.text("that tag belongs to another notice", status=400)
    return Response.redirect(f"/-/notice/{notice_id}#t{tag_id}")


async def export(request, datasette):
    """Exactly the notices of the search page's state, streamed in chunks, CSV or JSON Lines."""
    fmt = request.url_vars["format"]
    state = _state(request)
    filters, q = _filters(state), state.get("q")
    cur = state.get("currency") if state.get("currency") in CURRENCIES else "CNY"

    async def stream(out):
        if fmt == "csv":
            await out.write("\ufeff")  # spreadsheet programs read the UTF-8 then
            await out.write(_csv_text([], header=True))
        after = 0
        path = datasette.get_database().path
        while True:
            if path:
                after, text = await asyncio.get_running_loop().run_in_executor(
                    _exporter(), _export_chunk_of, path, fmt, filters, q, after, cur)
            else:  # a database in memory has no file for the export process to open
                after, text = await _read(datasette, _export_chunk, fmt, filters, q, after, cur)
            if not text:
                break
            await out.write(text)

    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return AsgiStream(stream, headers={"content-disposition": f'attachment; filename="sousveil-notices.{fmt}"'},
                      content_type=content_type)


async def report(request, datasette):
    """The findings report (report/) of the search page's state, as the CLI's `sousveil report` writes it."""
    from ..report import Spec
    from ..report.gather import gather
    from ..report.html import render_html, style_hash

    state = _state(request)
    currency = state.get("currency") if state.get("currency") in CURRENCIES else "CNY"
    spec = Spec(_filters(state), state.get("q"), currency=currency, lang=choose_lang(request))
    path = datasette.get_database().path
    report = await _read(datasette, gather, spec, path)
    # The report's one inline style sheet is allowed by its hash; no script, nothing loaded.
    csp = (f"default-src 'none'; style-src {style_hash(report)}; img-src data:; base-uri 'none'; form-action 'none';"
           " frame-ancestors 'none'")
    return Response.html(render_html(report), headers={"content-security-policy": csp,
                                                       "content-disposition": 'inline; filename="report.html"'})


@functools.lru_cache(maxsize=1)
def _exporter() -> ProcessPoolExecutor:
    """The process that writes exports: a large export is seconds of Python, and in the server's process it
    held the interpreter, so every search waited behind it (docs/web.md, the load test). At a lower
    priority, so that pages are answered first when both want a CPU. Spawned, not forked: the server
    has threads."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_exporter)


def stop_exporter() -> None:
    """The server stops: the export process ends with it, cleanly (it also ends on its own when the server
    is killed)."""
    if _exporter.cache_info().currsize:
        _exporter().shutdown(cancel_futures=True)
        _exporter.cache_clear()


def _start_exporter() -> None:
    os.nice(EXPORT_NICE)

    # The worker holds both ends of its task queue, so a server that dies would leave it waiting for ever.
    def exit_with_the_server():
        multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
        os._exit(0)

    threading.Thread(target=exit_with_the_server, daemon=True).start()


@functools.lru_cache(maxsize=4)
def _read_only(path: str) -> sqlite_utils.Database:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute(store.PAGE_CACHE)
    return sqlite_utils.Database(conn)


def _export_chunk_of(path: str, *args) -> tuple[int, str]:
    """In the export process: a chunk, from its own read-only connection to the database."""
    return _export_chunk(_read_only(path), *args)


def _export_chunk(db: sqlite_utils.Database, fmt: str, filters: queries.Filters, q: str | None,
                  after: int, currency: str = "CNY") -> tuple[int, str]:
    """The next EXPORT_CHUNK notices after id `after`, written as CSV rows or JSON lines, and the last id;
    award totals also in the measure's `currency`."""
    rows = list(queries.iter_export(db, filters, q, after, EXPORT_CHUNK, currency))
    if not rows:
        return after, ""
    text = _csv_text(rows) if fmt == "csv" else "".join(exports.jsonl_line(r) for r in rows)
    return rows[-1]["id"], text


def _csv_text(rows: list[dict], header: bool = False) -> str:
    buf = io.StringIO()
    exports.write_csv(rows, buf, header=header)
    return buf.getvalue()


async def document(request, datasette):
    """The stored text, or the original bytes when the operator kept them: always as an
    attachment with a neutral type, so a hostile page is never rendered by the browser."""
    sha, kind = request.url_vars["sha256"], request.url_vars["kind"]
    if kind == "text":
        rows = await _read(datasette, lambda db: db.execute("select text from documents where sha256 = ?", [sha]).fetchall())
        body = rows[0][0].encode("utf-8") if rows and rows[0][0] else None
        name, content_type = f"{sha[:16]}.txt", "text/plain; charset=utf-8"
    else:
        rows = await _read(datasette, lambda db: db.execute("select data from originals where sha256 = ?", [sha]).fetchall())
        body = rows[0][0] if rows else None
        name, content_type = f"{sha[:16]}.original", "application/octet-stream"
    if body is None:
        return Response.text("not stored", status=404)
    return Response(body, content_type=content_type,
                    headers={"content-disposition": f'attachment; filename="{name}"', "x-content-type-options": "nosniff"})


def _static(name: str):
    return asgi_static(str(resources.files("sousveil.web") / name))


ROUTES = [
    (r"^/$", overview),
    (r"^/-/search$", search),
    (r"^/-/notice/(?P<id>\d+)$", notice),
    (r"^/-/notice/(?P<id>\d+)/review$", review),
    (r"^/-/notice/(?P<id>\d+)/fact/(?P<fact>\d+)\.png$", fact_crop),
    (r"^/-/(?P<role>buyer|supplier)$", party),
    (r"^/-/vendors$", vendors),
    (r"^/-/vendor/(?P<id>[a-z0-9_]+)$", vendor),
    (r"^/-/export\.(?P<format>csv|jsonl)$", export),
    (r"^/-/report$", report),
    (r"^/-/document/(?P<sha256>[0-9a-f]{64})/(?P<kind>text|original)$", document),
    (r"^/-/sousveil-static/(?P<path>.*)$", _static("static")),
]

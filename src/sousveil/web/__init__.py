"""The sousveil Datasette plugin: the investigator's pages on top of Datasette.

Registered as a `datasette` entry point, so `sousveil serve` and a plain `datasette DB` both
show it. Datasette's own table views, SQL page and JSON/CSV APIs stay where they are
(`/DBNAME/TABLE`, `/DBNAME?sql=`); the sousveil pages are `/` and `/-/...` (see views.ROUTES).
"""

from __future__ import annotations

from datasette import hookimpl

from ..store import db as store
from . import signin, views

# Documents are hostile input: no inline script at all, nothing loaded from elsewhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none';"
       " base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # A click on a portal's URL must not tell the portal what the investigator was reading.
    (b"referrer-policy", b"no-referrer"),
]


@hookimpl(tryfirst=True)  # first, so that signin's /-/login (throttled) answers, not datasette-auth-passwords'
def register_routes():
    return [*signin.ROUTES, *views.ROUTES]


@hookimpl
def prepare_connection(conn):
    conn.execute(store.PAGE_CACHE)


@hookimpl
def startup(datasette):
    async def warm():
        await views.warm(datasette)

    return warm


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_headers(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            # Datasette's own CSV of a table or a query (a text/csv response; an error page is left alone)
            # goes through the same neutralising writer as sousveil's exports: a cell that a spreadsheet
            # would run as a formula gets a leading '.
            csv_view = scope.get("path", "").endswith(".csv") and not scope.get("path", "").startswith("/-/")
            held: dict = {"start": None, "body": [], "csv": False}

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    names = {k.lower() for k, _ in event.get("headers", [])}
                    extra = [[k, v] for k, v in SECURITY_HEADERS if k not in names]
                    event = {**event, "headers": [*event.get("headers", []), *extra]}
                    types = [v for k, v in event.get("headers", []) if k.lower() == b"content-type"]
                    held["csv"] = csv_view and any(v.startswith(b"text/csv") or v.startswith(b"text/plain") for v in types)
                    if held["csv"]:
                        held["start"] = event
                        return
                elif held.get("csv") and event["type"] == "http.response.body":
                    held["body"].append(event.get("body", b""))
                    if event.get("more_body"):
                        return
                    body = _neutralised_csv(b"".join(held["body"]))
                    start = held["start"]
                    headers = [[k, v] for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    await send({**start, "headers": [*headers, [b"content-length", str(len(body)).encode()]]})
                    event = {"type": "http.response.body", "body": body}
                await send(event)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


def _neutralised_csv(body: bytes) -> bytes:
    """A CSV body with every cell through export.flat.safe_cell; anything not CSV passes unchanged."""
    import csv
    import io

    from ..export.flat import safe_cell

    try:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        return body
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows([[safe_cell(c) for c in row] for row in rows])
    return out.getvalue().encode("utf-8")


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/"), "label": "sousveil"}]

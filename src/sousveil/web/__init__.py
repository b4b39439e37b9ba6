"""The sousveil Datasette plugin: the investigator's pages on top of Datasette.

Registered as a `datasette` entry point, so `sousveil serve` and a plain `datasette DB` both
show it. Datasette's own table views, SQL page and JSON/CSV APIs stay where they are
(`/DBNAME/TABLE`, `/DBNAME?sql=`); the sousveil pages are `/` and `/-/...` (see views.ROUTES).
"""

from __future__ import annotations

from datasette import hookimpl

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
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_headers(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    names = {k.lower() for k, _ in event.get("headers", [])}
                    extra = [[k, v] for k, v in SECURITY_HEADERS if k not in names]
                    event = {**event, "headers": [*event.get("headers", []), *extra]}
                await send(event)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/"), "label": "sousveil"}]

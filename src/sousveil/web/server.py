"""Start Datasette with the sousveil plugin on 127.0.0.1; manage reviewer accounts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from datasette.app import Datasette
from datasette.plugins import pm
from datasette_auth_passwords.utils import hash_password

from ..store import db as store
from . import views

NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def load_reviewers(path: str | None) -> dict:
    if not path:
        return {}
    try:
        accounts = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: not a reviewer accounts file ({e})") from e
    if not isinstance(accounts, dict) or not all(isinstance(v, str) and v.startswith("pbkdf2_sha256$")
                                                for v in accounts.values()):
        raise ValueError(f"{path}: expected {{\"name\": \"pbkdf2_sha256$...\"}} as written by `sousveil reviewer`")
    return accounts


def add_reviewer(path: str, name: str, password: str) -> None:
    if not NAME.match(name):
        raise ValueError("a reviewer name is 1 to 64 letters, digits, '.', '_' or '-'")
    if len(password) < 8:
        raise ValueError("use a password of at least 8 characters")
    accounts = load_reviewers(path) if Path(path).exists() else {}
    accounts[name] = hash_password(password)
    Path(path).write_text(json.dumps(accounts, indent=2) + "\n", encoding="utf-8")
    Path(path).chmod(0o600)


def make_app(db_path: str, reviewers: str | None = None, public: bool = False) -> Datasette:
    """The Datasette instance: the database, the sousveil plugin, sign-in for the reviewers."""
    if not Path(db_path).exists():
        raise store.StoreError(f"{db_path}: no such database (create it with `sousveil ingest PATH --db {db_path}`)")
    store.open_db(db_path, create=True).conn.close()  # adds the tables a database made before them lacks
    from .. import web

    if not pm.is_registered(web):  # installed without its entry point (a source checkout on the path)
        pm.register(web, name="sousveil")
    accounts = {} if public else load_reviewers(reviewers)
    metadata = {
        "title": "sousveil",
        "plugins": {
            "sousveil": {"public": public},
            "datasette-auth-passwords": {f"{name}_password_hash": h for name, h in accounts.items()},
        },
    }
    # No streamed CSV of whole tables: Datasette's CSV is neutralised in memory (web/__init__.py), so it
    # stays a page of rows; /-/export.csv streams the notices of any search.
    settings = {"default_page_size": 50, "sql_time_limit_ms": 3000, "allow_csv_stream": False}
    return Datasette([db_path], metadata=metadata, settings=settings)


def run(db_path: str, port: int = 8001, reviewers: str | None = None, public: bool = False, announce=print) -> None:
    import uvicorn

    ds = make_app(db_path, reviewers, public)
    config = uvicorn.Config(ds.app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets=None):
        await original_startup(sockets=sockets)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        announce(f"sousveil serving {db_path} at http://127.0.0.1:{bound}/ (Ctrl-C to stop)")

    original_shutdown = server.shutdown

    async def shutdown(sockets=None):
        # Here, not after run(): uvicorn raises the stopping signal again once it has shut down.
        await original_shutdown(sockets=sockets)
        views.stop_exporter()

    server.startup = startup
    server.shutdown = shutdown
    server.run()

"""What a request handler reaches: the registry service, one read connection per request, and
the one "entry or 404" helper.

`create_app` puts the `Service` in `app.extensions`; `db()` opens a connection on first use
in a request and `close_db` (registered on app-context teardown) returns it, as flaskr does.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, g
from sqlalchemy import Connection

from registry.service import Service
from registry.write.relay import Relay


def today() -> date:
    """The day overdue items are counted at: today, or the app's `TODAY` (tests fix it)."""
    fixed = current_app.config.get("TODAY")
    return fixed if isinstance(fixed, date) else date.today()


def service() -> Service:
    found: Service = current_app.extensions["pakta"]
    return found


def writer() -> Relay:
    """The way into the log: POSTs are pooled into one append by the host's writer."""
    found: Relay = current_app.extensions["pakta_writer"]
    return found


def db() -> Connection:
    """The request's read connection (queries in `registry.read` take it)."""
    if "db" not in g:
        g.db = service().registry.engine.connect()
    conn: Connection = g.db
    return conn


def close_db(_: BaseException | None = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def entry_or_404(index: int, size: int | None = None) -> str:
    """The exact text of entry `index` (below `size` when given), or a 404 saying why not."""
    svc = service()
    # Compare with the size first: the store looks entries up by a range ending at index + 1,
    # which for index 2^63-1 is past what SQLite and PostgreSQL can hold.
    size = svc.registry.size() if size is None else size
    text = svc.registry.entry(index) if index < size else None
    if text is None:
        abort(404, f"no entry {index}: the log has {svc.registry.size()} entries")
    return text

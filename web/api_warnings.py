"""A unit's warnings as JSON, for clients that check them (`pakta verify-unit`): each kind's
count at `GET /api/v1/agencies/<agency>/warnings`, and one page of a kind's complete list, in
entry order, at `/api/v1/agencies/<agency>/warnings/<code>?page=K` (K from 1; past the last
page, the last). The same lists, from the same functions, as the unit page and its HTML lists
(`registry.read.warning_lists`, web/unit_warnings.py), with what the registry stored of each
warning: its entry, who signed it, who it is about, the rules' English message and the facts
the pages word it from.

Both say `size`, how many entries the lists are of, and `today`, the day the warnings true
today (items overdue, declarations no witness attested) are counted at: a client compares
them with a checkpoint of that size on that day.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import Connection, func, select

from registry.read import queries, warning_lists
from registry.read.tables import statements
from web.context import db, today
from web.guard import int_arg
from web.unit_warnings import PER_PAGE
from web.warning_words import ORDER

bp = Blueprint("api_warnings", __name__, url_prefix="/api/v1")
FIELDS = ("idx", "code", "agency", "subject", "message", "facts")


def _about(conn: Connection, agency: str) -> dict[str, Any]:
    if agency not in queries.agency_names(conn, [agency]):
        abort(404, f"no agency {agency!r}")
    projected = conn.execute(select(func.max(statements.c.idx))).scalar()
    size = 0 if projected is None else int(projected) + 1
    return {"agency": agency, "size": size, "today": today().isoformat()}


@bp.get("/agencies/<agency>/warnings")
def counts(agency: str) -> Any:
    """How many warnings of each kind the unit's page lists."""
    conn = db()
    about = _about(conn, agency)
    found = warning_lists.counts(conn, agency, today())
    return jsonify({**about, "counts": dict(sorted(found.items())), "per_page": PER_PAGE})


@bp.get("/agencies/<agency>/warnings/<code>")
def of_kind(agency: str, code: str) -> Any:
    """One page of the unit's complete list of one kind of warning."""
    conn = db()
    about = _about(conn, agency)
    if code not in ORDER:
        abort(404, f"no kind of warning {code!r}: the kinds are {', '.join(ORDER)}")
    page = int_arg("page") if "page" in request.args else 1
    if page < 1:
        abort(400, "give ?page= as a whole number from 1 (the first page)")
    listed = warning_lists.of_kind(conn, agency, code, today(), page, PER_PAGE)
    rows = [{k: w[k] for k in FIELDS} for w in listed["rows"]]
    pages = {k: listed[k] for k in ("page", "pages", "total")}
    return jsonify({**about, "code": code, **pages, "rows": rows})

"""The browsable log: `/entries` lists entries newest first, a page at a time, read from the
newest signed checkpoint, which the page names with how many witnesses cosigned it.

Page addresses are stable: `/entries?before=N` always shows the entries just below N, newest
first, whatever is appended later; `/entries` alone is the newest page and links to its own
stable address.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from registry.read import queries
from web.context import db
from web.guard import parse_int
from web.summaries import mentioned

bp = Blueprint("entries", __name__)
PER_PAGE = 50


@bp.get("/entries")
def index() -> str:
    conn = db()
    checkpoint = queries.newest_checkpoint(conn)
    size = checkpoint["size"] if checkpoint else 0
    asked = parse_int(request.args.get("before", ""))
    before = size if asked is None else max(0, min(asked, size))
    rows = queries.log_page(conn, before, PER_PAGE) if before else []
    return render_template(
        "pages/entries.html",
        checkpoint=checkpoint,
        rows=rows,
        names=queries.agency_names(conn, mentioned(rows)),
        before=before,
        newer=min(before + PER_PAGE, size) if before < size else None,
        older=before - PER_PAGE if before > PER_PAGE else None,
        first=max(0, before - PER_PAGE),
    )

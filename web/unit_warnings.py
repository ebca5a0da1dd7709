"""A unit's warnings on its pages, bounded at any number of them: on the unit page each kind's
exact count with its newest `INLINE` entries, and each kind's complete list, `PER_PAGE`
entries a page in entry order, at `/agencies/<agency>/warnings/<code>?page=K` (appended
entries' warnings come last, so a page keeps its entries), with the same words as the unit
page (web/warning_words.py). The browser's check of a unit page follows these pages
(web/static/verify/warning-lists.js) to compare every entry with what the chain proves.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template
from sqlalchemy import Connection

from registry.read import queries, warning_lists
from web.context import db, today
from web.guard import page_arg
from web.warning_words import ORDER, grouped, kind_words
from web.wording import _

bp = Blueprint("unit_warnings", __name__)
INLINE = 20  # entries of each kind listed on the unit page, the newest
PER_PAGE = 100  # entries a page of a kind's complete list


def on_unit_page(conn: Connection, agency: str, day: date) -> list[dict[str, Any]]:
    """The unit page's warnings by kind: each kind's count and its newest entries."""
    found = warning_lists.newest(conn, agency, day, INLINE)
    entries = queries.statements_at(conn, [w["idx"] for w in found["rows"]])
    return grouped(found["rows"], entries, found["counts"], newest_first=True)


@bp.get("/agencies/<agency>/warnings/<code>")
def kind(agency: str, code: str) -> str:
    """One page of the complete list of one kind of the unit's warnings."""
    conn = db()
    name = queries.agency_names(conn, [agency]).get(agency)
    if name is None:
        abort(404, _("Tidak ada instansi %(id)s", id=agency))
    if code not in ORDER:
        abort(404, _("Tidak ada jenis peringatan dengan kode itu."))
    listed = warning_lists.of_kind(conn, agency, code, today(), page_arg(), PER_PAGE)
    indexes = [w["idx"] for w in listed["rows"]]
    groups = grouped(listed["rows"], queries.statements_at(conn, indexes), {code: listed["total"]})
    words = groups[0] if groups else kind_words(code, listed["total"])
    return render_template(
        "pages/unit_warnings.html",
        agency={"agency": agency, "name": name},
        kind=words,
        listed=listed,
        corrections=queries.links_into(conn, indexes),
    )

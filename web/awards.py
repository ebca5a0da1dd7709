"""The yearly "Penerima predikat" lists: the units awarded WBK or WBBM in a year, like the
ministry's own lists, with each decree and its document hash, revoked awards marked as such,
and the same rows as CSV and JSON (`/predikat/<year>.csv`, `.json`).

The rows come from `registry.read.awards` (kept by the projector from the rules' transitions);
the years offered are those the read model holds. Each download row links to its unit's page,
its award entry, the document check of its decree and the checkpoint the list was read at.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from registry.read import awards, queries
from web.context import db
from web.links import public_url_for
from web.opendata import LICENCE, csv_stream
from web.wording import _

bp = Blueprint("awards", __name__)
COLUMNS = (
    "year",
    "unit",
    "unit_name",
    "unit_url",
    "predicate",
    "awarded_on",
    "route",
    "decree",
    "document_sha256",
    "document_check_url",
    "award_index",
    "award_url",
    "revoked_on",
    "revocation_index",
    "revocation_url",
    "region_kemendagri",
    "region_name",
    "checkpoint_size",
    "checkpoint_url",
)


def _year(text: str) -> int:
    """A year of the URL (four ASCII digits), or 404."""
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        abort(404, _("Tahun %(year)s tidak dikenal: tulis tahun dengan empat angka.", year=text))
    return int(text)


def _read(year: int) -> tuple[list[dict[str, Any]], list[int], dict[str, Any] | None]:
    conn = db()
    return awards.of_year(conn, year), awards.years(conn), queries.newest_checkpoint(conn)


@bp.get("/predikat")
def latest() -> str | WerkzeugResponse:
    years = awards.years(db())
    if years:
        return redirect(url_for("awards.year", year=str(years[-1])), 302)
    return render_template("pages/awards.html", year=None, rows=[], years=[], checkpoint=None)


@bp.get("/predikat/<year>")
def year(year: str) -> str:
    number = _year(year)
    rows, years, checkpoint = _read(number)
    return render_template(
        "pages/awards.html", year=number, rows=rows, years=years, checkpoint=checkpoint
    )


def _record(row: dict[str, Any], checkpoint: dict[str, Any] | None) -> dict[str, Any]:
    size = checkpoint["size"] if checkpoint else None
    revoked = row["revoked_index"]
    document = row["document"]
    return {
        "year": row["year"],
        "unit": row["unit"],
        "unit_name": row["name"],
        "unit_url": public_url_for("pages.agency", agency=row["unit"]),
        "predicate": row["predicate"],
        "awarded_on": row["awarded_on"],
        "route": row["route"],
        "decree": row["decree"],
        "document_sha256": document,
        "document_check_url": (
            public_url_for("pages.documents", sha256=document) if document else None
        ),
        "award_index": row["idx"],
        "award_url": public_url_for("pages.entry", index=row["idx"]),
        "revoked_on": row["revoked_on"],
        "revocation_index": revoked,
        "revocation_url": public_url_for("pages.entry", index=revoked) if revoked else None,
        "region_kemendagri": row["region_kemendagri"],
        "region_name": row["region_name"],
        "checkpoint_size": size,
        "checkpoint_url": public_url_for("log.checkpoint_at", size=size) if size else None,
    }


def _attachment(year: int, suffix: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="pakta-penerima-predikat-{year}.{suffix}"',
        "Cache-Control": "public, max-age=300",
    }


@bp.get("/predikat/<year>.csv")
def year_csv(year: str) -> Response:
    number = _year(year)
    rows, _years, checkpoint = _read(number)
    text = "".join(csv_stream(COLUMNS, (_record(r, checkpoint) for r in rows)))
    return Response(text, mimetype="text/csv", headers=_attachment(number, "csv"))


@bp.get("/predikat/<year>.json")
def year_json(year: str) -> Response:
    number = _year(year)
    rows, _years, checkpoint = _read(number)
    body = {
        "year": number,
        "licence": LICENCE,
        "checkpoint_size": checkpoint["size"] if checkpoint else None,
        "awards": [_record(r, checkpoint) for r in rows],
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return Response(text, mimetype="application/json", headers=_attachment(number, "json"))

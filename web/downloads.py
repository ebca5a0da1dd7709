"""The "Unduh CSV / JSON hasil ini" downloads: the rows of a search, all pages, as a journalist
needs them.

`/agencies/found.csv` and `/agencies/found.json` take the query string of `/agencies` (its
filters and sort; a region page links here with its own) and give the agencies it lists, every
page of them, in its order, with the results table's columns: name, kind, region (both codes,
the name registered and the official regency and province names), status, declaration date,
predicate with its state and year, items overdue on the day given, warnings with their codes,
statements; plus each unit's page and the log size the rows were read at, so a figure can be
checked against that checkpoint later.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, stream_with_context

from registry.read.search import Filters, search
from web.context import db, service, today
from web.links import public_url_for
from web.opendata import LICENCE, csv_cell
from web.page_helpers import region_trail
from web.pages import search_filters

bp = Blueprint("downloads", __name__)

# The table's columns as the read model names them, then those added here.
STORED = (
    "agency",
    "name",
    "kind",
    "region_kemendagri",
    "region_bps",
    "region_name",
    "status",
    "declared_on",
    "predicate",
    "predicate_state",
    "predicate_year",
    "overdue",
    "warnings",
    "warning_kinds",
    "statements",
)
COLUMNS = (*STORED, "regency_official", "province_official", "overdue_on", "url", "log_size")
PAGE = 500


def _official(code: str | None) -> dict[str, str | None]:
    """The official names of the regency/city and province of a Kemendagri code."""
    found: dict[str, str | None] = {"regency_official": None, "province_official": None}
    for r in region_trail(code):
        found["regency_official" if "." in r["code"] else "province_official"] = r["name"]
    return found


def _rows(filters: Filters, size: int) -> Iterator[dict[str, Any]]:
    page, pages, day = 1, 1, today()
    while page <= pages:
        found = search(db(), filters, page, per_page=PAGE, today=day)
        pages = found["pages"]
        for row in found["rows"]:
            yield (
                {c: row.get(c) for c in STORED}
                | _official(row["region_kemendagri"])
                | {
                    "overdue_on": day.isoformat(),
                    "url": public_url_for("pages.agency", agency=row["agency"]),
                    "log_size": size,
                }
            )
        page += 1


def _attachment(suffix: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="pakta-agencies.{suffix}"'}


@bp.get("/agencies/found.csv")
def agencies_csv() -> Response:
    filters = search_filters()
    size = service().registry.size()  # before db(): one connection at a time

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in _rows(filters, size):
            writer.writerow([csv_cell(row[c]) for c in COLUMNS])
        yield out.getvalue()

    headers = _attachment("csv")
    return Response(stream_with_context(lines()), mimetype="text/csv", headers=headers)


@bp.get("/agencies/found.json")
def agencies_json() -> Response:
    filters = search_filters()
    size = service().registry.size()
    body = {
        "filters": filters.params(),
        "log_size": size,
        "overdue_on": today().isoformat(),
        "licence": LICENCE,
        "agencies": list(_rows(filters, size)),
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return Response(text, mimetype="application/json", headers=_attachment("json"))

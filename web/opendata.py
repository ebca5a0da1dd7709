"""Open data under CC BY 4.0: every statement as CSV and as JSON Lines, and every unit as CSV
and as JSON.

Each statement row links to its entry page, its raw entry and the first signed checkpoint that
holds it, so anyone can check a row against the log (links on the public URL, `web.links`).
Each unit row (status, target, designation and its year, overdue items and warning kinds as
its page shows them today, region names with both codes; `registry.read.unit_facts`) links to
its unit page and the newest checkpoint when the file was read. Every file is streamed, a
page of rows at a time. Every CSV cell passes `csv_cell`: a text that a
spreadsheet would run as a formula (an agency may name itself `=HYPERLINK(...)`) is written
with a leading apostrophe, as OWASP's "CSV Injection" page advises.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Blueprint, Response, render_template, stream_with_context

from registry.read import queries
from registry.read import regions as region_data
from registry.read.unit_facts import all_units
from web.context import db, today
from web.links import public_url_for

bp = Blueprint("opendata", __name__)
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
COLUMNS = (
    "index",
    "entry_url",
    "raw_entry_url",
    "checkpoint_size",
    "checkpoint_url",
    "agency",
    "agency_name",
    "region_kemendagri",
    "type",
    "seq",
    "issued_at",
    "received_at",
    "statement_hash",
    "document_sha256",
)


# A cell starting with one of these is a formula (or DDE call) to Excel, LibreOffice and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """`value` as a CSV cell no spreadsheet evaluates: None is empty, and a text starting like a
    formula gets a leading `'` (shown as text, the apostrophe hidden); other values unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _record(row: dict[str, Any]) -> dict[str, Any]:
    size = row["checkpoint_size"]
    return {
        "index": row["idx"],
        "entry_url": public_url_for("pages.entry", index=row["idx"]),
        "raw_entry_url": public_url_for("api.entry_raw", index=row["idx"]),
        "checkpoint_size": size,
        "checkpoint_url": (
            public_url_for("log.checkpoint_at", size=size) if size is not None else None
        ),
        "agency": row["agency"],
        "agency_name": row["name"],
        "region_kemendagri": row["region_kemendagri"],
        "type": row["type"],
        "seq": row["seq"],
        "issued_at": row["issued_at"],
        "received_at": row["received_at"],
        "statement_hash": row["hash"],
        "document_sha256": [d["sha256"] for d in row["documents"]],
    }


def _headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Link": f'<{LICENCE_URL}>; rel="license"',
        "Cache-Control": "public, max-age=300",
    }


UNIT_COLUMNS = (
    "unit",
    "unit_url",
    "name",
    "kind",
    "parent",
    "status",
    "target",
    "predicate",
    "predicate_year",
    "declared_on",
    "overdue_items",
    "overdue_on",
    "warning_kinds",
    "region_kemendagri",
    "region_bps",
    "region_name",
    "province_kemendagri",
    "province_bps",
    "province_name",
    "checkpoint_size",
    "checkpoint_url",
)


@bp.get("/open-data")
def index() -> str:
    return render_template(
        "opendata/index.html",
        columns=COLUMNS,
        unit_columns=UNIT_COLUMNS,
        licence=LICENCE,
        licence_url=LICENCE_URL,
    )


def csv_stream(columns: Sequence[str], records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """`records` as CSV text with a header row, about 64 KiB at a time: every cell through
    `csv_cell`, a list as its items separated by spaces."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        cells = (
            record[c] if not isinstance(record[c], list) else " ".join(record[c]) for c in columns
        )
        writer.writerow([csv_cell(v) for v in cells])
        if out.tell() > 64 * 1024:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


@bp.get("/open-data/statements.csv")
def statements_csv() -> Response:
    def records() -> Iterator[dict[str, Any]]:  # db() inside the stream's context
        for row in queries.statements_with_checkpoints(db()):
            yield _record(row)

    return Response(
        stream_with_context(csv_stream(COLUMNS, records())),
        mimetype="text/csv",
        headers=_headers("pakta-statements.csv"),
    )


@bp.get("/open-data/statements.jsonl")
def statements_jsonl() -> Response:
    def rows() -> Iterator[str]:
        for row in queries.statements_with_checkpoints(db()):
            yield json.dumps(_record(row), ensure_ascii=False, sort_keys=True) + "\n"

    return Response(
        stream_with_context(rows()),
        mimetype="application/jsonl",
        headers=_headers("pakta-statements.jsonl"),
    )


def _unit_records() -> Iterator[dict[str, Any]]:
    """The units file's rows, a page of units at a time."""
    conn, day = db(), today()
    checkpoint = queries.newest_checkpoint(conn)
    size = checkpoint["size"] if checkpoint else None
    read_at = {
        "checkpoint_size": size,
        "checkpoint_url": public_url_for("log.checkpoint_at", size=size) if size else None,
    }
    for row in all_units(conn, day):
        code = row["region_kemendagri"]
        province = region_data.region(code[:2]) if code else None
        yield {
            "unit": row["unit"],
            "unit_url": public_url_for("pages.agency", agency=row["unit"]),
            "name": row["name"],
            "kind": row["kind"],
            "parent": row["parent"],
            "status": row["status"],
            "target": row["target"],
            "predicate": row["predicate"],
            "predicate_year": row["predicate_year"],
            "declared_on": row["declared_on"],
            "overdue_items": row["overdue_items"],
            "overdue_on": day.isoformat(),
            "warning_kinds": row["warning_kinds"],
            "region_kemendagri": code,
            "region_bps": row["region_bps"],
            "region_name": row["region_name"],
            "province_kemendagri": province["kemendagri"] if province else None,
            "province_bps": province.get("bps") if province else None,
            "province_name": province["name"] if province else None,
        } | read_at


@bp.get("/open-data/units.csv")
def units_csv() -> Response:
    return Response(
        stream_with_context(csv_stream(UNIT_COLUMNS, _unit_records())),
        mimetype="text/csv",
        headers=_headers("pakta-units.csv"),
    )


@bp.get("/open-data/units.json")
def units_json() -> Response:
    def chunks() -> Iterator[str]:
        yield f'{{"licence": "{LICENCE}", "units": ['
        for n, record in enumerate(_unit_records()):
            yield ("," if n else "") + json.dumps(record, ensure_ascii=False, sort_keys=True)
        yield "]}\n"

    return Response(
        stream_with_context(chunks()),
        mimetype="application/json",
        headers=_headers("pakta-units.json"),
    )

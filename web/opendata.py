"""Open data: every statement as CSV and as JSON Lines, under CC BY 4.0.

Each row links to its entry page, its raw entry and the first signed checkpoint that holds it,
so anyone can check a row against the log (links on the public URL, `web.links`). Both files
are streamed, a page of rows at a time. Every CSV cell passes `csv_cell`: a text that a
spreadsheet would run as a formula (an agency may name itself `=HYPERLINK(...)`) is written
with a leading apostrophe, as OWASP's "CSV Injection" page advises.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, render_template, stream_with_context

from events.types.historical import TYPE as RECORDED
from registry.read import queries
from web.context import db
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
    "confirmed_by",
)
BATCH = 500


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
        # A declaration recorded from a public source: the entry by which its agency confirmed
        # it (the rules' confirmation link), else empty.
        "confirmed_by": row.get("confirmed_by"),
    }


def _statements() -> Iterator[dict[str, Any]]:
    """Every statement row in log order, with `confirmed_by` looked up a batch at a time."""
    batch: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        recorded = [r["idx"] for r in batch if r["type"] == RECORDED]
        incoming = queries.links_into(db(), recorded) if recorded else {}
        for r in batch:
            found = [c["idx"] for c in incoming.get(r["idx"], []) if c["kind"] == "confirmed"]
            r["confirmed_by"] = found[0] if found else None
            yield r

    for row in queries.statements_with_checkpoints(db()):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from flush()
            batch = []
    yield from flush()


def _headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Link": f'<{LICENCE_URL}>; rel="license"',
        "Cache-Control": "public, max-age=300",
    }


@bp.get("/open-data")
def index() -> str:
    return render_template(
        "opendata/index.html", columns=COLUMNS, licence=LICENCE, licence_url=LICENCE_URL
    )


@bp.get("/open-data/statements.csv")
def statements_csv() -> Response:
    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in _statements():
            record = _record(row)
            record["document_sha256"] = " ".join(record["document_sha256"])
            writer.writerow([csv_cell(record[c]) for c in COLUMNS])
            if out.tell() > 64 * 1024:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers=_headers("pakta-statements.csv"),
    )


@bp.get("/open-data/statements.jsonl")
def statements_jsonl() -> Response:
    def rows() -> Iterator[str]:
        for row in _statements():
            yield json.dumps(_record(row), ensure_ascii=False, sort_keys=True) + "\n"

    return Response(
        stream_with_context(rows()),
        mimetype="application/jsonl",
        headers=_headers("pakta-statements.jsonl"),
    )

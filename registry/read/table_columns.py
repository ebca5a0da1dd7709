"""The results table's columns on `rm_agencies` and their sort indexes (issue 13), for
registry/read/tables.py: what the table's filters and sorts read, kept by the projection
(registry/read/table_rows.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, Column, Index, Integer, String, Table, Text, event

# The results table's columns (issue 13): what its filters and sorts read, kept by the projection.
SORTED = ("region_kemendagri", "status_rank", "declared_on", "predicate_year", "warnings")


def table_columns() -> list[Column[Any] | Index]:
    """The predicate held or revoked and its year, and the warnings the log records about the
    agency (how many, and their codes)."""
    return [
        Column("status_rank", Integer, nullable=False, server_default="0"),  # lifecycle order
        Column("predicate", String(8)),
        Column("predicate_state", String(8), index=True),  # awarded, revoked
        Column("predicate_year", Integer),
        Column("warnings", Integer, nullable=False, server_default="0"),
        Column("warning_kinds", Text, nullable=False, server_default=""),
    ]


def sort_indexes(table: Table) -> None:
    """Two indexes per sortable column, names after it, so either direction reads its page off
    an index: going up those without a value first, going down last (SQLite's order of NULLs,
    which its indexes cannot change; PostgreSQL's indexes say it)."""
    for name in SORTED:
        for suffix, lite, pg in (("", "", " NULLS FIRST"), ("_desc", " DESC", " DESC NULLS LAST")):
            for dialect, order in (("sqlite", lite), ("postgresql", pg)):
                ddl = f"CREATE INDEX rm_agencies_by_{name}{suffix} ON {table.name} "
                ddl += f"({name}{order}, name, agency)"
                created = DDL(ddl).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]
                event.listen(table, "after_create", created)
                table.info.setdefault("ddl", []).append(f"{dialect}: {ddl}")  # its layout

"""The results table's sorts and per-row facts (issue 13): a journalist's columns.

Each row of a search or a region's list shows its name, region, status, declaration date,
predicate (awarded or revoked, and the year), warnings the log records (count and codes) and
the action-plan items overdue today. All but the last are columns the projection keeps on
`rm_agencies` (registry/read/rows.py), each sortable on an index. Whether an item is overdue
depends on today, so the read model keeps what decides it (each open item's current due date,
indexed) and the count is taken at query time with the rules' own definition
(`registry.rules.warnings.is_overdue`: still open after its current due date).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from registry.read.tables import agencies, plan

# Sort key -> the column it orders by (after it, always the name and the id). "overdue" is
# counted at query time (`overdue_units`); "name" is the default.
COLUMNS = {
    "name": None,
    "region": "region_kemendagri",
    "status": "status_rank",
    "declared": "declared_on",
    "predicate": "predicate_year",
    "warnings": "warnings",
    "overdue": None,
}
SORTS = tuple(COLUMNS)
# The direction a header link first asks for: counts and years biggest first.
FIRST_DIRECTION = {"predicate": "desc", "warnings": "desc", "overdue": "desc"}


def overdue_now(today: date) -> Any:
    """The rules' `is_overdue` over the read model's plan items: still open after the current
    due date (ISO dates compare as text), on the index `rm_plan_items_by_due`."""
    return and_(plan.c.state == "open", plan.c.due_current < today.isoformat())


def overdue_units(today: date) -> Select[Any]:
    """Each unit with items overdue on `today`, and how many."""
    query = select(plan.c.unit, func.count().label("overdue")).where(overdue_now(today))
    return query.group_by(plan.c.unit)


def overdue_ids(today: date) -> Select[Any]:
    """The units with items overdue on `today` (for IN / NOT IN)."""
    return select(plan.c.unit).where(overdue_now(today))


def overdue_counts(db: Connection, ids: Iterable[str], today: date) -> dict[str, int]:
    """How many items of each of `ids` are overdue on `today` (absent: none)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = overdue_units(today).where(plan.c.unit.in_(wanted))
    return {r.unit: int(r.overdue) for r in db.execute(query)}


def order_by(db: Connection, sort: str, direction: str) -> list[Any]:
    """ORDER BY for a sort on a stored column: those without a value first going up, last
    going down (SQLite's order, asked of PostgreSQL explicitly), then by name and id."""
    name = COLUMNS.get(sort)
    tail = [agencies.c.name, agencies.c.agency]
    if name is None:
        return [c.desc() for c in tail] if direction == "desc" else tail
    column = agencies.c[name]
    pg = db.dialect.name == "postgresql"
    if direction == "desc":
        return [column.desc().nulls_last() if pg else column.desc(), *tail]
    return [column.asc().nulls_first() if pg else column.asc(), *tail]


def with_facts(db: Connection, found: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The rows with what the table shows besides their columns: items overdue today, the
    warning codes as a list and the declaration's year."""
    overdue = overdue_counts(db, (r["agency"] for r in found), today)
    for row in found:
        row["overdue"] = overdue.get(row["agency"], 0)
        row["warning_codes"] = (row.get("warning_kinds") or "").split()
        row["declared_year"] = int(row["declared_on"][:4]) if row.get("declared_on") else None
    return found


def sort_rows(found: list[dict[str, Any]], sort: str, direction: str) -> list[dict[str, Any]]:
    """Rows already in name order (a region's lists), in the order of `sort` as `search`
    gives it: a stable sort on the sort's value, values missing first going up."""
    key = "overdue" if sort == "overdue" else COLUMNS.get(sort)
    desc = direction == "desc"
    if key is None:
        return found[::-1] if desc else found

    def value(row: dict[str, Any]) -> tuple[int, Any]:
        v = row.get(key)
        return (1, v) if v is not None else (0, 0)

    return sorted(found, key=value, reverse=desc)

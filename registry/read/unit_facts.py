"""The per-unit figures a table of units needs, a page of units at a time: each unit's row
(status, target, designation and the year it is for, region with both codes), how many
of its action-plan items are overdue today, and the kinds of warning its page shows.

`overdue_and_warnings` is the batched twin of what a unit's page reads one unit at a time
(`registry.read.lifecycle.action_plan` and `warnings`): the stored warnings about the unit or
signed by it, and the warnings true today computed by the same rules' functions
(`registry.rules.warnings.overdue_items`, `unwitnessed`), so the two cannot disagree. Every
query is by primary key or an index, a page of units at a time (open data, search tables).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, or_, select

from registry.read import awards as awards_read
from registry.read.queries import rows
from registry.read.tables import agencies, units
from registry.read.tables import warnings as warnings_t
from registry.read.warning_lists import computed
from registry.rules import warnings as rules


def overdue_and_warnings(
    db: Connection, unit_ids: Sequence[str], today: date
) -> dict[str, dict[str, Any]]:
    """unit -> {"overdue_items": n, "warning_kinds": sorted codes} for these units."""
    wanted = sorted(set(unit_ids))
    out: dict[str, dict[str, Any]] = {
        u: {"overdue_items": 0, "warning_kinds": set()} for u in wanted
    }
    if not wanted:
        return {}
    stored = select(warnings_t.c.code, warnings_t.c.agency, warnings_t.c.subject).where(
        or_(warnings_t.c.agency.in_(wanted), warnings_t.c.subject.in_(wanted))
    )
    for row in db.execute(stored):
        for who in {row.agency, row.subject}:
            if who in out:
                out[who]["warning_kinds"].add(row.code)
    # The warnings true today, as the unit page decides them (registry/read/warning_lists.py).
    for w in computed(db, wanted, today):
        if w["code"] == rules.OVERDUE_CODE:
            out[w["agency"]]["overdue_items"] += 1  # an item's: agency = unit, subject = item
        for who in {w["agency"], w["subject"]}:
            if who in out:
                out[who]["warning_kinds"].add(w["code"])
    return {u: dict(v, warning_kinds=sorted(v["warning_kinds"])) for u, v in out.items()}


def all_units(db: Connection, today: date, page: int = 500) -> Iterator[dict[str, Any]]:
    """Every unit in id order with its agency's name, kind and region, its designation's
    year, and `overdue_and_warnings`, read a page at a time (a range of the primary key)."""
    after = ""
    while True:
        query = (
            select(
                units,
                agencies.c.name,
                agencies.c.kind,
                agencies.c.parent,
                agencies.c.region_kemendagri,
                agencies.c.region_bps,
                agencies.c.region_name,
            )
            .join(agencies, agencies.c.agency == units.c.unit)
            .where(units.c.unit > after)
            .order_by(units.c.unit)
            .limit(page)
        )
        found = rows(db, query)
        if not found:
            return
        ids = [r["unit"] for r in found]
        flags = overdue_and_warnings(db, ids, today)
        awarded = awards_read.of_units(db, ids)
        for row in found:
            held = awards_read.held(awarded.get(row["unit"], []), row["predicate"])
            yield dict(row, predicate_year=held["year"] if held else None) | flags[row["unit"]]
        after = found[-1]["unit"]

"""Read queries of the designations awarded: the yearly "Penerima predikat" list and its years.

The rows were written by the projector from the rules' transitions (registry/read/award_rows.py);
these queries read them on the `rm_awards_by_year` index or the primary key, never a scan:
`years` walks the index a year at a time (one seek per year), so it costs the number of years,
not the number of awards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from registry.read.queries import agency_names, rows
from registry.read.tables import agencies, awards


def years(db: Connection) -> list[int]:
    """The years in which a designation was awarded, oldest first."""
    found: list[int] = []
    while True:
        query = select(func.min(awards.c.year))
        if found:
            query = query.where(awards.c.year > found[-1])
        year = db.execute(query).scalar()
        if year is None:
            return found
        found.append(int(year))


def of_year(db: Connection, year: int) -> list[dict[str, Any]]:
    """The awards of `year` in the order they were made, each with its unit's name and region
    and whether it was revoked since."""
    query = (
        select(awards)
        .where(awards.c.year == year)
        .order_by(awards.c.awarded_on, awards.c.unit, awards.c.idx)
    )
    found = rows(db, query)
    places = _places(db, (r["unit"] for r in found))
    names = agency_names(db, (r["by"] for r in found))
    return [
        dict(
            r,
            name=places.get(r["unit"], {}).get("name", r["unit"]),
            region_name=places.get(r["unit"], {}).get("region_name"),
            region_kemendagri=places.get(r["unit"], {}).get("region_kemendagri"),
            by_name=names.get(r["by"], r["by"]),
        )
        for r in found
    ]


def of_units(db: Connection, units: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each unit's awards, oldest first (by the primary key)."""
    wanted = sorted(set(units))
    out: dict[str, list[dict[str, Any]]] = {}
    if wanted:
        query = (
            select(awards).where(awards.c.unit.in_(wanted)).order_by(awards.c.unit, awards.c.idx)
        )
        for r in rows(db, query):
            out.setdefault(r["unit"], []).append(r)
    return out


def held(found: list[dict[str, Any]], predicate: str | None) -> dict[str, Any] | None:
    """Of a unit's awards, the one that gave the designation it holds now (`predicate`, the
    rules' current designation): the latest unrevoked award of it."""
    if predicate is None:
        return None
    current = [a for a in found if a["predicate"] == predicate and a["revoked_index"] is None]
    return current[-1] if current else None


def _places(db: Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(agencies).where(agencies.c.agency.in_(wanted))
    return {r["agency"]: r for r in rows(db, query)}

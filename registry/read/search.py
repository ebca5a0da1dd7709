"""The citizens' search: agencies by name or id, region, kind, status and year, one page at a time.

Every filter is optional and shareable as a GET parameter (`Filters.params`). The status a
search filters on is the one the rules computed for each agency (`rm_agencies.status`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, true

from registry.read.queries import counted, in_region, rows
from registry.read.tables import agencies, agency_years, terms
from registry.read.words import prefixes, query_words
from registry.rules.lifecycle import STATUSES
from registry.rules.state import EARLY_STATUSES

PER_PAGE = 20
# Every status an agency can show, in the order of the lifecycle.
ALL_STATUSES = (*EARLY_STATUSES, *STATUSES)


@dataclass(frozen=True)
class Filters:
    """What a citizen can search by; every field optional, all shareable as GET parameters."""

    q: str = ""
    province: str = ""  # Kemendagri province code, "33"
    regency: str = ""  # Kemendagri regency/city code, "33.11"
    kind: str = ""
    status: str = ""
    year: str = ""

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def search(
    db: Connection, filters: Filters, page: int = 1, per_page: int = PER_PAGE
) -> dict[str, Any]:
    """One page of agencies matching every given filter, by name; with the total count."""
    where: list[Any] = []
    if filters.q:
        wanted = query_words(filters.q)
        if not wanted:
            return {"total": 0, "page": 1, "pages": 1, "rows": []}
        for alternatives in wanted:
            matches = or_(
                *(
                    and_(terms.c.term >= low, terms.c.term < high)
                    for low, high in prefixes(alternatives)
                )
            )
            where.append(agencies.c.agency.in_(select(terms.c.agency).where(matches)))
    if filters.regency:
        where.append(in_region(filters.regency))
    elif filters.province:
        where.append(in_region(filters.province))
    if filters.kind:
        where.append(agencies.c.kind == filters.kind)
    if filters.status:
        where.append(agencies.c.status == filters.status)
    if filters.year:
        active = select(agency_years.c.agency).where(agency_years.c.year == filters.year)
        where.append(agencies.c.agency.in_(active))
    condition = and_(true(), *where)
    if where:
        query = select(func.count()).select_from(agencies).where(condition)
        total = int(db.execute(query).scalar_one())
    else:  # every agency: the projection's count, not a scan
        total = counted(db, "agencies").get("", 0)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    found = rows(
        db,
        select(agencies)
        .where(condition)
        .order_by(agencies.c.name, agencies.c.agency)
        .limit(per_page)
        .offset((page - 1) * per_page),
    )
    return {"total": total, "page": page, "pages": pages, "rows": found}


def choices(db: Connection) -> dict[str, Any]:
    """The kinds and years that occur, and every status with how many agencies have it, for
    the search form's select boxes (counts the projection keeps, never a scan)."""
    kinds = [k for k, n in counted(db, "kind:").items() if n > 0]
    counts = {s: n for s, n in counted(db, "status:").items() if n > 0}
    years = [y for y, n in counted(db, "year:").items() if n > 0]
    extra = sorted(set(counts) - set(ALL_STATUSES))
    return {
        "kinds": sorted(kinds),
        "statuses": [*ALL_STATUSES, *extra],
        "status_counts": {s: counts.get(s, 0) for s in (*ALL_STATUSES, *extra)},
        "years": sorted(years, reverse=True),
    }

"""The citizens' search: agencies by name or id, region, kind, status, year, overdue items,
warnings and predicate, in the results table's order, one page at a time.

Every filter is optional and shareable as a GET parameter (`Filters.params`). The status,
predicate and warnings a search filters on are those the rules computed for each agency and
the projection keeps on `rm_agencies`; items overdue are counted for today
(registry/read/results.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, true

from registry.read.queries import counted, in_region, rows
from registry.read.results import order_by, overdue_ids, overdue_units, with_facts
from registry.read.table_rows import ALL_STATUSES
from registry.read.tables import (
    agencies,
    agency_warnings,
    agency_years,
    declarations,
    terms,
    witnesses,
)
from registry.read.words import prefixes, query_words

PER_PAGE = 20
PREDICATE_STATES = ("awarded", "revoked")
OVERDUE, UNWITNESSED = "item-overdue", "unwitnessed"  # the warnings true today


@dataclass(frozen=True)
class Filters:
    """What a citizen can search by, and the order; every field optional, all shareable as
    GET parameters (`params`)."""

    q: str = ""
    province: str = ""  # Kemendagri province code, "33"
    regency: str = ""  # Kemendagri regency/city code, "33.11"
    kind: str = ""
    status: tuple[str, ...] = ()  # any of these (?status=a&status=b)
    year: str = ""
    overdue: bool = False  # has items overdue today (?overdue=1)
    warnings: bool = False  # has warnings the log records (?warnings=1)
    warning: str = ""  # has a warning of this code (?warning=late-posting)
    predicate: str = ""  # awarded, revoked
    predicate_year: str = ""
    match: str = ""  # "any": a unit with any one of the findings above (else all of them)
    sort: str = ""  # a key of registry.read.results.SORTS; name when empty
    dir: str = ""  # asc, desc

    def params(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {}
        for k, v in self.__dict__.items():
            if isinstance(v, tuple):
                if v:
                    out[k] = list(v)
            elif v is True:
                out[k] = "1"
            elif v:
                out[k] = v
        return out

    def narrowing(self) -> dict[str, str | list[str]]:
        """The filters alone, without the order."""
        return {k: v for k, v in self.params().items() if k not in ("sort", "dir")}


def where(filters: Filters, today: date) -> list[Any] | None:
    """The conditions of every given filter; None when the words match nothing."""
    out: list[Any] = []
    if filters.q:
        wanted = query_words(filters.q)
        if not wanted:
            return None
        for alternatives in wanted:
            matches = or_(
                *(
                    and_(terms.c.term >= low, terms.c.term < high)
                    for low, high in prefixes(alternatives)
                )
            )
            out.append(agencies.c.agency.in_(select(terms.c.agency).where(matches)))
    if filters.regency:
        out.append(in_region(filters.regency))
    elif filters.province:
        out.append(in_region(filters.province))
    if filters.kind:
        out.append(agencies.c.kind == filters.kind)
    if filters.status:
        out.append(agencies.c.status.in_(filters.status))
    if filters.year:
        active = select(agency_years.c.agency).where(agency_years.c.year == filters.year)
        out.append(agencies.c.agency.in_(active))
    findings: list[Any] = []  # all of them, or with ?match=any any one
    if filters.overdue:
        findings.append(agencies.c.agency.in_(overdue_ids(today)))
    if filters.warnings:
        findings.append(agencies.c.warnings > 0)
    if filters.warning:
        findings.append(_warned(filters.warning, today))
    predicate: list[Any] = []
    if filters.predicate:
        predicate.append(agencies.c.predicate_state == filters.predicate)
    if filters.predicate_year:
        predicate.append(agencies.c.predicate_year == int(filters.predicate_year))
    if predicate:
        findings.append(and_(*predicate))
    if filters.match == "any" and len(findings) > 1:
        return [*out, or_(*findings)]
    return out + findings


def _warned(code: str, today: date) -> Any:
    """Agencies whose page lists a warning of `code`: those the log records
    (`rm_agency_warnings`), and the two true today (registry/rules/warnings.py): items overdue,
    and a declaration no witness has attested."""
    if code == OVERDUE:
        return agencies.c.agency.in_(overdue_ids(today))
    if code == UNWITNESSED:
        d, w = declarations, witnesses
        attested = select(w.c.idx).where(w.c.declaration_hash == d.c.hash).exists()
        return select(d.c.idx).where(d.c.agency == agencies.c.agency, ~attested).exists()
    coded = select(agency_warnings.c.agency).where(agency_warnings.c.code == code)
    return agencies.c.agency.in_(coded)


def search(
    db: Connection,
    filters: Filters,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: date | None = None,
) -> dict[str, Any]:
    """One page of agencies matching every given filter, in the filters' order (by name when
    none), with the total count; each row with the results table's facts (`with_facts`)."""
    day = today or date.today()
    found = where(filters, day)
    if found is None:
        return {"total": 0, "page": 1, "pages": 1, "rows": []}
    condition = and_(true(), *found)
    if found:
        query = select(func.count()).select_from(agencies).where(condition)
        total = int(db.execute(query).scalar_one())
    else:  # every agency: the projection's count, not a scan
        total = counted(db, "agencies").get("", 0)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    if filters.sort == "overdue":
        desc = filters.dir == "desc"
        listed = _by_overdue(db, condition, total, day, desc, start, per_page)
    else:
        order = order_by(db, filters.sort, filters.dir)
        ordered = select(agencies).where(condition).order_by(*order)
        listed = rows(db, ordered.limit(per_page).offset(start))
    return {"total": total, "page": page, "pages": pages, "rows": with_facts(db, listed, day)}


def _by_overdue(
    db: Connection, condition: Any, total: int, today: date, desc: bool, start: int, limit: int
) -> list[dict[str, Any]]:
    """One page by items overdue today, name after: the units that have some (counted on the
    plan's due-date index) and those that have none (by name, on the name index), each part
    read with its own LIMIT, so neither sorts the whole table."""
    late = overdue_units(today).subquery("overdue_units")
    late_ids = agencies.c.agency.in_(overdue_ids(today))
    some = select(func.count()).select_from(agencies).where(condition, late_ids)
    n_some = int(db.execute(some).scalar_one())
    count = late.c.overdue.desc() if desc else late.c.overdue.asc()
    with_some = (
        select(agencies)
        .join(late, late.c.unit == agencies.c.agency)
        .where(condition)
        .order_by(count, agencies.c.name, agencies.c.agency)
    )
    with_none = (
        select(agencies)
        .where(condition, agencies.c.agency.not_in(overdue_ids(today)))
        .order_by(agencies.c.name, agencies.c.agency)
    )
    parts = [(with_some, n_some), (with_none, total - n_some)]
    out: list[dict[str, Any]] = []
    for query, size in parts if desc else parts[::-1]:
        if start >= size:
            start -= size
            continue
        out += rows(db, query.limit(limit - len(out)).offset(start))
        start = 0
        if len(out) >= limit:
            break
    return out


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

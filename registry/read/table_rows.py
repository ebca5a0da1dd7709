"""The results table's columns as the projection keeps them (issue 13), from the rules' output.

`table_columns(head)` gives an agency's status rank, and the predicate it holds (and the year
its award statement names) or had revoked (and the year revoked), from its lifecycle.
`warning_counts` keeps, for each agency, how many warnings the log records about it by code
(`rm_agency_warnings`) and their total and codes on `rm_agencies`, in step with the warning
rows a batch stores and those a compromise voids. A warning counts for its agency and for its
subject, as an agency page lists it (`registry.read.lifecycle.warnings`). Nothing is decided
here: the warnings and the lifecycle are the rules'; this only counts and copies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Text,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from registry.read import tables as t
from registry.rules.lifecycle import STATUSES
from registry.rules.state import EARLY_STATUSES, AgencyHead, agency_status
from registry.rules.warnings import REVOKED_KEY_WARNING
from registry.write.pipe import pipe, piped, piped_sql

# Every status an agency can show, in the order of the lifecycle.
ALL_STATUSES = (*EARLY_STATUSES, *STATUSES)


def status_rank(status: str) -> int:
    """A status's place in the lifecycle (registered first, revoked last), for sorting."""
    return ALL_STATUSES.index(status) if status in ALL_STATUSES else len(ALL_STATUSES)


def table_columns(head: AgencyHead) -> dict[str, Any]:
    """The status rank and predicate columns of an agency's row."""
    lc = head.lifecycle
    out: dict[str, Any] = {"status_rank": status_rank(agency_status(head))}
    if lc.predicate is not None:
        held = lc.predicate
        awarded = {"predicate_state": "awarded", "predicate_year": held.year}
        return out | {"predicate": held.predicate} | awarded
    year = int(lc.revoked_on[:4]) if lc.revoked_on else None
    state = "revoked" if lc.revoked_on else None
    return out | {"predicate": None, "predicate_state": state, "predicate_year": year}


def warning_tally(found: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """(agency or subject, code) -> how many of the warnings `found` count for it."""
    out: dict[tuple[str, str], int] = {}
    for w in found:
        for who in {w["agency"], w["subject"]}:
            out[who, w["code"]] = out.get((who, w["code"]), 0) + 1
    return out


# The counts' statements, built once (building them costs SQLAlchemy more than running them),
# for PostgreSQL and SQLite. They are queued in the append's pipe (registry/write/pipe.py
# `add_sql`), and the database works the counts out from what it holds: nothing is read back
# before the commit. Each reads what the one before it wrote (the pipe orders them so).
_A, _K = t.agencies, t.agency_warnings
_KINDS = {"agency": Text, "code": Text, "n": BigInteger}


@cache
def _add(postgres: bool) -> str:
    """Add each (agency, code, n) to the stored count, for the ids that are agencies (a
    warning's subject may be a key instead)."""
    rows = piped(_KINDS, postgres)
    known = exists().where(_A.c.agency == rows.c.agency)
    found = select(rows.c.agency, rows.c.code, rows.c.n).where(known)
    stmt = (postgresql if postgres else sqlite).insert(_K).from_select(list(_KINDS), found)
    added = {"n": _K.c.n + stmt.excluded.n}
    return piped_sql(
        stmt.on_conflict_do_update(index_elements=["agency", "code"], set_=added), postgres
    )


def _concerned(postgres: bool) -> Any:
    """Whether a row's agency is one of the piped ones."""
    return select(piped({"agency": Text}, postgres).c.agency)


@cache
def _drop(postgres: bool) -> str:
    """Drop the kinds no longer counted for the piped agencies."""
    gone = delete(_K).where(_K.c.n <= literal_column("0"), _K.c.agency.in_(_concerned(postgres)))
    return piped_sql(gone, postgres)


@cache
def _totals(postgres: bool) -> str:
    """Set the piped agencies' total and their codes (sorted, space-separated) from the counts:
    on PostgreSQL `string_agg` in code order; on SQLite (no ordered aggregate before 3.44) the
    running `group_concat` over the window in code order, taken at the last code."""
    # Constants as SQL text: the pipe sends no parameters but the rows.
    constants: list[Any] = [literal_column(v) for v in ("0", "1", "''", "' '")]
    zero, one, empty, space = constants
    mine = and_(_K.c.agency == _A.c.agency, _K.c.n > zero)
    total = select(func.coalesce(func.sum(_K.c.n), zero)).where(mine).scalar_subquery()
    if postgres:
        code = _K.c.code.collate("C")
        kinds: Any = select(func.string_agg(_K.c.code, aggregate_order_by(space, code)))
    else:
        running = func.group_concat(_K.c.code, space).over(order_by=_K.c.code)
        kinds = select(running).order_by(_K.c.code.desc()).limit(one).offset(zero)
    codes = func.coalesce(kinds.where(mine).scalar_subquery(), empty)
    them = _A.c.agency.in_(_concerned(postgres))
    return piped_sql(update(_A).where(them).values(warnings=total, warning_kinds=codes), postgres)


_VOIDED = select(t.warnings.c.agency, t.warnings.c.subject, t.warnings.c.code).where(
    t.warnings.c.idx.in_(bindparam("b_void", expanding=True)),
    t.warnings.c.code != REVOKED_KEY_WARNING,
)


def warning_counts(session: Session, added: list[dict[str, Any]], void: set[int]) -> None:
    """Apply a batch's stored warnings, and the stored ones its compromise voids (call before
    they are deleted), to the counts of the agencies they are about: each (agency, code)'s
    change is added to its stored count, the kinds no longer counted are dropped, and the
    totals of the agencies concerned are set from their counts, all queued in the
    transaction's pipe (registry/write/pipe.py) as statements the database works out."""
    delta = warning_tally(added)
    if void:
        gone = session.connection().execute(_VOIDED, {"b_void": sorted(void)})
        for key, n in warning_tally([dict(r._mapping) for r in gone]).items():
            delta[key] = delta.get(key, 0) - n
    changed: list[dict[str, Any]] = [
        {"agency": w, "code": c, "n": n} for (w, c), n in sorted(delta.items()) if n
    ]
    if not changed:
        return
    p = pipe(session)
    postgres = p.postgres
    whose = [{"agency": w} for w in sorted({row["agency"] for row in changed})]
    p.add_sql(_add(postgres), changed, _K.name, frozenset({_A.name}))
    if any(row["n"] < 0 for row in changed):
        p.add_sql(_drop(postgres), whose, _K.name)
    p.add_sql(_totals(postgres), whose, _A.name, frozenset({_K.name}))

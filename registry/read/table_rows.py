"""The results table's columns as the projection keeps them (issue 13), from the rules' output.

`table_columns(head)` gives an agency's status rank, and the predicate it holds (and the year
its award statement names) or had revoked (and the year revoked), from its lifecycle.
`warning_counts` keeps, for each agency, how many warnings the log records about it by code
(`rm_agency_warnings`) and their total and codes on `rm_agencies`, in step with the warning
rows a batch stores and those a compromise voids, worked out by the database from the
changes (nothing is read back for them). A warning counts for its agency
and for its subject, as an agency page lists it (`registry.read.lifecycle.warnings`).
Nothing is decided here: the warnings and the lifecycle are the rules'; this only counts and
copies.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Text, bindparam, delete, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from registry.read import tables as t
from registry.rules.lifecycle import STATUSES
from registry.rules.state import EARLY_STATUSES, AgencyHead, agency_status
from registry.rules.warnings import REVOKED_KEY_WARNING
from registry.write.pipe import pipe
from registry.write.pipe_sql import piped, piped_sql

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


# The counts' statements, built once (building them costs SQLAlchemy more than running them).
_A, _K = t.agencies, t.agency_warnings
_VOIDED = select(t.warnings.c.agency, t.warnings.c.subject, t.warnings.c.code).where(
    t.warnings.c.idx.in_(bindparam("b_void", expanding=True)),
    t.warnings.c.code != REVOKED_KEY_WARNING,
)


# Constants written into the SQL (a bound value would need a parameter in every piped row).
_ZERO: Any = literal_column("0")
_SPACE: Any = literal_column("' '")
_EMPTY: Any = literal_column("''")


@cache
def _counts_sql(postgres: bool) -> tuple[str, str, str]:
    """`warning_counts`' three statements as driver SQL over piped rows (registry/write/pipe.py
    `piped`): add each (agency, code, n) to the stored count, for the ids that are agencies;
    drop the counts of these agencies that fell to zero; set these agencies' totals and codes
    from their counts, the codes in byte order (as Python sorts them, whatever the database's
    collation: `warning_totals`, which fsck checks the rows against)."""
    added = piped({"agency": Text, "code": Text, "n": BigInteger}, postgres)
    insert = (postgresql if postgres else sqlite).insert(_K)
    found = select(added.c.agency, added.c.code, added.c.n).where(
        added.c.agency.in_(select(_A.c.agency))  # a subject may be a key, not an agency
    )
    upsert = insert.from_select(["agency", "code", "n"], found).on_conflict_do_update(
        index_elements=["agency", "code"], set_={"n": _K.c.n + insert.excluded.n}
    )
    whose = select(piped({"b_agency": Text}, postgres).c.b_agency)
    drop = delete(_K).where(_K.c.agency.in_(whose), _K.c.n <= _ZERO)
    totals = update(_A).where(_A.c.agency.in_(whose)).values(warning_columns(postgres))
    return piped_sql(upsert, postgres), piped_sql(drop, postgres), piped_sql(totals, postgres)


def warning_columns(postgres: bool) -> dict[str, Any]:
    """An agency row's total and codes as the database works them out from its counts, the
    codes in byte order (as Python sorts them, whatever the database's collation:
    `warning_totals`, which fsck checks the rows against). The update of the agencies a batch
    changed sets them too (registry/read/rows.py), so that each agency row is updated once a
    batch: every update of it is a new version of the row in each of its 17 indexes, and a
    second update of the same rows was ~40 % of PostgreSQL's time at 100 a save."""
    mine = _K.c.agency == _A.c.agency
    total = select(func.coalesce(func.sum(_K.c.n), _ZERO)).where(mine).scalar_subquery()
    if postgres:
        by_bytes: Any = aggregate_order_by(_SPACE, _K.c.code.collate("C"))
        joined: Any = func.string_agg(_K.c.code, by_bytes)
        codes = select(func.coalesce(joined, _EMPTY)).where(mine).scalar_subquery()
    else:  # SQLite's BINARY collation is byte order; group_concat takes the subquery's order
        ordered = select(_K.c.code).where(mine).order_by(_K.c.code).correlate(_A).subquery()
        joined = func.group_concat(ordered.c.code, _SPACE)
        codes = select(func.coalesce(joined, _EMPTY)).scalar_subquery()
    return {"warnings": total, "warning_kinds": codes}


def warning_counts(
    session: Session, added: list[dict[str, Any]], void: set[int], updated: Collection[str] = ()
) -> None:
    """Apply a batch's stored warnings, and the stored ones its compromise voids (call before
    they are deleted), to the counts of the agencies they are about, and to those agencies'
    totals: the database works them out from the changes, queued in the transaction's pipe
    (registry/write/pipe.py) after the rows queued before (an agency registered in the same
    batch is counted), so nothing is read for them (on PostgreSQL no round trip of its own)."""
    delta = warning_tally(added)
    if void:
        gone = session.connection().execute(_VOIDED, {"b_void": sorted(void)})
        for key, n in warning_tally([dict(r._mapping) for r in gone]).items():
            delta[key] = delta.get(key, 0) - n
    changed = sorted((key, n) for key, n in delta.items() if n)
    if not changed:
        return
    changes = [{"agency": a, "code": c, "n": n} for (a, c), n in changed]
    agencies = sorted({a for (a, _), _ in changed})
    # `updated`: agencies whose row the batch updates after this, setting the totals too.
    whose = [{"b_agency": a} for a in agencies if a not in updated]
    p = pipe(session)
    add, drop, totals = _counts_sql(p.postgres)
    p.add_sql(add, changes, _K.name, reads=frozenset({_A.name}))
    if any(n < 0 for _, n in changed):  # only a compromise's voided warnings come off
        p.add_sql(drop, [{"b_agency": a} for a in agencies], _K.name)
    p.add_sql(totals, whose, _A.name, reads=frozenset({_K.name}))  # nothing if none is left


def warning_totals(kinds: Mapping[str, int]) -> dict[str, Any]:
    """An agency's row columns from its count by code: the total, and the codes counted,
    in code order, space-separated."""
    counted = sorted((c, n) for c, n in kinds.items() if n > 0)
    return {
        "warnings": sum(n for _, n in counted),
        "warning_kinds": " ".join(c for c, _ in counted),
    }

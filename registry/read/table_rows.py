"""The results table's columns as the projection keeps them (issue 13), from the rules' output.

`table_columns(head)` gives an agency's status rank, and the predicate it holds (and the year
its award statement names) or had revoked (and the year revoked), from its lifecycle.
`warning_counts` keeps, for each agency, how many warnings the log records about it by code
(`rm_agency_warnings`) and their total and codes on `rm_agencies`, in step with the warning
rows a batch stores and those a compromise voids (`prefetch_counts` reads the counts an
append will want in its first round trip, after its lock). A warning counts for its agency
and for its subject, as an agency page lists it (`registry.read.lifecycle.warnings`).
Nothing is decided here: the warnings and the lifecycle are the rules'; this only counts and
copies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from sqlalchemy import any_, bindparam, column, func, select
from sqlalchemy.orm import Session

from events import Statement
from registry.read import tables as t
from registry.rules.lifecycle import STATUSES
from registry.rules.state import EARLY_STATUSES, AgencyHead, agency_status
from registry.rules.types import rules_for
from registry.rules.warnings import REVOKED_KEY_WARNING
from registry.write.pipe import Pipe, Returned, Write, compiled, pipe

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
# The agencies among these ids (a warning's subject may be a key instead) and their counts.
_NOW_FROM = select(_A.c.agency, _K.c.code, _K.c.n).select_from(
    _A.outerjoin(_K, _K.c.agency == _A.c.agency)
)
# As driver SQL, asked through the append's pipe (registry/write/pipe.py: on
# PostgreSQL in the round trip of the rows queued before it), the ids as an array on
# PostgreSQL and as a JSON array on SQLite.
_NOW_PG = compiled(_NOW_FROM.where(_A.c.agency == any_(bindparam("b_whose"))), True)[0]
_IDS: Any = select(column("value")).select_from(func.json_each(bindparam("b_whose")))
_NOW_SQLITE = compiled(_NOW_FROM.where(_A.c.agency.in_(_IDS)), False)[0]
_VOIDED = select(t.warnings.c.agency, t.warnings.c.subject, t.warnings.c.code).where(
    t.warnings.c.idx.in_(bindparam("b_void", expanding=True)),
    t.warnings.c.code != REVOKED_KEY_WARNING,
)
_SET = Write(_K, ("agency", "code"), "replace")  # a kind's new count
_DROP = Write(_K, ("agency", "code"), op="delete")  # a kind no longer counted
_TOTALS = Write(_A, ("agency",), op="update")


@dataclass(frozen=True)
class Prefetched:
    """The stored counts of the agencies an append expects its warnings to be about (its
    statements' own and the units they name), asked in its first round trip, right after its
    lock (registry/write/app.py): then `warning_counts` need not ask in the middle of it."""

    asked: frozenset[str]
    found: Returned


def concerned(statements: Sequence[Statement]) -> set[str]:
    """The agencies these statements are by or about (the rules' `about`): those their
    warnings may count for."""
    agencies = {s.agency for s in statements}
    for s in statements:
        agencies.update(rules_for(s.type).about(s))
    return agencies


def prefetch_counts(session: Session, agencies: Iterable[str]) -> Prefetched:
    """Queue the read of these agencies' counts (sent with what is queued before it)."""
    asked = frozenset(agencies)
    return Prefetched(asked, _ask(pipe(session), sorted(asked)))


def _ask(p: Pipe, whose: list[str]) -> Returned:
    """The agencies among these ids and their counts: (agency, code, n) rows, (agency, None,
    None) for an agency with none."""
    if p.postgres:
        return p.ask(_NOW_PG, {"b_whose": whose})
    return p.ask(_NOW_SQLITE, {"b_whose": json.dumps(whose)})


def warning_counts(
    session: Session,
    added: list[dict[str, Any]],
    void: set[int],
    prefetched: Prefetched | None = None,
    new: AbstractSet[str] = frozenset(),
) -> None:
    """Apply a batch's stored warnings, and the stored ones its compromise voids (call before
    they are deleted), to the counts of the agencies they are about: the counts of the
    agencies concerned are read (`prefetched` after the append's lock, if they were all
    asked there; else now), and only the kinds that changed are written, queued in the
    transaction's pipe (registry/write/pipe.py) with the agencies' totals. `new`: the agencies
    this batch registers (none was there to prefetch; they have no counts yet)."""
    delta = warning_tally(added)
    conn = session.connection()
    if void:
        gone = conn.execute(_VOIDED, {"b_void": sorted(void)})
        for key, n in warning_tally([dict(r._mapping) for r in gone]).items():
            delta[key] = delta.get(key, 0) - n
    whose = sorted({who for (who, _), n in delta.items() if n})
    if not whose:
        return
    p = pipe(session)
    if (
        prefetched is not None
        and not void
        and all(w in prefetched.asked or w in new for w in whose)
    ):
        # An id asked after the lock and not found is no agency, unless this batch registers
        # it: only a registration adds one, and registrations append under the same lock.
        wanted = set(whose)
        found = [r for r in prefetched.found.rows() if r[0] in wanted]
        found += [(w, None, None) for w in sorted(wanted & new)]
    else:
        found = _ask(p, whose).rows()
    now: dict[str, dict[str, int]] = {}
    for agency, code, n in found:
        kinds = now.setdefault(agency, {})
        if code is not None:
            kinds[code] = int(n)
    changed: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for (who, code), n in sorted(delta.items()):
        if who in now and n:
            count = now[who][code] = now[who].get(code, 0) + n
            row = {"b_agency": who, "b_code": code} if count <= 0 else None
            changed += [] if row else [{"agency": who, "code": code, "n": count}]
            dropped += [row] if row else []
    p.add(_SET, changed)
    p.add(_DROP, dropped)
    p.add(_TOTALS, [{"b_agency": who} | warning_totals(now[who]) for who in sorted(now)])


def warning_totals(kinds: Mapping[str, int]) -> dict[str, Any]:
    """An agency's row columns from its count by code: the total, and the codes counted,
    in code order, space-separated."""
    counted = sorted((c, n) for c, n in kinds.items() if n > 0)
    return {
        "warnings": sum(n for _, n in counted),
        "warning_kinds": " ".join(c for c, _ in counted),
    }

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
from typing import Any

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.orm import Session

from registry.read import tables as t
from registry.rules.lifecycle import STATUSES
from registry.rules.state import EARLY_STATUSES, AgencyHead, agency_status
from registry.rules.warnings import REVOKED_KEY_WARNING

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


def warning_counts(session: Session, added: list[dict[str, Any]], void: set[int]) -> None:
    """Apply a batch's stored warnings, and the stored ones its compromise voids (call before
    they are deleted), to the counts of the agencies they are about."""
    delta = warning_tally(added)
    w = t.warnings
    if void:
        gone = select(w.c.agency, w.c.subject, w.c.code).where(
            w.c.idx.in_(sorted(void)), w.c.code != REVOKED_KEY_WARNING
        )
        for key, n in warning_tally([dict(r._mapping) for r in session.execute(gone)]).items():
            delta[key] = delta.get(key, 0) - n
    a, kinds = t.agencies, t.agency_warnings
    whose = sorted({who for (who, _), n in delta.items() if n})
    if not whose:
        return
    # A subject may be a key or a plan item rather than an agency: only agencies count.
    known = sorted(session.execute(select(a.c.agency).where(a.c.agency.in_(whose))).scalars())
    if not known:
        return
    now: dict[str, dict[str, int]] = {who: {} for who in known}
    for r in session.execute(select(kinds).where(kinds.c.agency.in_(known))):
        now[r.agency][r.code] = int(r.n)
    for (who, code), n in delta.items():
        if who in now:
            now[who][code] = now[who].get(code, 0) + n
    session.execute(delete(kinds).where(kinds.c.agency.in_(known)))
    rows = [
        {"agency": who, "code": code, "n": n}
        for who in known
        for code, n in sorted(now[who].items())
        if n > 0
    ]
    if rows:
        session.execute(kinds.insert(), rows)
    totals = [
        {
            "b_agency": who,
            "warnings": sum(n for n in now[who].values() if n > 0),
            "warning_kinds": " ".join(c for c, n in sorted(now[who].items()) if n > 0),
        }
        for who in known
    ]
    values: dict[str, Any] = {"warnings": bindparam("warnings")}
    values["warning_kinds"] = bindparam("warning_kinds")
    where = and_(a.c.agency == bindparam("b_agency"))
    session.execute(update(a).where(where).values(values), totals)

"""The rows of the designations awarded and revoked (`rm_awards`), from the rules' transitions.

A unit's award is the rules' `Transition` to "wbk" or "wbbm" (registry/rules/lifecycle.py),
a revocation the transition to "revoked": this module decides nothing, it copies those
transitions, with the year the rules' designation is for (`Predicate.year`, the year the award
statement names) and what the award statement says of itself (its decree and the decree's
document hash), into one row per award, and marks the award a revocation ends. An entry a
compromise revocation voids loses its award row, or its revocation of one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, delete, update
from sqlalchemy.engine import Connection

from registry.read import tables as t
from registry.rules.replay import Outcome

AWARDED = ("wbk", "wbbm")
Row = dict[str, Any]


class AwardRows:
    """The award rows of one append transaction (or one page of a catch-up)."""

    def __init__(self) -> None:
        self.new: dict[tuple[str, str], list[Row]] = {}  # (unit, predicate): this batch's rows
        self.revoked: list[Row] = []  # revocations of awards stored before this batch

    def add(self, outcome: Outcome) -> list[Row]:
        """The new award rows of `outcome` (for the caller to insert); revocations noted."""
        st, out = outcome.statement, []
        for m in outcome.transitions:
            if m.step in AWARDED:
                held = outcome.heads[m.unit].lifecycle.predicate
                assert held is not None  # the rules' step to a designation gives one
                row = {
                    "unit": m.unit,
                    "idx": m.index,
                    "year": held.year,
                    "predicate": m.detail.get("predicate", m.step.upper()),
                    "awarded_on": m.on,
                    "by": st.agency,
                    "route": st.body.get("route") or "national",
                    "decree": st.body.get("decree") or "",
                    "document": st.documents[0].sha256 if st.documents else None,
                    "revoked_on": None,
                    "revoked_index": None,
                }
                self.new.setdefault((m.unit, row["predicate"]), []).append(row)
                out.append(row)
            elif m.step == "revoked":
                self._revoke(m.unit, str(st.body.get("predicate", "")), m.on, m.index)
        return out

    def _revoke(self, unit: str, predicate: str, on: str, index: int) -> None:
        change = {"revoked_on": on, "revoked_index": index}
        held = [r for r in self.new.get((unit, predicate), []) if r["revoked_index"] is None]
        for row in held:
            row.update(change)
        self.revoked.append({"b_unit": unit, "b_predicate": predicate} | change)

    def flush(self, session: Connection, void: set[int]) -> None:
        """Revoke the stored awards, then undo what voided entries did (after the inserts)."""
        revoked = [r for r in self.revoked if r["revoked_index"] not in void]
        if revoked:
            a = t.awards.c
            held = and_(
                a.unit == bindparam("b_unit"),
                a.predicate == bindparam("b_predicate"),
                a.revoked_index.is_(None),
            )
            values: dict[str, Any] = {c: bindparam(c) for c in ("revoked_on", "revoked_index")}
            session.execute(update(t.awards).where(held).values(values), revoked)
        if void:
            wanted = sorted(void)
            session.execute(delete(t.awards).where(t.awards.c.idx.in_(wanted)))
            undone = update(t.awards).where(t.awards.c.revoked_index.in_(wanted))
            session.execute(undone.values(revoked_on=None, revoked_index=None))

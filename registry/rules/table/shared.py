"""What the per-type entries share: "about the unit it names", the guard of building steps
that only date the unit's building (their changes: `registry.rules.derive.day_step`), and the
LKE score record."""

from __future__ import annotations

from events import Statement
from registry.rules import guards
from registry.rules.records import Score
from registry.rules.types import Entry

STEP_GUARD = guards.building(lambda st: [], lambda st: [])


def about_unit(st: Statement) -> list[str]:
    """The statement is about the unit its body names."""
    return [st.body["unit"]]


def score(e: Entry, source: str, unit: str, on: str, **extra: str | None) -> Score:
    b = e.statement.body
    return Score(
        e.index,
        unit,
        source,
        e.statement.agency,
        b["regulation"],
        b.get("target"),
        b["year"],
        on,
        b.get("scores"),
        b.get("indices"),
        **extra,
    )

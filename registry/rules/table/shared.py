"""What the per-type entries share: the change list type, "about the unit it names", the guard
and changes of building steps that only date the unit's building, and the LKE score record."""

from __future__ import annotations

from collections.abc import Callable

from events import Statement
from registry.rules import guards
from registry.rules.changes import Built, Change
from registry.rules.records import Score
from registry.rules.types import Entry

Changes = list[tuple[str, Change]]
STEP_GUARD = guards.building(lambda st: [], lambda st: [])


def about_unit(st: Statement) -> list[str]:
    """The statement is about the unit its body names."""
    return [st.body["unit"]]


def step(date_field: str) -> Callable[[Statement, int], Changes]:
    """The changes of a building statement that only dates a step of the unit's building."""
    return lambda st, index: [(st.agency, Built(index, st.body[date_field]))]


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

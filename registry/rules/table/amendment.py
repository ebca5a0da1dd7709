"""Amendments: corrections and retractions point at an earlier statement of the same agency."""

from __future__ import annotations

from events import Statement
from registry.rules import guards
from registry.rules.changes import (
    Retracted,
)
from registry.rules.records import (
    Link,
    Record,
)
from registry.rules.table.shared import Changes
from registry.rules.types import Entry, TypeRules, register_rules

# -- amendments ------------------------------------------------------------------------------


def _link(kind: str) -> TypeRules:
    def records(e: Entry) -> list[Record]:
        b = e.statement.body
        target = e.find(b["target"]["hash"])
        assert target is not None  # guards.amendment
        corrections = tuple(b.get("corrections", ()))
        return [
            Link(
                e.index,
                e.statement.agency,
                kind,
                b["target"]["seq"],
                b["target"]["hash"],
                target.index,
                b["reason"],
                corrections,
            )
        ]

    def changes(st: Statement, index: int) -> Changes:
        if kind != "retracted":
            return []
        return [(st.agency, Retracted(index, st.body["target"]["seq"]))]

    return TypeRules(f"statement.{kind}", guard=guards.amendment, changes=changes, records=records)


register_rules(_link("corrected"))
register_rules(_link("retracted"))

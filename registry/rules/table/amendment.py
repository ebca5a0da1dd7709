"""Amendments: corrections and retractions point at an earlier statement of the same agency."""

from __future__ import annotations

from registry.rules import guards
from registry.rules.derive import AGENCY, ChangeRule, body, derive
from registry.rules.records import (
    Link,
    Record,
)
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

    changes = derive(
        *(
            [ChangeRule("retracted", AGENCY, {"seq": body("target", "seq")})]
            if kind == "retracted"
            else []
        )
    )

    return TypeRules(f"statement.{kind}", guard=guards.amendment, changes=changes, records=records)


register_rules(_link("corrected"))
register_rules(_link("retracted"))

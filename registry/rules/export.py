"""The rules as data, for the browser's check of a unit page (web/static/verify/rules.js).

`rules_table()` is generated from the Python rules by running them, never hand-copied: the
status machine (`lifecycle.next_status` for every current status and step), for every change
`op` the status step it takes (a constant, or the lowercased value of one of its fields) and
which lifecycle parts it clears, probed by applying a sample change with `apply_changes`.
`interpret(changes)` is the Python side of the cross-language test: a unit's lifecycle changes
(their stored JSON, in log order) to the summary the JavaScript interpreter must reproduce.
`web/static/verify/rules.json` holds the table; a test regenerates and compares it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, get_type_hints

from events import Statement
from events.catalog import CATALOG
from registry.rules import changes as ch
from registry.rules import table as _table  # noqa: F401  (registers the built-in types' rules)
from registry.rules.derive import Derivation, Voiding
from registry.rules.export_warnings import warnings_table
from registry.rules.lifecycle import (
    OUTCOMES,
    PATH,
    STATUSES,
    Transition,
    apply_changes,
    next_status,
)
from registry.rules.state import Lifecycle, PlanItem, Predicate, Proposal, TpiResult
from registry.rules.types import _no_changes, rules_for
from registry.rules.warnings import OpenItem, days_overdue, is_overdue, overdue_items

FORMAT = "pakta-rules/1"
STEPS = STATUSES  # every status is also a step a change can take
CLEARABLE = ("predicate", "proposal", "tpi")
_MARK = "Penanda"


def _sample(cls: type[ch.Change]) -> ch.Change:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        hint = str(get_type_hints(cls)[f.name])
        if f.name == "index":
            values[f.name] = 7
        elif "bool" in hint:
            values[f.name] = True
        elif hint.startswith("tuple"):
            values[f.name] = ()
        elif "int" in hint:
            values[f.name] = 2031
        elif f.metadata.get("optional"):
            values[f.name] = None
        elif "Mapping" in hint:
            values[f.name] = {}
        elif "tuple" in hint:
            values[f.name] = ()
        else:
            values[f.name] = f"{_MARK}-{f.name}"
    return cls(**values)


def _full() -> Lifecycle:
    return Lifecycle(
        predicate=Predicate("WBK", "2030-01-01", "x", 2029),
        proposal=Proposal("2030-01-01", 2030, "WBK", "x"),
        tpi=TpiResult("2030-01-01", "x", "WBK", {}),
    )


def _op_rule(cls: type[ch.Change]) -> dict[str, Any]:
    sample = _sample(cls)
    lc, moves = apply_changes("u", Lifecycle(), (sample,))
    rule: dict[str, Any] = {"step": None, "step_from": None}
    if lc.status is not None:
        fields = {
            f.name: getattr(sample, f.name)
            for f in dataclasses.fields(cls)
            if isinstance(getattr(sample, f.name), str)
        }
        found = [name for name, v in fields.items() if v.lower() == lc.status]
        if found:
            rule["step_from"] = found[0]
        else:
            rule["step"] = next(s for s in STEPS if next_status(None, s) == lc.status)
    after, _ = apply_changes("u", _full(), (sample,))
    rule["clears"] = [name for name in CLEARABLE if getattr(after, name) is None]
    # Fields left out of the stored JSON when empty, and whether the change records the day
    # the log received its statement (`changes.stamp_logged`).
    rule["optional"] = [f.name for f in dataclasses.fields(cls) if f.metadata.get("optional")]
    rule["logged_on"] = ch.stamp_logged(sample, "x") != sample
    return rule


def _statements() -> dict[str, Any]:
    """For every statement type, how its body becomes changes (`registry.rules.derive`); a
    type whose changes are Python code only (a type added without a derivation) is `null`, and
    a browser cannot derive its changes."""
    out: dict[str, Any] = {}
    for name in sorted(CATALOG):
        changes = rules_for(name).changes
        if changes is _no_changes:
            out[name] = []
        else:
            out[name] = changes.to_json() if isinstance(changes, Derivation) else None
    return out


def statement_changes(statement: Statement, index: int, logged_on: str) -> list[dict[str, Any]]:
    """The Python side of the cross-language test of `statements`: the changes the rules make
    of `statement` as entry `index` (received on the day `logged_on`), with the agency each
    is for, as the replay makes them."""
    found = rules_for(statement.type).changes(statement, index)
    return [{"to": a, **ch.stamp_logged(c, logged_on).to_json()} for a, c in found]


def _plan_rule() -> dict[str, Any]:
    """An item's state from its two flags ("cancelled done" as 0/1), and when it is overdue:
    the states that can be, whether it already is on its due day, and the code of the
    warning it raises (probed)."""
    flags = (False, True)
    state = {f"{int(c)}{int(d)}": PlanItem("2030-01-01", c, d).state for c in flags for d in flags}
    day = date(2030, 1, 2)
    late = sorted({s for s in state.values() if is_overdue(s, "2030-01-01", day)})
    on_due_day = any(is_overdue(s, day.isoformat(), day) for s in late)
    if any(is_overdue(s, "2030-01-03", day) for s in late):
        raise ValueError("an item due later is overdue: the table cannot say so")
    probe = OpenItem("u", "x", "", late[0], "2030-01-01", "2030-01-01", 0)
    code = overdue_items([probe], day)[0].code  # the warning each overdue item raises
    return {
        "state": state,
        "overdue_states": late,
        "overdue_on_due_day": on_due_day,
        "overdue_warning": code,
    }


def rules_table() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "statuses": list(STATUSES),
        "next_status": {
            (current or ""): {step: next_status(current, step) for step in STEPS}
            for current in (None, *STATUSES)
        },
        "ops": {op: _op_rule(cls) for op, cls in sorted(ch.CHANGES.items())},
        "plan": _plan_rule(),
        "path": list(PATH),
        "outcomes": list(OUTCOMES),
        "statements": _statements(),
        "voids": {
            name: rules_for(name).voids.to_json()  # type: ignore[union-attr]
            for name in sorted(CATALOG)
            if isinstance(rules_for(name).voids, Voiding)
        },
        "warnings": warnings_table(),
    }


def table_text() -> str:
    return json.dumps(rules_table(), indent=1, sort_keys=True) + "\n"


def interpret(changes: Iterable[Mapping[str, Any]], today: date | None = None) -> dict[str, Any]:
    """What the rules derive from a unit's lifecycle changes: status, stages, target, plan,
    predicate, every status transition (step, date, entry), each plan item's due date and
    state, and (given `today`) the items overdue that day with their days late."""
    lc, moves = apply_changes("u", Lifecycle(), tuple(ch.change_from_json(c) for c in changes))
    out = lc.to_json()
    items = {i: {"due": p.due, "state": p.state} for i, p in lc.plan.items()}
    late = []
    if today is not None:
        open_items = [
            OpenItem("u", i, "", p["state"], p["due"], p["due"], 0) for i, p in items.items()
        ]
        late = [
            {
                "item": w.subject,
                "due": w.facts["due_current"],
                "days": days_overdue(w.facts["due_current"], today),
            }
            for w in overdue_items(open_items, today)
        ]
    return {
        "items": items,
        "overdue": sorted(late, key=lambda w: w["item"]),
        "status": out.get("status"),
        "declared": out.get("declared"),
        "designated": out.get("designated"),
        "target": out.get("target"),
        "plan": out.get("plan", {}),
        "predicate": out.get("predicate"),
        "transitions": [{"step": m.step, "on": m.on, "index": m.index} for m in moves],
        "stages": _stages(moves),
    }


def _stages(moves: Iterable[Transition]) -> dict[str, dict[str, Any]]:
    """The latest transition to each step of the path and each outcome: what a unit page
    shows as its stage dates (`registry.read.lifecycle.unit_status`)."""
    latest = {m.step: {"on": m.on, "index": m.index} for m in moves}
    return {s: latest[s] for s in (*PATH, *OUTCOMES) if s in latest}

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
from typing import Any, get_type_hints

from registry.rules import changes as ch
from registry.rules.lifecycle import STATUSES, apply_changes, next_status
from registry.rules.state import Lifecycle, Predicate, Proposal, TpiResult

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
        predicate=Predicate("WBK", "2030-01-01", "x"),
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
    return rule


def rules_table() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "statuses": list(STATUSES),
        "next_status": {
            (current or ""): {step: next_status(current, step) for step in STEPS}
            for current in (None, *STATUSES)
        },
        "ops": {op: _op_rule(cls) for op, cls in sorted(ch.CHANGES.items())},
    }


def table_text() -> str:
    return json.dumps(rules_table(), indent=1, sort_keys=True) + "\n"


def interpret(changes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """What the rules derive from a unit's lifecycle changes: status, stages, target, plan,
    predicate, and every status transition (step, date, entry)."""
    lc, moves = apply_changes("u", Lifecycle(), tuple(ch.change_from_json(c) for c in changes))
    out = lc.to_json()
    return {
        "status": out.get("status"),
        "declared": out.get("declared"),
        "designated": out.get("designated"),
        "target": out.get("target"),
        "plan": out.get("plan", {}),
        "predicate": out.get("predicate"),
        "transitions": [{"step": m.step, "on": m.on, "index": m.index} for m in moves],
    }

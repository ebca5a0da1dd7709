"""How a statement's body becomes lifecycle changes, as data: the one description both the
registry (here) and the browser's check (web/static/verify/rules.js) run.

A type's `Derivation` is a list of `ChangeRule`s. A rule makes one change `op` (for each
element of `each`, if given, and only where `when` holds) to the agency `to` names, with each
field of the change computed by an expression. Expressions are JSON objects with one operator
key: `{"body": [path], "default": v}` (a value of the body; `default` if a key is missing),
`{"item": [path]}` (of the element `each` is at), `{"statement": "agency" | "seq" | "hash"}`,
`{"const": v}`, `{"list": [e, ...]}`, `{"object": {name: e}}`, `{"map": e, "key": [path],
"value": [path]}` (a list of objects to a mapping), `{"pluck": e, "path": [path],
"skip_empty": bool}` (a list of objects to a list of values), `{"if": e, "then": e, "else": e}`,
`{"eq": [e, e]}`, `{"in": [e, e]}`, `{"and": [e, ...]}`, `{"not": e}` and `{"not_empty": e}`.
The change is read from its JSON form by `changes.change_from_json`, so the field names are
the stored ones. A revocation's voiding (`Voiding`) is data the same way.
`registry/rules/export.py` writes every type's derivation into rules.json.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from events import Statement
from registry.rules import signing
from registry.rules.changes import Change, change_from_json
from registry.rules.facts import Facts
from registry.rules.records import Invalidation

Expr = Mapping[str, Any]


def _walk(value: Any, path: Sequence[str], default: Any = ..., *, has_default: bool) -> Any:
    for key in path:
        if has_default and (not isinstance(value, Mapping) or key not in value):
            return default
        value = value[key]
    return value


def evaluate(e: Expr, st: Statement, item: Any = None) -> Any:
    """The value of expression `e` for statement `st` (at element `item` of an `each`)."""
    if "body" in e:
        return _walk(st.body, e["body"], e.get("default"), has_default="default" in e)
    if "item" in e:
        return _walk(item, e["item"], has_default=False)
    if "statement" in e:
        return {"agency": st.agency, "seq": st.seq, "hash": st.hash}[e["statement"]]
    if "const" in e:
        return e["const"]
    if "list" in e:
        return [evaluate(x, st, item) for x in e["list"]]
    if "object" in e:
        return {k: evaluate(x, st, item) for k, x in e["object"].items()}
    if "map" in e:
        found = evaluate(e["map"], st, item)
        return {_walk(x, e["key"], has_default=False): _walk(x, e["value"], has_default=False)
                for x in found}  # fmt: skip
    if "pluck" in e:
        values = [_walk(x, e["path"], has_default=False) for x in evaluate(e["pluck"], st, item)]
        return [v for v in values if v] if e.get("skip_empty") else values
    if "if" in e:
        return evaluate(e["then"] if evaluate(e["if"], st, item) else e["else"], st, item)
    if "eq" in e:
        a, b = (evaluate(x, st, item) for x in e["eq"])
        return a == b
    if "in" in e:
        a, b = (evaluate(x, st, item) for x in e["in"])
        return a in b
    if "and" in e:
        return all(evaluate(x, st, item) for x in e["and"])
    if "not" in e:
        return not evaluate(e["not"], st, item)
    if "not_empty" in e:
        return bool(evaluate(e["not_empty"], st, item))
    raise ValueError(f"unknown expression {sorted(e)}")


@dataclass(frozen=True)
class ChangeRule:
    """One change `op` to the agency `to` names, with `fields` (for each element of `each`,
    where `when` holds)."""

    op: str
    to: Expr
    fields: Mapping[str, Expr]
    each: Expr | None = None
    when: Expr | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "to": self.to, "fields": dict(self.fields)}
        if self.each is not None:
            out["each"] = self.each
        if self.when is not None:
            out["when"] = self.when
        return out

    def apply(self, st: Statement, index: int) -> list[tuple[str, Change]]:
        items = evaluate(self.each, st) if self.each is not None else [None]
        out = []
        for item in items:
            if self.when is not None and not evaluate(self.when, st, item):
                continue
            values = {k: evaluate(x, st, item) for k, x in self.fields.items()}
            out.append(
                (
                    evaluate(self.to, st, item),
                    change_from_json({"op": self.op, "index": index, **values}),
                )
            )
        return out


@dataclass(frozen=True)
class Derivation:
    """A type's changes (`TypeRules.changes`) as data: its rules, applied in order."""

    rules: tuple[ChangeRule, ...] = ()

    def __call__(self, st: Statement, index: int) -> list[tuple[str, Change]]:
        return [found for rule in self.rules for found in rule.apply(st, index)]

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.rules]


def derive(*rules: ChangeRule) -> Derivation:
    return Derivation(tuple(rules))


@dataclass(frozen=True)
class Voiding:
    """A revocation's `TypeRules.voids` as data: the key `keyid` names, revoked from the moment
    `effective_from` names, voids what it signed since then (`signing.invalidated`)."""

    keyid: Expr
    effective_from: Expr

    def __call__(self, st: Statement, index: int, facts: Facts) -> list[Invalidation]:
        keyid, start = evaluate(self.keyid, st), evaluate(self.effective_from, st)
        return signing.invalidated(st.agency, keyid, start, index, facts.signatures(keyid))

    def to_json(self) -> dict[str, Any]:
        return {"keyid": self.keyid, "effective_from": self.effective_from}


# Shorthands for the table's entries.
def body(*path: str, **default: Any) -> Expr:
    return {"body": list(path), **default}


def item(*path: str) -> Expr:
    return {"item": list(path)}


def const(value: Any) -> Expr:
    return {"const": value}


AGENCY: Expr = {"statement": "agency"}
SEQ: Expr = {"statement": "seq"}
HASH: Expr = {"statement": "hash"}


def day_step(date_field: str) -> Derivation:
    """A building statement that only dates a step of its agency's building."""
    return derive(ChangeRule("building", AGENCY, {"on": body(date_field)}))


def about(op: str, **fields: Expr) -> Derivation:
    """One change `op` to the unit the body names."""
    return derive(ChangeRule(op, body("unit"), fields))

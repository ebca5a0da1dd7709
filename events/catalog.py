"""The catalog of statement types: what each type is, and the one place types are registered.

A statement type is data: a name, a bilingual title, a JSON Schema (draft 2020-12) for `body`,
the roles whose keys may sign it, optional stateless rules (`events.checks`) and one example
body. `register` checks a declaration when it is made (the schema against the metaschema,
every object closed with `additionalProperties: false`, the example against the schema), so a
broken type fails at import, not on an agency's first submission. The built-in declarations
live in `events/types/`, one module per stage; adding a type is one `register(StatementType(
...))` there (docs/adding-a-statement-type.md). Rules that need the log (who holds which key,
what came before) belong to the registry (`registry/rules/`), not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jsonschema.protocols import Validator

from .checks import NotAfterIssue
from .errors import StatementError
from .fragments import ROLES
from .model import Statement
from .regulations import REGULATIONS
from .schema import compile_schema, validate

Rule = Callable[[Statement], None]

_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


@dataclass(frozen=True, eq=False)
class StatementType:
    """One kind of statement: what its body looks like, who may sign it, what must hold."""

    name: str
    title: Mapping[str, str]
    body_schema: Mapping[str, Any]
    signer_roles: frozenset[str]
    rules: tuple[Rule, ...] = ()
    example: Mapping[str, Any] | None = field(default=None, repr=False)
    # Roles that may add their signature to the same envelope from another agency the
    # statement names (unit heads countersigning a declaration); see docs/design-decisions.md.
    cosigner_roles: frozenset[str] = frozenset()
    # What the registry checks with the log's state, in words, for the catalog document.
    registry_rules: tuple[str, ...] = ()
    stage: str = "identity"

    @cached_property
    def validator(self) -> Validator:
        return compile_schema(self.body_schema)

    @cached_property
    def fact_date(self) -> str | None:
        """The body field dating the fact the statement records ("declared_on"): the one its
        `not_after_issue` rule checks; None for types that carry no such date."""
        for rule in self.rules:
            if isinstance(rule, NotAfterIssue):
                return rule.field
        return None

    def check_body(self, body: object) -> None:
        """Raise the first way `body` breaks this type's schema (pointers under /body)."""
        validate(self.validator, body, "/body")

    def check_rules(self, statement: Statement) -> None:
        for rule in self.rules:
            rule(statement)


CATALOG: dict[str, StatementType] = {}


def register(t: StatementType) -> StatementType:
    """Add `t` to `CATALOG` after checking the declaration itself; returns `t`."""
    if not _TYPE_NAME.fullmatch(t.name):
        raise ValueError(f"statement type name {t.name!r} is not dotted lower-case words")
    if t.name in CATALOG:
        raise ValueError(f"statement type {t.name!r} is already registered")
    if set(t.title) != {"id", "en"}:
        raise ValueError(f"{t.name}: title needs exactly 'id' and 'en'")
    if not t.signer_roles or not t.signer_roles <= ROLES:
        raise ValueError(f"{t.name}: signer roles must be a non-empty subset of {sorted(ROLES)}")
    if not t.cosigner_roles <= ROLES:
        raise ValueError(f"{t.name}: cosigner roles must be a subset of {sorted(ROLES)}")
    _require_closed(t.body_schema, t.name)
    t.validator  # noqa: B018  (compiles and checks the schema against the metaschema now)
    if t.example is not None:
        t.check_body(t.example)
    CATALOG[t.name] = t
    return t


def get_type(name: str) -> StatementType:
    try:
        return CATALOG[name]
    except KeyError:
        raise StatementError(
            "unknown-type", f"unknown statement type {name!r}", field="/type"
        ) from None


def _require_closed(schema: object, where: str) -> None:
    """Every object schema must say `additionalProperties: false`: unknown fields are refused,
    never signed and ignored."""
    if isinstance(schema, Mapping):
        types = schema.get("type")
        if (types == "object" or (isinstance(types, list) and "object" in types)) and schema.get(
            "additionalProperties"
        ) is not False:
            raise ValueError(f"{where}: object schema without additionalProperties: false")
        for key, sub in schema.items():
            if key == "properties" and isinstance(sub, Mapping):
                for name, prop in sub.items():
                    _require_closed(prop, f"{where}/properties/{name}")
            else:
                _require_closed(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            _require_closed(sub, f"{where}/{i}")


def describe(t: StatementType) -> dict[str, Any]:
    """The public description of a type: the catalog page and /api/v1/catalog serve this."""
    return {
        "name": t.name,
        "stage": t.stage,
        "title": dict(t.title),
        "signer_roles": sorted(t.signer_roles),
        "cosigner_roles": sorted(t.cosigner_roles),
        "body_schema": t.body_schema,
        "rules": [(r.__doc__ or r.__name__).strip().splitlines()[0] for r in t.rules],
        "registry_rules": list(t.registry_rules),
        "example": t.example,
    }


STAGES = ("identity", "commitment", "building", "assessment", "outcome", "amendment")


def catalog_json() -> dict[str, Any]:
    """Every registered type, in lifecycle order, with the regulation data they refer to."""
    ordered = sorted(CATALOG.values(), key=lambda t: STAGES.index(t.stage))
    return {
        "types": [describe(t) for t in ordered],
        "roles": sorted(ROLES),
        "regulations": {rid: r.to_json() for rid, r in sorted(REGULATIONS.items())},
    }

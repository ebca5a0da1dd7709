"""The catalog of statement types, and the building blocks their declarations share.

A statement type is data: a name, a bilingual title, a JSON Schema (draft 2020-12) for `body`,
the roles whose keys may sign it, optional stateless rules (functions of the statement alone
that raise `StatementError("rule:<name>")`) and one example body. `register` checks a
declaration when it is made (the schema against the metaschema, every object closed with
`additionalProperties: false`, the example against the schema), so a broken type fails at
import, not on an agency's first submission. The declarations live in `events.identity` and
`events.commitment`; adding a type is one `register(StatementType(...))` there. Rules that need
the log (who holds which key, what came before) belong to the registry, not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jsonschema.protocols import Validator

from .dates import parse_date
from .errors import StatementError
from .regulations import AREAS, REGULATIONS, RESULTS, TARGETS
from .schema import compile_schema, validate

if TYPE_CHECKING:
    from .statement import Statement

Rule = Callable[["Statement"], None]

ROLES = frozenset(
    {"registrar", "tpn", "agency_head", "unit_head", "operator", "tpi", "witness", "surveyor"}
)
# The registrar's keys are trust anchors published outside the log (ARCHITECTURE.md, "Trust");
# no statement may grant one, so a compromised agency key cannot mint a registrar.
KEY_ROLES = ROLES - {"registrar"}

_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
AGENCY_ID_PATTERN = r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$"

# Schema fragments. jsonschema never mutates a schema; neither may a declaration.
# Single-line text: no control characters, line separators or bidi overrides, which could make
# a public page show something other than what was signed.
_PLAIN_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
_PLAIN_TEXT = r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
AGENCY_ID: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "pattern": AGENCY_ID_PATTERN,
    "description": "an agency id: lower-case letters and digits joined by single '.' or '-'",
}
LINE: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "pattern": _PLAIN_LINE,
    "description": "one line of text, without control, line-separator or bidi characters",
}
TEXT: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 2000,
    "pattern": _PLAIN_TEXT,
    "description": "text, without control (other than newline) or bidi characters",
}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
DATE_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
SHA256_REF: dict[str, Any] = {"type": "string", "format": "sha256-ref"}
HTTPS_URL: dict[str, Any] = {
    "type": "string",
    "maxLength": 2048,
    "format": "uri",
    "pattern": "^https://",
    "description": "an https:// URL",
}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 1}
SEQ: dict[str, Any] = {"type": "integer", "minimum": 0}
# Standard base64 of exactly 32 bytes, canonical: the last data character carries 4 bits and
# 2 zero bits, so only these 16 letters can stand before the "=".
PUBLIC_KEY: dict[str, Any] = {
    "type": "string",
    "pattern": "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$",
    "description": "an Ed25519 public key: the standard base64 (with '=') of its 32 bytes",
}
KEY_ID: dict[str, Any] = {
    "type": "string",
    "pattern": "^ed25519:[0-9a-f]{32}$",
    "description": "a key id: 'ed25519:' and 32 lower-case hex digits",
}
KEY_ROLE: dict[str, Any] = {"type": "string", "enum": sorted(KEY_ROLES)}
# Roles of an organisation, not of an office inside it: only the registrar grants them
# (`role.granted`), so an agency head cannot make the agency its own assessor or witness.
ORG_ROLES = frozenset({"tpn", "tpi", "witness"})
TARGET: dict[str, Any] = {"type": "string", "enum": list(TARGETS)}
REGULATION: dict[str, Any] = {
    "type": "string",
    "enum": sorted(REGULATIONS),
    "description": "the regulation the statement was made under (events/regulations.json)",
}
# Scores are decimal strings with at most two decimals: no JSON floats are ever signed.
SCORE: dict[str, Any] = {
    "type": "string",
    "pattern": r"^(0|[1-9][0-9]?|100)(\.[0-9]{1,2})?$",
    "description": "a score from 0 to 100 as a decimal string with at most two decimals",
}
INDEX: dict[str, Any] = {
    "type": "string",
    "pattern": r"^([1-3]\.[0-9]{2}|4\.00)$",
    "description": "a survey index on the 1-4 scale with two decimals, such as 3.62",
}
PERCENT: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 100}
YEAR: dict[str, Any] = {"type": "integer", "minimum": 2014, "maximum": 2100}
ITEM_ID: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[A-Z]{2,4}-[0-9]{1,3}$",
    "description": "an action-plan item id: 2-4 capitals, '-', 1-3 digits (MP-01)",
}
AREA: dict[str, Any] = {"type": "string", "enum": list(AREAS)}
LKE_SCORES: dict[str, Any] = {
    "type": "object",
    "properties": {
        "areas": {
            "type": "object",
            "properties": {a: SCORE for a in AREAS},
            "required": list(AREAS),
            "additionalProperties": False,
        },
        "results": {
            "type": "object",
            "properties": {r: SCORE for r in RESULTS},
            "required": list(RESULTS),
            "additionalProperties": False,
        },
    },
    "required": ["areas", "results"],
    "additionalProperties": False,
}
SURVEY_INDICES: dict[str, Any] = {
    "type": "object",
    "properties": {"ipak": INDEX, "ipkp": INDEX},
    "additionalProperties": False,
}


def closed(properties: Mapping[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object schema with exactly `properties`, all required except `optional`."""
    return {
        "type": "object",
        "properties": dict(properties),
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def array(items: Mapping[str, Any], *, min_items: int = 0, max_items: int = 100) -> dict[str, Any]:
    return {"type": "array", "items": dict(items), "minItems": min_items, "maxItems": max_items}


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


# Rules shared by several types.


def documents_required(statement: Statement) -> None:
    """The statement must carry the hash of at least one signed document."""
    if not statement.documents:
        raise StatementError(
            "rule:document-required",
            f"{statement.type} must list the signed document's SHA-256 in documents",
            field="/documents",
        )


def not_after_issue(name: str) -> Rule:
    """A rule: the body's date `name` is not later than the day (at its offset) of issued_at."""

    def rule(statement: Statement) -> None:
        day = parse_date(statement.body[name], field=f"/body/{name}")
        if day > statement.issued_at.date():
            raise StatementError(
                "rule:date-after-issue",
                f"{name} {day} is later than issued_at {statement.issued_at_text}: "
                "a statement records what has happened",
                field=f"/body/{name}",
            )

    rule.__name__ = f"not_after_issue_{name}"
    rule.__doc__ = f"{name} is not later than the day of issued_at (at its offset)."
    return rule


# A run of 16 or more digits (perhaps grouped by spaces, dots or dashes) is what a NIK (16)
# or NIP (18) looks like; a key holder is named by office, never by a person's ID number.
_ID_NUMBER = re.compile(r"[0-9](?:[ .-]?[0-9]){15,}")


def refuse_repeats(values: Iterable[str], code: str, what: str, field: str) -> None:
    """Refuse the second occurrence of any value: `field` is a JSON Pointer with `{i}` for its
    position, `what` names the value in the message ("unit", "item", ...)."""
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise StatementError(code, f"{what} {value!r} is listed twice", field=field.format(i=i))
        seen.add(value)


def refuse_id_number(text: str, field: str) -> None:
    """Refuse text that looks like a NIK or NIP: offices are named, never persons' ID numbers."""
    if _ID_NUMBER.search(text):
        raise StatementError(
            "rule:personal-id-number",
            "looks like a personal ID number (NIK/NIP); name the office, not the person",
            field=field,
        )


# A pointer at another statement in the log: whose chain, where, and the hash to be sure.
STATEMENT_REF = closed({"agency": AGENCY_ID, "seq": SEQ, "hash": SHA256_REF})
OWN_STATEMENT_REF = closed({"seq": SEQ, "hash": SHA256_REF})


def scores_within_weights(where: str = "scores") -> Rule:
    """A rule: each LKE component in `body[where]` is at most its weight in the named
    regulation (events/regulations.json)."""

    def rule(statement: Statement) -> None:
        from decimal import Decimal

        body = statement.body
        if where not in body:
            return
        reg = REGULATIONS[body["regulation"]]
        for group, weights in (("areas", reg.areas), ("results", reg.results)):
            for name, weight in weights.items():
                value = Decimal(body[where][group][name])
                if value > weight:
                    raise StatementError(
                        "rule:score-exceeds-weight",
                        f"{name} scores {value}, more than its weight {weight} under {reg.id}",
                        field=f"/body/{where}/{group}/{name}",
                    )

    rule.__name__ = f"scores_within_weights_{where}"
    return rule


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

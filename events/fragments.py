"""Schema fragments and vocabularies the statement types are built from.

Pieces of JSON Schema (draft 2020-12) shared by the type declarations in `events/types/`:
agency ids, one line and free text without control or bidi characters, dates, hashes, URLs,
keys and key ids, roles, targets, regulations, scores and survey indices, action-plan items,
references to earlier statements; and `closed` / `array` to build objects that refuse unknown
fields. Pure data: jsonschema never mutates a schema; neither may a declaration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .regulations import AREAS, REGULATIONS, RESULTS, TARGETS

ROLES = frozenset(
    {"registrar", "tpn", "agency_head", "unit_head", "operator", "tpi", "witness", "surveyor"}
)
# The registrar's keys are trust anchors published outside the log (ARCHITECTURE.md, "Trust");
# no statement may grant one, so a compromised agency key cannot mint a registrar.
KEY_ROLES = ROLES - {"registrar"}
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


# A pointer at another statement in the log: whose chain, where, and the hash to be sure.
STATEMENT_REF = closed({"agency": AGENCY_ID, "seq": SEQ, "hash": SHA256_REF})

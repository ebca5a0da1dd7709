"""JSON Schema (draft 2020-12) checking of statement bodies, with Pakta's error codes.

Body schemas are public data that other tools may run, so the rules must mean the same here
as in an ECMA-262 validator: `pattern` is compiled so that `$` means end of text (Python's `$`
also matches before a final newline) and `\\d` means ASCII digits. `format` is not optional
here: "date", "date-time", "uri" and Pakta's "sha256-ref" are checked by our own functions.
The first error (shallowest field, then type, required, additional, then the rest) becomes one
`StatementError` with the JSON Pointer of the field. A compiled validator (jsonschema-rs, ~30×
faster here) runs first as a fast path that may only say "valid": it is given the same
`pattern` and `format` functions, and anything else it says sends the instance through the
full jsonschema path, which alone words the error. A schema itself is checked against the
metaschema the same way (`check_schema`: the compiled check may only say "valid").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any, cast
from urllib.parse import urlsplit

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend

from .canonical import parse_sha256_ref
from .dates import parse_date, parse_datetime
from .errors import StatementError, pointer, show

FORMATS = FormatChecker(formats=())
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_PRIORITY = {"type": 0, "required": 1, "additionalProperties": 2, "unevaluatedProperties": 2}
_LIMITS = {
    "minLength": "at least {} characters long",
    "maxLength": "at most {} characters long",
    "minItems": "a list of at least {} items",
    "maxItems": "a list of at most {} items",
    "minimum": "at least {}",
    "maximum": "at most {}",
}
_JSON_TYPES = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object"}


@FORMATS.checks("date", raises=StatementError)
def _date(instance: object) -> bool:
    if isinstance(instance, str):
        parse_date(instance)
    return True


@FORMATS.checks("date-time", raises=StatementError)
def _date_time(instance: object) -> bool:
    if isinstance(instance, str):
        parse_datetime(instance)
    return True


@FORMATS.checks("sha256-ref", raises=StatementError)
def _sha256_ref(instance: object) -> bool:
    if isinstance(instance, str):
        parse_sha256_ref(instance)
    return True


@FORMATS.checks("uri", raises=StatementError)
def _uri(instance: object) -> bool:
    if isinstance(instance, str):
        parts = urlsplit(instance) if _URI_CHARS.fullmatch(instance) else None
        if parts is None or not parts.scheme or not parts.netloc:
            raise StatementError(
                "bad-value", f"{show(instance)} is not an absolute URI (RFC 3986, ASCII)"
            )
    return True


@lru_cache(maxsize=256)
def _ecma(pattern: str) -> re.Pattern[str]:
    """Compile an ECMA-262 pattern so that Python matches what a JavaScript validator does."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "$":
            c = r"\Z"  # ECMA-262 `$` without the m flag: end of input, never before a "\n"
        out.append(c)
        i += 1
    return re.compile("".join(out), re.ASCII)


def _pattern(
    validator: Validator, pattern: str, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _ecma(pattern).search(instance):
        yield ValidationError(f"{show(instance)} does not match {pattern}")


# jsonschema's `extend` is untyped; the result is a Draft202012Validator subclass.
_Validator: type[Validator] = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, validators={"pattern": _pattern}
)


class _EcmaPattern:
    """`pattern` for the compiled validator: the very regex the full path uses (`_ecma`)."""

    def __init__(self, parent_schema: object, value: str, schema_path: object) -> None:
        self._regex = _ecma(value)

    def validate(self, instance: object) -> None:
        if isinstance(instance, str) and not self._regex.search(instance):
            raise ValueError("pattern")


def _fast_format(name: str) -> Callable[[str], bool]:
    check = FORMATS.checkers[name][0]

    def valid(value: str) -> bool:
        try:
            return bool(check(value))
        except StatementError:
            return False

    return valid


_FAST_FORMATS = {name: _fast_format(name) for name in FORMATS.checkers}
# The compiled twin of each validator `compile_schema` made, by id (the pair keeps the
# validator alive, so its id is never reused while the entry stands).
_FAST: dict[int, tuple[Validator, jsonschema_rs.Validator]] = {}


_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _regexes(value: object) -> Iterator[str]:
    """Every string a `pattern` keyword or a `patternProperties` key in `value` could be
    (some may not be keywords: a superset is only stricter)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "pattern" and isinstance(item, str):
                yield item
            if key == "patternProperties" and isinstance(item, dict):
                yield from (k for k in item if isinstance(k, str))
            yield from _regexes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _regexes(item)


def check_schema(schema: Mapping[str, Any]) -> None:
    """Raise jsonschema's `SchemaError` unless `schema` is a valid draft 2020-12 schema.

    The compiled metaschema check runs first and may only say "valid": it checks no `regex`
    format, so each pattern is compiled here as jsonschema's check does (`re.compile`), and
    anything else goes through jsonschema's own check, which alone words the error. The
    catalog's schemas are checked at every process start (an audit's workers too): ~0.2 s
    of CPU in jsonschema, under 1 ms compiled."""
    if "$schema" not in schema:
        try:
            fast = jsonschema_rs.meta.is_valid({"$schema": _DRAFT_2020_12, **schema})
            for pattern in _regexes(dict(schema)) if fast else ():
                re.compile(pattern)
        except Exception:  # noqa: BLE001  (a regex, or anything it cannot read: the full check)
            fast = False
        if fast:
            return
    _Validator.check_schema(dict(schema))


def compile_schema(schema: Mapping[str, Any]) -> Validator:
    """A validator for `schema`, after checking the schema itself against the metaschema."""
    check_schema(schema)
    validator = _Validator(schema, format_checker=FORMATS)
    try:
        fast = jsonschema_rs.Draft202012Validator(
            dict(schema),
            formats=_FAST_FORMATS,
            validate_formats=True,
            keywords={"pattern": _EcmaPattern},
        )
    except (jsonschema_rs.ValidationError, ValueError, TypeError):
        return validator  # no fast path for this schema: the full path checks everything
    _FAST[id(validator)] = (validator, fast)
    return validator


def _fast_valid(validator: Validator, instance: object) -> bool:
    found = _FAST.get(id(validator))
    if found is None or found[0] is not validator:
        return False
    try:
        return found[1].is_valid(instance)
    except Exception:  # e.g. a lone surrogate it cannot encode: let the full path decide
        return False


def validate(validator: Validator, instance: object, base: str) -> None:
    """Raise the first schema error in `instance` (found at JSON Pointer `base`)."""
    if _fast_valid(validator, instance):
        return
    errors = list(validator.iter_errors(cast(Any, instance)))
    if not errors:
        return
    best = min(errors, key=lambda e: (len(e.absolute_path), _PRIORITY.get(str(e.validator), 9)))
    raise _to_statement_error(best, base)


def _to_statement_error(error: ValidationError, base: str) -> StatementError:
    path = list(error.absolute_path)
    where = pointer(path, base)
    keyword = str(error.validator)
    value = error.instance
    if keyword == "required" and isinstance(value, dict):
        missing = next(p for p in cast(list[str], error.validator_value) if p not in value)
        return StatementError(
            "missing-field",
            f"missing required field {missing!r}",
            field=pointer([*path, missing], base),
        )
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = next(k for k in value if k not in allowed)
        return StatementError(
            "extra-field",
            f"field {show(extra)} is not allowed here (allowed: {', '.join(allowed) or 'none'})",
            field=pointer([*path, extra], base),
        )
    if keyword == "type":
        expected = error.validator_value
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        found = "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)
        return StatementError("wrong-type", f"expected {wanted}, found {found}", field=where)
    if keyword == "format" and isinstance(error.cause, StatementError):
        return StatementError(error.cause.code, error.cause.message, field=where)
    if keyword in ("enum", "const"):
        expected = error.validator_value
        allowed_values = cast(list[object], expected if keyword == "enum" else [expected])
        return StatementError(
            "bad-value",
            f"{show(value)} is not one of: {', '.join(map(str, allowed_values))}",
            field=where,
        )
    if keyword in ("minLength", "minItems") and error.validator_value == 1:
        return StatementError("bad-value", "must not be empty", field=where)
    if keyword in _LIMITS:
        size = len(value) if isinstance(value, str | list) else value
        limit = _LIMITS[keyword].format(error.validator_value)
        return StatementError("bad-value", f"must be {limit}, found {size}", field=where)
    hint = error.schema.get("description") if isinstance(error.schema, Mapping) else None
    if keyword == "pattern" and isinstance(hint, str):
        return StatementError("bad-value", f"{show(value)} is not {hint}", field=where)
    return StatementError("bad-value", f"{keyword}: {error.message[:200]}", field=where)

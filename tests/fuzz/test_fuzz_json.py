"""Fuzz targets for `events`: strict JSON (`strict_loads`, `canonical_json`), statements
(`parse_statement`) and RFC 3339 dates. Only `StatementError` may escape; what is accepted is
plain and round-trips; valid inputs parse back to themselves."""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from fuzz_support import FUZZ, blobs, mutated_bytes, mutated_text, only, texts
from hypothesis import given
from hypothesis import strategies as st

from events import (
    CATALOG,
    MAX_SAFE_INTEGER,
    StatementError,
    canonical_json,
    format_datetime,
    parse_date,
    parse_datetime,
    parse_statement,
    strict_loads,
)

JSON_SEEDS = [
    b'{"a": [1, -2, true, false, null, "x\\u00e9\\ud83d\\ude00"], "b": {"c": ""}}',
    b"[0, 9007199254740991, -9007199254740991]",
    '{"\u00e9": "\u2014", "k": [[], {}]}'.encode(),
    b'"\\"\\\\\\/\\b\\f\\n\\r\\t"',
]


def _dates(value: object) -> list[str]:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return [value]
    if isinstance(value, dict):
        return [d for v in value.values() for d in _dates(v)]
    if isinstance(value, list):
        return [d for v in value for d in _dates(v)]
    return []


def _statement(type_name: str) -> bytes:
    """A statement of the type's own example body, issued the day after its latest date."""
    example = CATALOG[type_name].example
    latest = max(_dates(example), default="2024-06-01")
    day = date.fromisoformat(latest) + timedelta(days=1)
    obj = {
        "type": type_name,
        "agency": "bps-3315",
        "seq": 1,
        "prev": "sha256:" + "ab" * 32,
        "issued_at": f"{day.isoformat()}T10:00:00+08:00",
        "body": copy.deepcopy(example),
        "documents": [
            {"name": "Piagam", "sha256": "sha256:" + "cd" * 32, "media_type": "application/pdf"}
        ],
    }
    return canonical_json(obj)


STATEMENTS = [p for p in map(_statement, CATALOG) if only(StatementError, parse_statement, p)]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(max_size=10)
)
plain = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
any_json = st.recursive(
    scalars | st.floats() | st.integers() | texts(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts(), inner, max_size=4),
    max_leaves=20,
)


def _accepted_is_plain(data: bytes) -> None:
    doc = only(StatementError, strict_loads, data)
    if doc is not None or data.strip() == b"null":
        # Whatever strict_loads accepts is plain: it has canonical bytes that read back the same.
        assert strict_loads(canonical_json(doc)) == doc


def test_the_statement_seeds_parse() -> None:
    assert len(STATEMENTS) >= len(CATALOG) // 2, sorted(CATALOG)


@FUZZ
@given(blobs())
def test_strict_loads_any_bytes(data: bytes) -> None:
    _accepted_is_plain(data)


@FUZZ
@given(mutated_bytes(JSON_SEEDS + STATEMENTS))
def test_strict_loads_mutated(data: bytes) -> None:
    _accepted_is_plain(data)


@FUZZ
@given(plain)
def test_plain_documents_round_trip(doc: object) -> None:
    data = canonical_json(doc)
    assert strict_loads(data) == doc
    assert canonical_json(strict_loads(data)) == data
    # RFC 8785 is json.dumps with sorted keys for these documents, up to key order above U+FFFF.
    assert json.loads(data) == doc


@FUZZ
@given(any_json)
def test_canonical_json_refuses_with_statement_error_only(obj: Any) -> None:
    data = only(StatementError, canonical_json, obj)
    if data is not None:
        assert strict_loads(data) == obj


@FUZZ
@given(st.one_of(blobs(), mutated_bytes(STATEMENTS, max_edits=2)))
def test_parse_statement(data: bytes) -> None:
    statement = only(StatementError, parse_statement, data)
    if statement is not None:
        assert statement.payload == data  # the registry never re-encodes what was signed


@FUZZ
@given(
    st.sampled_from(sorted(CATALOG)),
    st.dictionaries(
        st.sampled_from(["type", "agency", "seq", "prev", "issued_at", "body", "documents"]),
        any_json,
    ),
)
def test_parse_statement_of_odd_fields(type_name: str, fields: dict[str, Any]) -> None:
    obj = json.loads(_statement(type_name)) | fields
    data = only(StatementError, canonical_json, obj)
    if data is not None:
        only(StatementError, parse_statement, data)


def test_valid_statements_round_trip() -> None:
    for payload in STATEMENTS:
        statement = parse_statement(payload)
        assert statement.payload == payload == canonical_json(strict_loads(payload))


DATE_SEEDS = ["2024-06-01", "2024-02-29", "0001-01-01", "9999-12-31"]
DATETIME_SEEDS = [
    "2024-06-01T09:30:00+08:00",
    "2024-06-01T01:30:00Z",
    "2020-06-17T10:00:00.123456789-03:30",
    "9999-12-31T23:59:59Z",
]


@FUZZ
@given(st.one_of(texts(), mutated_text(DATE_SEEDS + DATETIME_SEEDS)))
def test_dates(text: str) -> None:
    day = only(StatementError, parse_date, text)
    if day is not None:
        assert day.isoformat() == text
    moment = only(StatementError, parse_datetime, text)
    if moment is not None:
        assert moment.utcoffset() is not None
        assert parse_datetime(format_datetime(moment)) == moment


@FUZZ
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(None)
    ),
    st.integers(-23 * 60 - 59, 23 * 60 + 59),
)
def test_datetimes_round_trip(moment: datetime, minutes: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    text = format_datetime(aware)
    assert parse_datetime(text) == aware
    assert format_datetime(parse_datetime(text)) == text
    assert parse_date(aware.date().isoformat()) == aware.date()

"""The compiled validator (jsonschema-rs) is only a fast path: every body, valid or not, gets
exactly the answer the full jsonschema path gives (accepted, or the same error code, message
and JSON Pointer). Checked on every catalog type's example, on the edge cases where two
regex or format engines differ, and on many random changes of the examples."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsonschema_rs
import pytest
from events_samples import json_values
from hypothesis import given, settings
from hypothesis import strategies as st

from events import CATALOG, StatementError
from events import schema as schema_module
from events.schema import validate

TYPES = sorted(CATALOG)


@contextmanager
def full_path_only() -> Iterator[None]:
    saved = dict(schema_module._FAST)
    schema_module._FAST.clear()
    try:
        yield
    finally:
        schema_module._FAST.update(saved)


def outcome(type_name: str, body: object) -> tuple[str, str, str | None] | None:
    try:
        validate(CATALOG[type_name].validator, body, "/body")
    except StatementError as e:
        return (e.code, str(e), e.field)
    return None


def both(type_name: str, body: object) -> tuple[object, object]:
    fast = outcome(type_name, body)
    with full_path_only():
        slow = outcome(type_name, body)
    return fast, slow


@pytest.mark.parametrize("name", TYPES)
def test_every_example_takes_the_fast_path(name: str) -> None:
    statement_type = CATALOG[name]
    assert statement_type.example is not None
    assert schema_module._fast_valid(statement_type.validator, dict(statement_type.example))
    assert both(name, dict(statement_type.example)) == (None, None)


def _strings(example: Any) -> Iterator[list[Any]]:
    if isinstance(example, dict):
        for k, v in example.items():
            for path in _strings(v):
                yield [k, *path]
    elif isinstance(example, list):
        for i, v in enumerate(example):
            for path in _strings(v):
                yield [i, *path]
    elif isinstance(example, str):
        yield []


def _set(body: Any, path: list[Any], value: object) -> Any:
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


# Where a Rust regex, a JavaScript one and Python's can part ways, and where format checkers do.
EDGES = [
    "x\n", "\n", "ab\nc", "٣", "MP-٠١", "MP-01\n", "\u2028", "\u202e", "\ud800", "\x00",
    "2024-02-30", "2024-13-01", "2024-01-01T00:00:00", "2024-01-01t00:00:00z", "2024-01-01\n",
    "http://x.example", "https://", "https://x.example/\n", "https://ex ample.org",
    "sha256:" + "A" * 64, "sha256:" + "a" * 63, "", " ", "𝟘", "ed25519:" + "0" * 31 + "٠",
    "1.00", "100.00", "100.01",
]  # fmt: skip


@pytest.mark.parametrize("name", TYPES)
def test_edge_strings_get_the_same_answer_on_both_paths(name: str) -> None:
    example = dict(CATALOG[name].example or {})
    for path in _strings(example):
        for text in EDGES:
            body = _set(example, path, text)
            fast, slow = both(name, body)
            assert fast == slow, (path, text)


JSON = json_values(max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TYPES), st.data())
def test_random_changes_get_the_same_answer_on_both_paths(name: str, data: st.DataObject) -> None:
    body: Any = copy.deepcopy(dict(CATALOG[name].example or {}))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(body) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(JSON)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=6))] = data.draw(JSON)
        elif isinstance(parent, list):
            parent.append(data.draw(JSON))
    fast, slow = both(name, body)
    assert fast == slow


def _paths(value: Any) -> Iterator[list[Any]]:
    yield []
    if isinstance(value, dict):
        for k, v in value.items():
            for p in _paths(v):
                yield [k, *p]
    elif isinstance(value, list):
        for i, v in enumerate(value):
            for p in _paths(v):
                yield [i, *p]


BAD_SCHEMAS: list[dict[str, Any]] = [
    {"type": "invalid_type"},
    {"minLength": -1},
    {"properties": {"a": {"required": "x"}}},
    {"$defs": {"a": {"type": 3}}},
    {"unevaluatedProperties": 5},
    # Regexes the compiled metaschema check does not read (its `regex` format is unchecked).
    {"type": "string", "pattern": "("},
    {"properties": {"a": {"type": "string", "pattern": "a{2,1}"}}},
    {"patternProperties": {"[": {"type": "string"}}},
    {"$schema": "http://json-schema.org/draft-07/schema#", "type": "nonsense"},
]


@pytest.mark.parametrize("schema", BAD_SCHEMAS, ids=range(len(BAD_SCHEMAS)))
def test_a_bad_schema_is_refused_as_jsonschema_refuses_it(schema: dict[str, Any]) -> None:
    """The compiled metaschema check may only say "valid": each schema jsonschema refuses
    is refused with jsonschema's own SchemaError and message."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    with pytest.raises(SchemaError) as theirs:
        Draft202012Validator.check_schema(schema)
    with pytest.raises(SchemaError) as ours:
        schema_module.check_schema(schema)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(SchemaError):
        schema_module.compile_schema(schema)


def test_every_catalog_schema_passes_the_compiled_metaschema_check() -> None:
    """The fast path is taken for the catalog's schemas (the point of it: every process
    checks them at start), and jsonschema agrees they are valid."""
    from jsonschema import Draft202012Validator

    for name in TYPES:
        body = dict(CATALOG[name].body_schema)
        Draft202012Validator.check_schema(body)
        assert jsonschema_rs.meta.is_valid({"$schema": schema_module._DRAFT_2020_12, **body})
        schema_module.check_schema(body)

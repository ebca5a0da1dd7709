"""Fixtures for the events tests: statements of any catalog type, as JSON or bytes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from events_samples import Edits, MakeJson, MakeStatement, edit, statement_json


@pytest.fixture
def make_json() -> MakeJson:
    """make_json(type_name, [(pointer, value), ...]) -> a statement as a dict to edit further."""

    def make(type_name: str = "zi.declared", edits: Edits = ()) -> dict[str, Any]:
        return edit(statement_json(type_name), edits)

    return make


@pytest.fixture
def make_statement() -> MakeStatement:
    """make_statement(type_name, [(pointer, value), ...]) -> payload bytes (not canonical)."""

    def make(type_name: str = "zi.declared", edits: Edits = ()) -> bytes:
        return json.dumps(edit(statement_json(type_name), edits), ensure_ascii=False).encode()

    return make

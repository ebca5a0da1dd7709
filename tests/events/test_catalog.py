"""The catalog: it holds the first types, every type's example parses, an unknown type is
refused, and `register` refuses broken declarations when they are made. (Every rule accepting one
statement and refusing one: test_catalog_rules.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from events_samples import MakeStatement

from events import (
    CATALOG,
    ROLES,
    StatementError,
    StatementType,
    get_type,
    parse_statement,
    register,
)
from events.checks import documents_required
from events.fragments import KEY_ROLES, LINE, closed

EXPECTED_TYPES = {
    "agency.registered",
    "key.added",
    "key.revoked",
    "integrity_pact.signed",
    "zi.declared",
    "zi.witnessed",
}


def test_catalog_has_the_first_types() -> None:
    assert EXPECTED_TYPES <= set(CATALOG)
    assert get_type("zi.declared").signer_roles == {"agency_head"}
    assert get_type("zi.witnessed").signer_roles == {"witness"}
    assert get_type("agency.registered").signer_roles == {"registrar"}
    assert "registrar" not in KEY_ROLES and KEY_ROLES < ROLES


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_example_parses(make_statement: MakeStatement, name: str) -> None:
    t = CATALOG[name]
    assert t.example is not None and set(t.title) == {"id", "en"}
    assert t.signer_roles <= ROLES
    st = parse_statement(make_statement(name))
    assert st.body == t.example


def test_unknown_type() -> None:
    with pytest.raises(StatementError) as info:
        get_type("zi.imagined")
    assert (info.value.code, info.value.field) == ("unknown-type", "/type")


@pytest.fixture
def scratch_type() -> Iterator[str]:
    name = "test.scratch"
    yield name
    CATALOG.pop(name, None)


def test_adding_a_type_is_one_declaration(make_statement: MakeStatement, scratch_type: str) -> None:
    register(
        StatementType(
            name=scratch_type,
            title={"id": "Uji", "en": "Test"},
            body_schema=closed({"note": LINE}),
            signer_roles=frozenset({"operator"}),
            rules=(documents_required,),
            example={"note": "halo"},
        )
    )
    payload = make_statement("zi.declared", [("/type", scratch_type), ("/body", {"note": "halo"})])
    assert parse_statement(payload).body == {"note": "halo"}
    with pytest.raises(StatementError) as info:
        parse_statement(make_statement("zi.declared", [("/type", scratch_type)]))
    # Missing fields are named before unexpected ones at the same level.
    assert (info.value.code, info.value.field) == ("missing-field", "/body/note")


def declaration(**changes: Any) -> StatementType:
    fields: dict[str, Any] = {
        "name": "test.scratch",
        "title": {"id": "Uji", "en": "Test"},
        "body_schema": closed({"note": LINE}),
        "signer_roles": frozenset({"operator"}),
        "example": {"note": "halo"},
    }
    return StatementType(**{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "zi.declared"}, "already registered"),
        ({"name": "Scratch"}, "dotted lower-case"),
        ({"title": {"id": "Uji"}}, "title"),
        ({"signer_roles": frozenset({"mayor"})}, "signer roles"),
        ({"signer_roles": frozenset()}, "signer roles"),
        ({"body_schema": {"type": "object", "properties": {"a": LINE}}}, "additionalProperties"),
        (
            {"body_schema": closed({"a": {"type": "object", "properties": {}}})},
            "additionalProperties",
        ),
        (
            {"body_schema": {"type": "object", "additionalProperties": False, "minProperties": -1}},
            "-1",
        ),
    ],
)
def test_register_refuses_broken_declarations(
    scratch_type: str, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(Exception) as info:
        register(declaration(**changes))
    assert message in str(info.value)
    assert "test.scratch" not in CATALOG


def test_register_checks_the_example(scratch_type: str) -> None:
    with pytest.raises(StatementError) as info:
        register(declaration(example={"note": ""}))
    assert (info.value.code, info.value.field) == ("bad-value", "/body/note")
    assert scratch_type not in CATALOG

"""Statement templates (events/template.py, `pakta new`): for every catalog type, the skeleton
covers every field of the served example, every place to fill is explained, the skeleton
filled from the example parses, and an unfilled one is refused rather than signed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from events import CATALOG, StatementError, canonical_json, catalog_json, parse_statement
from events.template import template

TYPES = sorted(CATALOG)
CHAIN = {"seq": 3, "prev": "sha256:" + "ab" * 32, "issued_at": "2030-01-02T09:00:00+07:00"}


def fill(skeleton: object, example: object) -> object:
    """The skeleton with each null replaced by the example's value at the same place; fields
    and list elements the example does not have are left out (they are optional)."""
    if skeleton is None:
        return example
    if isinstance(skeleton, dict):
        assert isinstance(example, dict)
        assert set(example) <= set(skeleton), f"the template lacks {set(example) - set(skeleton)}"
        return {k: fill(v, example[k]) for k, v in skeleton.items() if k in example}
    if isinstance(skeleton, list):
        assert isinstance(example, list) and len(skeleton) == 1
        return [fill(skeleton[0], item) for item in example]
    assert skeleton == example
    return skeleton


def nulls(value: object, where: str = "") -> list[str]:
    if value is None:
        return [where]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nulls(v, f"{where}/{i}")]
    return []


@pytest.mark.parametrize("name", TYPES)
def test_the_template_filled_from_the_example_parses(name: str) -> None:
    found = template(name, agency="kanim-yogyakarta")
    json.dumps(found)  # plain JSON
    example = found["example"]
    served = next(t for t in catalog_json()["types"] if t["name"] == name)
    assert example["body"] == served["example"]
    filled = fill(found["statement"], example)
    assert isinstance(filled, dict)
    statement = parse_statement(canonical_json({**filled, **CHAIN}))
    assert statement.type == name and statement.agency == "kanim-yogyakarta"


@pytest.mark.parametrize("name", TYPES)
def test_every_field_is_explained(name: str) -> None:
    found = template(name)
    explained = found["fields"]
    for where in nulls(found["statement"]):
        assert where in explained, where
        entry = explained[where]
        assert entry["help"] and isinstance(entry["required"], bool)
    schema = CATALOG[name].body_schema
    for prop, sub in schema["properties"].items():
        entry = explained[f"/body/{prop}"]
        assert entry["required"] == (prop in schema.get("required", ()))
        for keyword in ("enum", "format", "minimum", "maximum"):
            if keyword in sub:
                assert entry[keyword] == sub[keyword]
        if "description" in sub:
            assert entry["help"].startswith(sub["description"])
    assert {"/seq", "/prev", "/issued_at", "/documents", "/source"} <= set(explained)
    assert found["signed_by"] == sorted(CATALOG[name].signer_roles)


@pytest.mark.parametrize("name", TYPES)
def test_an_unfilled_template_is_refused(name: str) -> None:
    found = template(name, agency="kanim-yogyakarta")
    with pytest.raises(StatementError):
        parse_statement(canonical_json({**found["statement"], **CHAIN}))


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(StatementError, match="unknown statement type"):
        template("no.such.type")


def test_a_template_names_an_enumeration_and_its_example() -> None:
    fields: dict[str, Any] = template("key.added")["fields"]
    assert fields["/body/role"]["enum"] == sorted(CATALOG["key.added"].body_schema["properties"]
                                                  ["role"]["enum"])  # fmt: skip
    assert fields["/body/role"]["example"] == "unit_head"
    assert "one of:" in fields["/body/role"]["help"]

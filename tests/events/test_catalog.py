"""The catalog: every type's example parses, every rule accepts one and refuses one, and
`register` refuses broken declarations when they are made."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from events_samples import MakeStatement

import events
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


# (rule code, statement type, edits that still pass, edits that break the rule, field)
RULES: list[tuple[str, str, list[tuple[str, Any]], list[tuple[str, Any]], str]] = [
    (
        "rule:signatories-exceed-staff",
        "integrity_pact.signed",
        [("/body/signatories", 430)],
        [("/body/signatories", 431)],
        "/body/signatories",
    ),
    (
        "rule:document-required",
        "integrity_pact.signed",
        [],
        [("/documents", ...)],
        "/documents",
    ),
    (
        "rule:date-after-issue",
        "integrity_pact.signed",
        [("/body/signed_on", "2024-06-02")],
        [("/body/signed_on", "2024-06-03")],
        "/body/signed_on",
    ),
    (
        "rule:date-after-issue",
        "zi.declared",
        # 2024-06-02T23:30:00+08:00 is still 2 June where it was issued, though 3 June in UTC+9
        [("/body/declared_on", "2024-06-02"), ("/issued_at", "2024-06-02T23:30:00+08:00")],
        [("/body/declared_on", "2024-06-03"), ("/issued_at", "2024-06-02T23:30:00+08:00")],
        "/body/declared_on",
    ),
    (
        "rule:date-after-issue",
        "zi.witnessed",
        [("/body/witnessed_on", "2024-06-02")],
        [("/body/witnessed_on", "2025-01-01")],
        "/body/witnessed_on",
    ),
    (  # issue 12: records imported by the registrar (events/types/historical.py)
        "rule:date-after-issue",
        "zi.declaration_recorded",
        [("/body/source_date", "2024-06-02")],
        [("/body/source_date", "2024-06-03")],
        "/body/source_date",
    ),
    (
        "rule:self-witness",
        "zi.witnessed",
        [("/agency", "ombudsman-sulteng")],
        [("/agency", "pemprov-sulteng")],
        "/body/declaration/agency",
    ),
    (
        "rule:own-parent",
        "agency.registered",
        [("/body/parent", "pemprov-jateng")],
        [("/body/parent", "bps-3315")],
        "/body/parent",
    ),
    (
        # Without keys only when recorded from a public source (pakta import).
        "rule:keys-or-source",
        "agency.registered",
        [("/body/keys", []), ("/source", "https://www.example.org/berita/pencanangan")],
        [("/body/keys", [])],
        "/body/keys",
    ),
    (
        "rule:duplicate-public-key",
        "agency.registered",
        [
            (
                "/body/keys/-",
                {
                    "public_key": "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=",
                    "role": "unit_head",
                    "holder": "Sekretaris Daerah",
                },
            )
        ],
        [
            (
                "/body/keys/-",
                {
                    "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                    "role": "unit_head",
                    "holder": "Sekretaris Daerah",
                },
            )
        ],
        "/body/keys/1/public_key",
    ),
    (  # a key of small order speaks for no one (keys/strict.py): here the identity point
        "rule:weak-public-key",
        "agency.registered",
        [("/body/keys/0/public_key", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")],
        [("/body/keys/0/public_key", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")],
        "/body/keys/0/public_key",
    ),
    (  # x = 0 with its sign bit set: not a canonical encoding (RFC 8032 §5.1.3)
        "rule:weak-public-key",
        "key.added",
        [("/body/public_key", "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=")],
        [("/body/public_key", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA=")],
        "/body/public_key",
    ),
    (
        "rule:personal-id-number",
        "agency.registered",
        [("/body/keys/0/holder", "Bupati Sukoharjo periode 2021-2024")],
        [("/body/keys/0/holder", "Bupati, NIK 3311 0123 4567 0001")],
        "/body/keys/0/holder",
    ),
    (
        "rule:personal-id-number",
        "key.added",
        [("/body/holder", "Kepala Bidang 2 Seksi 3")],
        [("/body/holder", "198507112010011003")],
        "/body/holder",
    ),
    # The lifecycle types (DOMAIN.md catalog): one passing and one failing edit per rule.
    (
        "rule:tpi-needs-scope",
        "role.granted",
        [("/body/scope", ["pemprov-a", "pemprov-b"])],
        [("/body/scope", ...)],
        "/body/scope",
    ),
    (
        "rule:scope-only-for-tpi",
        "role.granted",
        [("/body/role", "witness"), ("/body/scope", ...)],
        [("/body/role", "witness")],
        "/body/scope",
    ),
    (
        "rule:date-after-issue",
        "unit.designated",
        [("/body/designated_on", "2024-12-11")],
        [("/body/designated_on", "2030-01-01")],
        "/body/designated_on",
    ),
    (
        "rule:duplicate-unit",
        "zi.declared",
        [("/body/units/-", {"name": "Bappeda", "agency": "bappeda-x"})],
        [
            ("/body/units/0/agency", "bappeda-x"),
            ("/body/units/-", {"name": "Bappeda", "agency": "bappeda-x"}),
        ],
        "/body/units/1",
    ),
    (
        "rule:document-required",
        "work_team.established",
        [],
        [("/documents", ...)],
        "/documents",
    ),
    (
        "rule:duplicate-item",
        "action_plan.published",
        [("/body/items/1/id", "PP-02")],
        [("/body/items/1/id", "MP-01")],
        "/body/items/1",
    ),
    (
        "rule:personal-id-number",
        "action_plan.published",
        [("/body/items/0/responsible", "Kepala Seksi 2")],
        [("/body/items/0/responsible", "NIP 198507112010011003")],
        "/body/items/0/responsible",
    ),
    (
        "rule:empty-revision",
        "action_plan.revised",
        [("/body/redated", []), ("/body/cancelled", [{"item": "MP-01", "reason": "Batal"}])],
        [("/body/redated", [])],
        "/body",
    ),
    (
        "rule:item-changed-twice",
        "action_plan.revised",
        [("/body/cancelled", [{"item": "MP-02", "reason": "Batal"}])],
        [("/body/cancelled", [{"item": "MP-01", "reason": "Batal"}])],
        "/body",
    ),
    (
        "rule:done-not-complete",
        "action_item.progress_reported",
        [("/body/status", "in_progress"), ("/body/percent", 60)],
        [("/body/percent", 60)],
        "/body/percent",
    ),
    (
        "rule:evidence-required",
        "action_item.progress_reported",
        [("/body/status", "in_progress"), ("/documents", ...)],
        [("/documents", ...)],
        "/documents",
    ),
    (
        "rule:period-reversed",
        "monitoring.reported",
        [("/body/period/to", "2025-01-01")],
        [("/body/period/to", "2024-12-31")],
        "/body/period/from",
    ),
    (
        "rule:date-after-issue",
        "survey.published",
        [("/body/published_on", "2025-04-02")],
        [("/body/published_on", "2030-01-01")],
        "/body/published_on",
    ),
    (
        "rule:score-exceeds-weight",
        "self_assessment.submitted",
        [("/body/scores/areas/pengawasan", "15")],
        [("/body/scores/areas/pengawasan", "15.01")],
        "/body/scores/areas/pengawasan",
    ),
    (
        "rule:score-exceeds-weight",
        "internal_evaluation.completed",
        [("/body/scores/results/kinerja", "5.00")],
        [("/body/scores/results/kinerja", "5.5")],
        "/body/scores/results/kinerja",
    ),
    (
        "rule:period-reversed",
        "submission_window.announced",
        [("/body/opens_on", "2025-05-31")],
        [("/body/opens_on", "2025-06-01"), ("/body/deadline", "2025-05-31")],
        "/body/opens_on",
    ),
    (
        "rule:deadline-outside-year",
        "submission_window.announced",
        [("/body/deadline", "2025-12-31")],
        [("/body/deadline", "2026-01-02")],
        "/body/deadline",
    ),
    (
        "rule:duplicate-unit",
        "proposal.submitted",
        [],
        [
            (
                "/body/units/-",
                {
                    "unit": "dpmptsp-sultra",
                    "target": "WBK",
                    "internal_evaluation": {"agency": "i", "seq": 1, "hash": "sha256:" + "1" * 64},
                },
            )
        ],
        "/body/units/1/unit",
    ),
    (
        "rule:scores-required",
        "national_evaluation.recorded",
        [("/body/stage", "pre_evaluation"), ("/body/scores", ...)],
        [("/body/stage", "desk"), ("/body/scores", ...)],
        "/body/scores",
    ),
    (
        "rule:self-evaluation-wbbm",
        "predicate.awarded",
        [("/body/route", "self_evaluation")],
        [("/body/route", "self_evaluation"), ("/body/predicate", "WBBM")],
        "/body/predicate",
    ),
    (
        "rule:no-self-evaluation-route",
        "predicate.awarded",
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/awarded_on", "2023-12-08")],
        [
            ("/body/regulation", "permenpanrb-90-2021"),
            ("/body/awarded_on", "2023-12-08"),
            ("/body/route", "self_evaluation"),
        ],
        "/body/regulation",
    ),
    (
        "rule:scope-on-withdrawal",
        "role.changed",
        [("/body/change", "withdrawn"), ("/body/scope", ...)],
        [("/body/change", "withdrawn")],
        "/body/scope",
    ),
    (
        "rule:scope-only-for-tpi",
        "role.changed",
        [("/body/role", "witness"), ("/body/change", "withdrawn"), ("/body/scope", ...)],
        [("/body/role", "witness")],
        "/body/role",
    ),
    (
        "rule:tpi-needs-scope",
        "role.changed",
        [],
        [("/body/scope", ...)],
        "/body/scope",
    ),
    (
        "rule:regulation-not-in-force",
        "proposal.submitted",
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/submitted_on", "2024-02-29")],
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/submitted_on", "2024-03-01")],
        "/body/regulation",
    ),
    (
        "rule:regulation-not-in-force",
        "national_evaluation.recorded",
        [],
        [("/body/regulation", "permenpanrb-5-2024"), ("/body/evaluated_on", "2024-02-29")],
        "/body/regulation",
    ),
    (
        "rule:date-after-issue",
        "predicate.not_awarded",
        [("/body/decided_on", "2025-12-11")],
        [("/body/decided_on", "2030-01-01")],
        "/body/decided_on",
    ),
    (
        "rule:document-required",
        "predicate.revoked",
        [],
        [("/documents", ...)],
        "/documents",
    ),
    (
        "rule:no-self-evaluation-route",
        "self_evaluation.granted",
        [],
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/granted_on", "2023-02-03")],
        "/body/regulation",
    ),
    (
        "rule:target-not-earlier",
        "statement.corrected",
        [("/body/target/seq", 0)],
        [("/body/target/seq", 1)],
        "/body/target/seq",
    ),
    (
        "rule:target-not-earlier",
        "statement.retracted",
        [("/seq", 5), ("/body/target/seq", 4)],
        [("/seq", 5), ("/body/target/seq", 5)],
        "/body/target/seq",
    ),
]


@pytest.mark.parametrize(
    ("code", "type_name", "passing", "failing", "field"),
    RULES,
    ids=[f"{r[1]}:{r[0]}" for r in RULES],
)
def test_rule(
    make_statement: MakeStatement,
    code: str,
    type_name: str,
    passing: list[tuple[str, Any]],
    failing: list[tuple[str, Any]],
    field: str,
) -> None:
    parse_statement(make_statement(type_name, passing))
    with pytest.raises(StatementError) as info:
        parse_statement(make_statement(type_name, failing))
    assert (info.value.code, info.value.field) == (code, field), info.value.message


def test_every_rule_code_is_tested() -> None:
    # Every "rule:<name>" the package can raise appears in RULES, with one passing and one
    # failing statement; every type that declares rules has a case.
    source = "".join(p.read_text() for p in Path(events.__file__).parent.rglob("*.py"))
    assert set(re.findall(r'"(rule:[a-z0-9-]+)"', source)) == {r[0] for r in RULES}
    assert {name for name, t in CATALOG.items() if t.rules} <= {r[1] for r in RULES}


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

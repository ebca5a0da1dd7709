"""The catalog's rules: every rule accepts one statement and refuses one, at the field it
names, and every rule code the package can raise has such a case. The cases of the first types
(agencies, keys, the integrity pact, declaring and witnessing Zona Integritas) are here; those of
the lifecycle types are in lifecycle_rule_cases.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from events_samples import MakeStatement
from lifecycle_rule_cases import LIFECYCLE_RULES, RuleCase

import events
from events import CATALOG, StatementError, parse_statement

# (rule code, statement type, edits that still pass, edits that break the rule, field)
RULES: list[RuleCase] = [
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
    *LIFECYCLE_RULES,
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

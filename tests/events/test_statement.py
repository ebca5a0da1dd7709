"""parse_statement: every refusal has an exact code and pointer; build_statement round-trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from events_samples import DOC, PREV, MakeJson, MakeStatement

from events import (
    MAX_STATEMENT_BYTES,
    Document,
    Statement,
    StatementError,
    build_statement,
    canonical_json,
    parse_statement,
    sha256_ref,
)
from events.errors import CODES

H = "sha256:" + "ef" * 32

# (id, statement type, edits as (JSON Pointer, value; ... deletes), code, field)
CASES: list[tuple[str, str, list[tuple[str, Any]], str, str | None]] = [
    ("missing type", "zi.declared", [("/type", ...)], "missing-field", "/type"),
    ("missing issued_at", "zi.declared", [("/issued_at", ...)], "missing-field", "/issued_at"),
    ("missing prev", "zi.declared", [("/prev", ...)], "missing-field", "/prev"),
    ("extra top field", "zi.declared", [("/signature", "x")], "extra-field", "/signature"),
    ("type not a string", "zi.declared", [("/type", 1)], "wrong-type", "/type"),
    ("seq is a boolean", "zi.declared", [("/seq", True)], "wrong-type", "/seq"),
    ("seq is a string", "zi.declared", [("/seq", "1")], "wrong-type", "/seq"),
    ("prev is a number", "zi.declared", [("/prev", 0)], "wrong-type", "/prev"),
    ("body is a list", "zi.declared", [("/body", [])], "wrong-type", "/body"),
    ("documents is an object", "zi.declared", [("/documents", {})], "wrong-type", "/documents"),
    ("unknown type", "zi.declared", [("/type", "zi.dreamed")], "unknown-type", "/type"),
    ("agency upper case", "zi.declared", [("/agency", "Pemkab")], "bad-value", "/agency"),
    ("agency too long", "zi.declared", [("/agency", "a" * 65)], "bad-value", "/agency"),
    ("agency trailing newline", "zi.declared", [("/agency", "bps-3315\n")], "bad-value", "/agency"),
    ("negative seq", "zi.declared", [("/seq", -1)], "bad-value", "/seq"),
    ("prev at seq 0", "zi.declared", [("/seq", 0)], "bad-value", "/prev"),
    ("null prev after seq 0", "zi.declared", [("/prev", None)], "bad-value", "/prev"),
    ("prev upper-case hex", "zi.declared", [("/prev", PREV.upper())], "bad-hash", "/prev"),
    ("prev sha512", "zi.declared", [("/prev", "sha512:" + "ab" * 32)], "bad-hash", "/prev"),
    (
        "issued_at no offset",
        "zi.declared",
        [("/issued_at", "2024-06-02T10:00:00")],
        "bad-date",
        "/issued_at",
    ),
    (
        "issued_at no seconds",
        "zi.declared",
        [("/issued_at", "2024-06-02T10:00+08:00")],
        "bad-date",
        "/issued_at",
    ),
    (
        "issued_at Feb 30",
        "zi.declared",
        [("/issued_at", "2024-02-30T10:00:00Z")],
        "impossible-date",
        "/issued_at",
    ),
    (
        "issued_at hour 25",
        "zi.declared",
        [("/issued_at", "2024-06-02T25:00:00Z")],
        "impossible-date",
        "/issued_at",
    ),
    ("body field missing", "zi.declared", [("/body/place", ...)], "missing-field", "/body/place"),
    ("body field extra", "zi.declared", [("/body/mayor", "x")], "extra-field", "/body/mayor"),
    ("nested extra", "zi.declared", [("/body/units/0/id", 1)], "extra-field", "/body/units/0/id"),
    ("body wrong type", "zi.declared", [("/body/units", {})], "wrong-type", "/body/units"),
    (
        "nested wrong type",
        "zi.declared",
        [("/body/units/0/agency", 7)],
        "wrong-type",
        "/body/units/0/agency",
    ),
    ("enum", "zi.declared", [("/body/target", "WBC")], "bad-value", "/body/target"),
    ("empty text", "zi.declared", [("/body/place", "")], "bad-value", "/body/place"),
    ("text too long", "zi.declared", [("/body/place", "x" * 201)], "bad-value", "/body/place"),
    ("control char", "zi.declared", [("/body/place", "Palu\nx")], "bad-value", "/body/place"),
    ("bidi override", "zi.declared", [("/body/place", "Palu\u202e")], "bad-value", "/body/place"),
    (
        "http announcement",
        "zi.declared",
        [("/body/announcements/0", "http://example.org/x")],
        "bad-value",
        "/body/announcements/0",
    ),
    (
        "not a URI",
        "zi.declared",
        [("/body/announcements/0", "https:// x")],
        "bad-value",
        "/body/announcements/0",
    ),
    (
        "body date malformed",
        "zi.declared",
        [("/body/declared_on", "1 Juni 2024")],
        "bad-date",
        "/body/declared_on",
    ),
    (
        "body date impossible",
        "zi.declared",
        [("/body/declared_on", "2024-02-30")],
        "impossible-date",
        "/body/declared_on",
    ),
    (
        "body date-time impossible",
        "key.revoked",
        [("/body/effective_from", "2024-04-31T00:00:00Z")],
        "impossible-date",
        "/body/effective_from",
    ),
    (
        "body hash",
        "zi.witnessed",
        [("/body/declaration/hash", "sha256:abc")],
        "bad-hash",
        "/body/declaration/hash",
    ),
    (
        "minimum",
        "integrity_pact.signed",
        [("/body/staff_total", 0)],
        "bad-value",
        "/body/staff_total",
    ),
    ("key role registrar", "key.added", [("/body/role", "registrar")], "bad-value", "/body/role"),
    (
        "public key not 32 bytes",
        "key.added",
        [("/body/public_key", "AAAA")],
        "bad-value",
        "/body/public_key",
    ),
    (
        "public key non-canonical",
        "key.added",
        [("/body/public_key", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURp=")],
        "bad-value",
        "/body/public_key",
    ),
    ("keyid", "key.revoked", [("/body/keyid", "ed25519:XYZ")], "bad-value", "/body/keyid"),
    # No keys is refused by a rule unless from a public source (test_catalog_rules.py:
    # keys-or-source).
    (
        "too many keys",
        "agency.registered",
        [("/body/keys", [{"public_key": "A" * 43 + "=", "role": "operator", "holder": "x"}] * 21)],
        "bad-value",
        "/body/keys",
    ),
    (
        "region code",
        "agency.registered",
        [("/body/region/kemendagri", "33.1")],
        "bad-value",
        "/body/region/kemendagri",
    ),
    (
        "document without sha256",
        "zi.declared",
        [("/documents/0/sha256", ...)],
        "missing-field",
        "/documents/0/sha256",
    ),
    (
        "document bad sha256",
        "zi.declared",
        [("/documents/0/sha256", "md5:00")],
        "bad-hash",
        "/documents/0/sha256",
    ),
    (
        "document extra",
        "zi.declared",
        [("/documents/0/size", 3)],
        "extra-field",
        "/documents/0/size",
    ),
    (
        "document media type",
        "zi.declared",
        [("/documents/0/media_type", "PDF")],
        "bad-value",
        "/documents/0/media_type",
    ),
    ("empty documents", "zi.declared", [("/documents", [])], "bad-value", "/documents"),
    (
        "shallowest error first",
        "zi.declared",
        [("/body/units/0/agency", 7), ("/body/place", ...)],
        "missing-field",
        "/body/place",
    ),
    (
        "fields before body",
        "zi.declared",
        [("/body/place", ...), ("/seq", -1)],
        "bad-value",
        "/seq",
    ),
]


@pytest.mark.parametrize(
    ("type_name", "edits", "code", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refusal(
    make_statement: MakeStatement,
    type_name: str,
    edits: list[tuple[str, Any]],
    code: str,
    field: str | None,
) -> None:
    payload = make_statement(type_name, edits)
    with pytest.raises(StatementError) as info:
        parse_statement(payload)
    assert (info.value.code, info.value.field) == (code, field), info.value.message


def good_text(make_json: MakeJson) -> str:
    return json.dumps(make_json("integrity_pact.signed"))


RAW_CASES: list[tuple[str, Any, str, str | None]] = [
    (
        "too large",
        lambda t: t.replace('"scope"', '"scope":"' + "x" * MAX_STATEMENT_BYTES + '", "x"'),
        "too-large",
        None,
    ),
    ("not utf-8", lambda t: t.replace("Seluruh", "Selur\udcffuh"), "not-utf8", None),
    ("bom", lambda t: "\ufeff" + t, "not-utf8", None),
    ("bad json", lambda t: t[:-1], "bad-json", None),
    (
        "duplicate key",
        lambda t: t.replace('"scope"', '"scope": "a", "scope"'),
        "duplicate-key",
        "/body/scope",
    ),
    (
        "float",
        lambda t: t.replace('"signatories": 412', '"signatories": 412.0'),
        "float-not-allowed",
        "/body/signatories",
    ),
    (
        "huge integer",
        lambda t: t.replace('"seq": 1', '"seq": 9007199254740992'),
        "bad-value",
        "/seq",
    ),
    ("array", lambda t: "[" + t + "]", "not-an-object", None),
    ("string", lambda t: json.dumps(t), "not-an-object", None),
]


@pytest.mark.parametrize(
    ("change", "code", "field"), [c[1:] for c in RAW_CASES], ids=[c[0] for c in RAW_CASES]
)
def test_refusal_of_raw_bytes(
    make_json: MakeJson, change: Any, code: str, field: str | None
) -> None:
    text = change(good_text(make_json))
    payload = text.encode("utf-8", errors="surrogateescape")
    with pytest.raises(StatementError) as info:
        parse_statement(payload)
    assert (info.value.code, info.value.field) == (code, field), info.value.message


def test_every_code_is_tested() -> None:
    codes = {c[3] for c in CASES} | {c[2] for c in RAW_CASES}
    assert codes == CODES


def test_statement_keeps_the_exact_bytes(make_json: MakeJson) -> None:
    # Not canonical (spaces, key order), still accepted: the signature is over these bytes.
    payload = json.dumps(make_json("zi.declared"), indent=2).encode()
    st = parse_statement(payload)
    assert st.payload == payload
    assert st.hash == sha256_ref(payload)
    assert (st.type, st.agency, st.seq, st.prev) == ("zi.declared", "bps-3315", 1, PREV)
    assert st.issued_at == datetime(2024, 6, 2, 2, 0, tzinfo=UTC)
    assert st.issued_at_text == "2024-06-02T10:00:00+08:00"
    assert st.body["target"] == "WBK"
    assert st.documents == (Document(**DOC),)
    assert st == parse_statement(payload) and hash(st) == hash(parse_statement(payload))
    assert isinstance(st, Statement)


def test_first_statement_of_a_chain(make_statement: MakeStatement) -> None:
    st = parse_statement(make_statement("agency.registered", [("/seq", 0), ("/prev", None)]))
    assert (st.seq, st.prev) == (0, None)


def test_documents_are_optional(make_statement: MakeStatement) -> None:
    assert parse_statement(make_statement("zi.declared", [("/documents", ...)])).documents == ()


def test_build_statement_is_canonical_and_parses(make_json: MakeJson) -> None:
    obj = make_json("integrity_pact.signed")
    moment = datetime(2024, 6, 2, 10, tzinfo=timezone(timedelta(hours=8)))
    payload = build_statement(
        "integrity_pact.signed", "bps-3315", 1, PREV, moment, obj["body"], [Document(**DOC)]
    )
    assert payload == canonical_json(obj)
    assert parse_statement(payload).issued_at == moment
    same = build_statement(
        "integrity_pact.signed", "bps-3315", 1, PREV, obj["issued_at"], obj["body"], [DOC]
    )
    assert same == payload


def test_build_statement_refuses_what_would_not_parse(make_json: MakeJson) -> None:
    body = make_json("zi.declared")["body"]
    with pytest.raises(StatementError) as info:
        build_statement("zi.declared", "bps-3315", 0, H, "2024-06-02T10:00:00Z", body)
    assert (info.value.code, info.value.field) == ("bad-value", "/prev")
    with pytest.raises(StatementError) as info:
        build_statement(
            "zi.declared", "bps-3315", 0, None, "2024-06-02T10:00:00Z", {**body, "x": 0.5}
        )
    assert (info.value.code, info.value.field) == ("float-not-allowed", "/body/x")
    with pytest.raises(ValueError):
        build_statement("zi.declared", "bps-3315", 0, None, datetime(2024, 6, 2), body)

"""Fuzz targets for DSSE envelopes: `Envelope.from_json` on any JSON value (only `EnvelopeError`)
and `registry.write.submission.parse_submission`, the one parse a submission gets on its way
into the log, on any bytes and on mutated signed envelopes (only `StatementError` from the JSON
and the statement, or `EnvelopeError`). Valid envelopes round-trip and still verify."""

from __future__ import annotations

import json
from typing import Any

from fuzz_support import FUZZ, blobs, fixed_key, mutated_bytes, only, texts
from hypothesis import given
from hypothesis import strategies as st
from pakta_support import PACT_DOCUMENT, Agent, pact_body, registration

from events import StatementError, build_statement, strict_loads
from keys.dsse import Envelope, EnvelopeError, Signature, pae, sign, verify_signature
from keys.ed25519 import public_bytes
from registry.write.submission import parse_submission

KEYS = [fixed_key(1), fixed_key(2)]
AGENT = Agent("pemkab-fuzz", key=KEYS[0])
PAYLOADS = [
    registration(AGENT),
    build_statement(
        "integrity_pact.signed",
        "pemkab-fuzz",
        1,
        "sha256:" + "ab" * 32,
        "2024-06-02T10:00:00+07:00",
        pact_body(),
        documents=[PACT_DOCUMENT],
    ),
]
ENVELOPES = [
    json.dumps(sign(PAYLOADS[0], KEYS[:1]).to_json()).encode(),
    json.dumps(sign(PAYLOADS[1], KEYS).to_json(), indent=1).encode(),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts(), inner, max_size=4),
    max_leaves=12,
)


def envelope_shaped() -> st.SearchStrategy[Any]:
    """Objects with the envelope's members, each holding anything (or something close)."""
    b64ish = st.one_of(texts(), st.sampled_from(["", "AA==", "AAA=", "AB==", "YQ", "-_8=", "=="]))
    signature = st.fixed_dictionaries(
        {"keyid": st.one_of(texts(), json_values), "sig": st.one_of(b64ish, json_values)},
        optional={"extra": json_values},
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "payloadType": st.one_of(texts(), json_values),
            "payload": st.one_of(b64ish, json_values),
            "signatures": st.one_of(st.lists(signature, max_size=3), json_values),
            "other": json_values,
        },
    )


@FUZZ
@given(st.one_of(json_values, envelope_shaped()))
def test_envelope_from_json(obj: Any) -> None:
    envelope = only(EnvelopeError, Envelope.from_json, obj)
    if envelope is not None:
        assert Envelope.from_json(envelope.to_json()) == envelope
        assert json.loads(json.dumps(envelope.to_json())) == obj


@FUZZ
@given(
    st.text(max_size=60),
    st.binary(max_size=100),
    st.lists(
        st.tuples(st.text(min_size=1, max_size=20), st.binary(min_size=1, max_size=70)),
        min_size=1,
        max_size=3,
        unique_by=lambda s: s[0],
    ),
)
def test_envelopes_round_trip(
    payload_type: str, payload: bytes, sigs: list[tuple[str, bytes]]
) -> None:
    envelope = Envelope(payload_type, payload, tuple(Signature(k, s) for k, s in sigs))
    data = json.dumps(envelope.to_json()).encode()
    assert Envelope.from_json(strict_loads(data)) == envelope


@FUZZ
@given(st.one_of(blobs(), mutated_bytes(ENVELOPES)))
def test_parse_submission(data: bytes) -> None:
    parsed = only((StatementError, EnvelopeError), parse_submission, data)
    if parsed is not None:
        envelope, statement = parsed
        assert statement.payload == envelope.payload
        for sig in envelope.signatures:  # verifying a mangled signature answers, never raises
            ok = [verify_signature(envelope, sig, public_bytes(k)) for k in KEYS]
            assert not any(ok) or envelope.payload in PAYLOADS


def test_valid_submissions_parse_and_verify() -> None:
    for data, payload in zip(ENVELOPES, PAYLOADS, strict=True):
        envelope, statement = parse_submission(data)
        assert statement.payload == payload and envelope.payload == payload
        assert all(
            any(verify_signature(envelope, s, public_bytes(k)) for k in KEYS)
            for s in envelope.signatures
        )
        assert pae(envelope.payload_type, payload).startswith(b"DSSEv1 ")

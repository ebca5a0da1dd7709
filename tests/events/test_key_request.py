"""Key requests (events/key_request.py, docs/key-request.md): strict, and proof of possession."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from events import StatementError, canonical_json
from events.key_request import FORMAT, make_request, parse_request, signing_input
from keys.dsse import PAYLOAD_TYPE as STATEMENT_TYPE
from keys.dsse import Envelope, Signature, verify_signature
from keys.ed25519 import b64, generate, key_id, public_bytes, unb64, verify
from keys.errors import VerificationError

NOW = datetime(2025, 1, 2, 2, 0, tzinfo=UTC)
NEW_AGENCY = {
    "name": "Kantor Imigrasi Kelas I TPI Yogyakarta",
    "kind": "instansi_vertikal",
    "parent": None,
    "region": {"kemendagri": "34.71", "bps": "3471", "name": "Kota Yogyakarta"},
}


def request(**kw: Any) -> dict[str, Any]:
    key = kw.pop("key", None) or generate()
    return make_request(
        key,
        kw.pop("agency", "kanim-yogyakarta"),
        kw.pop("role", "agency_head"),
        kw.pop("holder", "Kepala Kantor Imigrasi Kelas I TPI Yogyakarta"),
        NOW,
        kw.pop("new_agency", NEW_AGENCY),
    )


def test_a_request_round_trips_and_names_its_key() -> None:
    key = generate()
    document = request(key=key)
    assert document["format"] == FORMAT
    assert document["keyid"] == key_id(public_bytes(key))
    assert document["requested_at"] == "2025-01-02T02:00:00Z"
    parsed = parse_request(json.dumps(document).encode())
    assert parsed.to_json() == document
    assert parsed.grant() == {
        "public_key": b64(public_bytes(key)),
        "role": "agency_head",
        "holder": "Kepala Kantor Imigrasi Kelas I TPI Yogyakarta",
    }
    assert parse_request(request(new_agency=None)).new_agency is None


def test_the_signature_covers_the_dsse_pae_of_the_request_under_its_own_type() -> None:
    key = generate()
    document = request(key=key)
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    body = canonical_json(unsigned)
    kind = b"application/vnd.pakta.key-request+json"
    # PAE written out from DSSE protocol.md, independently of keys.dsse.pae.
    expected = b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(body), body)
    assert signing_input(unsigned) == expected
    assert verify(public_bytes(key), expected, unb64(document["signature"]))


def test_a_request_signature_is_never_a_statement_signature() -> None:
    """Domain separation: the same bytes as a statement envelope do not verify."""
    key = generate()
    document = request(key=key)
    payload = canonical_json({k: v for k, v in document.items() if k != "signature"})
    signature = Signature(key_id(public_bytes(key)), unb64(document["signature"]))
    envelope = Envelope(STATEMENT_TYPE, payload, (signature,))
    assert not verify_signature(envelope, signature, public_bytes(key))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("agency", "kanim-jakarta"),
        ("role", "operator"),
        ("holder", "Kepala Seksi"),
        ("requested_at", "2025-01-03T02:00:00Z"),
        ("new_agency", {**NEW_AGENCY, "parent": "kemenkumham"}),
    ],
)
def test_a_changed_request_fails_its_proof_of_possession(field: str, value: object) -> None:
    document = {**request(), field: value}
    with pytest.raises(VerificationError, match="does not prove that the requester holds"):
        parse_request(document)


def test_a_request_signed_by_another_key_is_refused() -> None:
    mine, theirs = request(), request()
    with pytest.raises(VerificationError):
        parse_request({**mine, "signature": theirs["signature"]})
    # Someone else's key with my key id: the key id is checked against the key first.
    with pytest.raises(StatementError, match="is not the id of public_key") as info:
        parse_request({**mine, "public_key": theirs["public_key"]})
    assert info.value.field == "/keyid"


@pytest.mark.parametrize(
    ("edit", "field", "code"),
    [
        ({"format": "pakta-key-request/v2"}, "/format", "bad-value"),
        ({"extra": 1}, "/extra", "extra-field"),
        ({"role": "registrar"}, "/role", "bad-value"),
        ({"agency": "Kanim Yogya"}, "/agency", "bad-value"),
        ({"public_key": "AAAA"}, "/public_key", "bad-value"),
        ({"signature": "AAAA"}, "/signature", "bad-value"),
        ({"requested_at": "2025-01-02"}, "/requested_at", "bad-date"),
        ({"new_agency": {**NEW_AGENCY, "kind": "kantor"}}, "/new_agency/kind", "bad-value"),
        ({"new_agency": {**NEW_AGENCY, "parent": "kanim-yogyakarta"}}, "/new_agency/parent", None),
        ({"holder": "NIP 198001012005011001"}, "/holder", "rule:personal-id-number"),
    ],
)
def test_malformed_requests_are_refused_at_the_field(
    edit: dict[str, Any], field: str, code: str | None
) -> None:
    with pytest.raises(StatementError) as info:
        parse_request({**request(), **edit})
    assert info.value.field == field
    if code is not None:
        assert info.value.code == code, info.value


def test_requests_that_are_not_json_objects_are_refused() -> None:
    for data in (b"[]", b"not json", b'{"a": 1, "a": 2}', b"x" * 9000):
        with pytest.raises(StatementError):
            parse_request(data)


def test_a_request_for_a_key_of_small_order_is_refused_as_such() -> None:
    """A key of small order (here the identity point) proves nothing: it is refused before
    its "proof of possession" (which OpenSSL alone would accept: keys/strict.py) is read."""
    weak = bytes([1]) + bytes(31)
    document = {**request(), "public_key": b64(weak), "keyid": key_id(weak)}
    with pytest.raises(StatementError) as caught:
        parse_request(json.dumps(document).encode())
    assert (caught.value.code, caught.value.field) == ("rule:weak-public-key", "/public_key")
    assert "small order" in caught.value.message

"""Tests for keys.dsse: PAE known answers, DSSE vectors, strict envelope reading, signing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys import dsse, ed25519
from keys.errors import EnvelopeError, PaktaError

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "keys" / "dsse.json").read_text(encoding="utf-8")
)
KEYS = {
    name: Ed25519PrivateKey.from_private_bytes(bytes.fromhex(k["seed"]))
    for name, k in VECTORS["keys"].items()
}


def test_pae_protocol_md_example() -> None:
    v = VECTORS["protocol_md_pae"]
    assert dsse.pae(v["payloadType"], v["payload"].encode()) == v["pae"].encode()
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_lengths_are_utf8_byte_lengths() -> None:
    assert dsse.pae("ä", b"") == b"DSSEv1 2 \xc3\xa4 0 "
    assert dsse.pae("", b"x" * 10) == b"DSSEv1 0  10 xxxxxxxxxx"


def test_rfc8032_keys_match_vector_file() -> None:
    for name, k in VECTORS["keys"].items():
        assert ed25519.public_bytes(KEYS[name]).hex() == k["public"]


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["id"])
def test_dsse_vectors(vector: dict[str, Any]) -> None:
    if "pakta" in vector:
        code = vector["pakta"].split(":")[0]
        with pytest.raises(EnvelopeError) as info:
            dsse.Envelope.from_json(vector["envelope"])
        assert info.value.code == code
        return
    env = dsse.Envelope.from_json(vector["envelope"])
    assert env.to_json() == vector["envelope"]
    # The PAE the signatures cover (the swapped vector's signature covers the original type).
    if vector["expect"] == "accept":
        assert dsse.pae(env.payload_type, env.payload).hex() == vector["pae"]
    results = [
        dsse.verify_signature(env, sig, ed25519.public_bytes(KEYS[sig.keyid]))
        for sig in env.signatures
    ]
    assert all(results) is (vector["expect"] == "accept")


def test_sign_matches_dsse_vector_deterministically() -> None:
    v = VECTORS["vectors"][0]
    payload = ed25519.unb64(v["envelope"]["payload"])
    env = dsse.sign(payload, [KEYS["A"]], payload_type=v["envelope"]["payloadType"])
    assert env.signatures[0].sig == ed25519.unb64(v["envelope"]["signatures"][0]["sig"])
    assert env.signatures[0].keyid == ed25519.key_id(ed25519.public_bytes(KEYS["A"]))


def test_sign_verify_roundtrip_and_json() -> None:
    key = ed25519.generate()
    payload = b'{"type":"pact.signed","seq":0}'
    env = dsse.sign(payload, [key])
    assert env.payload_type == dsse.PAYLOAD_TYPE == "application/vnd.pakta.statement+json"
    assert env.payload == payload
    (sig,) = env.signatures
    assert sig.keyid == ed25519.key_id(ed25519.public_bytes(key))
    assert dsse.verify_signature(env, sig, ed25519.public_bytes(key))
    as_json = env.to_json()
    assert list(as_json) == ["payloadType", "payload", "signatures"]
    assert as_json["payload"] == ed25519.b64(payload)
    assert dsse.Envelope.from_json(json.loads(json.dumps(as_json))) == env


def test_tampering_fails() -> None:
    key = ed25519.generate()
    raw = ed25519.public_bytes(key)
    env = dsse.sign(b"payload", [key])
    sig = env.signatures[0]
    tampered_payload = dsse.Envelope(env.payload_type, b"payloae", env.signatures)
    assert not dsse.verify_signature(tampered_payload, sig, raw)
    tampered_type = dsse.Envelope("application/json", env.payload, env.signatures)
    assert not dsse.verify_signature(tampered_type, sig, raw)
    for i in range(len(sig.sig)):
        flipped = bytearray(sig.sig)
        flipped[i] ^= 0x80
        assert not dsse.verify_signature(env, dsse.Signature(sig.keyid, bytes(flipped)), raw)
    assert not dsse.verify_signature(env, sig, ed25519.public_bytes(ed25519.generate()))
    assert not dsse.verify_signature(env, sig, b"short")


def test_multi_signature_and_cosigning() -> None:
    head, inspector, witness = ed25519.generate(), ed25519.generate(), ed25519.generate()
    env = dsse.sign(b"pact", [head, inspector])
    assert len(env.signatures) == 2
    cosigned = dsse.add_signature(env, witness)
    assert env.signatures == cosigned.signatures[:2]  # the original is untouched
    assert [s.keyid for s in cosigned.signatures] == [
        ed25519.key_id(ed25519.public_bytes(k)) for k in (head, inspector, witness)
    ]
    for sig, key in zip(cosigned.signatures, (head, inspector, witness), strict=True):
        assert dsse.verify_signature(cosigned, sig, ed25519.public_bytes(key))
    # A signature does not verify under a co-signer's key.
    assert not dsse.verify_signature(
        cosigned, cosigned.signatures[0], ed25519.public_bytes(witness)
    )
    assert dsse.Envelope.from_json(cosigned.to_json()) == cosigned


def test_signing_twice_with_one_key_is_refused() -> None:
    key = ed25519.generate()
    env = dsse.sign(b"p", [key])
    with pytest.raises(EnvelopeError) as info:
        dsse.add_signature(env, key)
    assert info.value.code == "duplicate-signature"
    with pytest.raises(EnvelopeError) as info:
        dsse.sign(b"p", [key, key])
    assert info.value.code == "duplicate-signature"
    with pytest.raises(EnvelopeError) as info:
        dsse.sign(b"p", [])
    assert info.value.code == "no-signatures"


GOOD: dict[str, Any] = {
    "payloadType": dsse.PAYLOAD_TYPE,
    "payload": "e30=",
    "signatures": [{"keyid": "ed25519:" + "0" * 32, "sig": ed25519.b64(b"\x01" * 64)}],
}


def _edit(path: tuple[Any, ...], value: Any = ..., delete: bool = False) -> dict[str, Any]:
    obj = copy.deepcopy(GOOD)
    target: Any = obj
    for step in path[:-1]:
        target = target[step]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return obj


REJECTIONS: list[tuple[str, object, str, str | None]] = [
    ("root-list", [GOOD], "not-an-object", None),
    ("root-string", json.dumps(GOOD), "not-an-object", None),
    ("root-null", None, "not-an-object", None),
    ("no-payloadType", _edit(("payloadType",), delete=True), "missing-field", "/payloadType"),
    ("no-payload", _edit(("payload",), delete=True), "missing-field", "/payload"),
    ("no-signatures-key", _edit(("signatures",), delete=True), "missing-field", "/signatures"),
    ("extra-top", _edit(("payloadtype",), "x"), "extra-field", "/payloadtype"),
    ("payloadType-int", _edit(("payloadType",), 1), "wrong-type", "/payloadType"),
    ("payloadType-surrogate", _edit(("payloadType",), "\ud800"), "wrong-type", "/payloadType"),
    ("payload-null", _edit(("payload",), None), "wrong-type", "/payload"),
    ("payload-bytes", _edit(("payload",), b"e30="), "wrong-type", "/payload"),
    ("payload-unpadded", _edit(("payload",), "e30"), "bad-base64", "/payload"),
    ("payload-urlsafe", _edit(("payload",), "-_-_"), "bad-base64", "/payload"),
    ("payload-space", _edit(("payload",), "e30= "), "bad-base64", "/payload"),
    ("signatures-object", _edit(("signatures",), {}), "wrong-type", "/signatures"),
    ("signatures-empty", _edit(("signatures",), []), "no-signatures", "/signatures"),
    ("signature-string", _edit(("signatures", 0), "sig"), "not-an-object", "/signatures/0"),
    (
        "no-keyid",
        _edit(("signatures", 0, "keyid"), delete=True),
        "missing-field",
        "/signatures/0/keyid",
    ),
    ("no-sig", _edit(("signatures", 0, "sig"), delete=True), "missing-field", "/signatures/0/sig"),
    ("extra-cert", _edit(("signatures", 0, "cert"), "x"), "extra-field", "/signatures/0/cert"),
    ("keyid-empty", _edit(("signatures", 0, "keyid"), ""), "missing-field", "/signatures/0/keyid"),
    ("keyid-int", _edit(("signatures", 0, "keyid"), 7), "wrong-type", "/signatures/0/keyid"),
    ("sig-list", _edit(("signatures", 0, "sig"), []), "wrong-type", "/signatures/0/sig"),
    ("sig-empty", _edit(("signatures", 0, "sig"), ""), "missing-field", "/signatures/0/sig"),
    ("sig-bad", _edit(("signatures", 0, "sig"), "AQ=="[:3]), "bad-base64", "/signatures/0/sig"),
    (
        "sig-trailing-bits",
        _edit(("signatures", 0, "sig"), "AR=="),
        "bad-base64",
        "/signatures/0/sig",
    ),
    (
        "duplicate-keyid",
        _edit(("signatures",), GOOD["signatures"] * 2),
        "duplicate-signature",
        "/signatures/1/keyid",
    ),
]


def test_good_envelope_parses() -> None:
    env = dsse.Envelope.from_json(GOOD)
    assert env.payload == b"{}"
    assert env.to_json() == GOOD


@pytest.mark.parametrize(
    ("obj", "code", "field"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_from_json_rejections(obj: object, code: str, field: str | None) -> None:
    with pytest.raises(EnvelopeError) as info:
        dsse.Envelope.from_json(obj)
    assert info.value.code == code
    assert info.value.field == field
    assert isinstance(info.value, PaktaError)
    if field is not None:
        assert field in str(info.value)  # the message names the field precisely


def test_every_code_is_exercised() -> None:
    codes = {r[2] for r in REJECTIONS}
    assert codes == {
        "not-an-object",
        "missing-field",
        "extra-field",
        "wrong-type",
        "bad-base64",
        "no-signatures",
        "duplicate-signature",
    }

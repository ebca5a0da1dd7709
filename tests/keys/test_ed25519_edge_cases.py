"""Ed25519's edge cases through both of Pakta's verifiers, and what each library says alone.

The vectors are ed25519-speccheck's (tests/vectors/keys/ed25519-speccheck.json, sources in
README.md there: the vectors of "Taming the many EdDSAs", Chalkias, Garillot, Nikolaenko,
2020) and some made here from a real key (tests/ed25519_edges.py). On this machine OpenSSL
(through `cryptography`) accepts signatures by keys of small order, with an R of small order
(the identity R over a real key included) and by a key with x = 0 and its sign bit set, and
libsodium refuses them; `keys.ed25519.verify` (cryptography) and `verify_libsodium` (libsodium)
both put `keys.strict` first, so both refuse every one of them and they never disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ed25519_edges as edges
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from keys import strict
from keys.dsse import Envelope, Signature, pae, verify_signature
from keys.ed25519 import key_id, public_bytes, verify, verify_libsodium

nacl = pytest.importorskip("nacl.bindings")

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors/keys/ed25519-speccheck.json").read_text("utf-8")
)["vectors"]
# RFC 8032 §7.1 TEST 1.
KEY = Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)


def cryptography_alone(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def libsodium_alone(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        nacl.crypto_sign_open(signature + message, public)
    except Exception:  # nacl.exceptions.BadSignatureError, or ValueError for a bad point
        return False
    return True


def libsodium(public: bytes, message: bytes, signature: bytes) -> bool:
    assert verify_libsodium is not None  # PyNaCl is a dev dependency
    return verify_libsodium(public, message, signature)


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['id']}: {v['case']}" for v in VECTORS])
def test_speccheck_vectors(vector: dict[str, Any]) -> None:
    args = [bytes.fromhex(vector[k]) for k in ("public_key", "message", "signature")]
    # What the libraries installed here say on their own (= speccheck's PyCA and LibSodium rows):
    # if this fails, a library changed its mind; read keys/strict.py again before changing it.
    assert cryptography_alone(*args) is vector["cryptography"]
    assert libsodium_alone(*args) is vector["libsodium"]
    assert verify(*args) is vector["pakta"]
    assert libsodium(*args) is vector["pakta"]


def made_here() -> list[tuple[str, bytes, bytes, bytes, bool, bool]]:
    """(case, public key, message, signature, cryptography alone, libsodium alone); Pakta
    accepts exactly what both accept."""
    public, message = public_bytes(KEY), pae("application/vnd.pakta+json", b'{"a":1}')
    good = KEY.sign(message)
    identity = edges.encode(edges.IDENTITY)
    torsion_message, torsion_signature = edges.sign_for_torsion_key(KEY, message)
    return [
        ("valid", public, message, good, True, True),
        ("S + L", public, message, edges.s_plus_l(good), False, False),
        ("R the identity", public, message, edges.identity_r(KEY, message), True, False),
        (
            "R the identity, y = p + 1",
            public,
            message,
            edges.identity_r(KEY, message, (edges.P + 1).to_bytes(32, "little")),
            False,
            False,
        ),
        (
            "R the identity, sign bit set",
            public,
            message,
            edges.identity_r(KEY, message, bytes([identity[0]]) + identity[1:31] + b"\x80"),
            False,
            False,
        ),
        (  # cofactorless, both accept: a key no key generator makes, still one verdict
            "key of mixed order",
            edges.torsion_key(KEY),
            torsion_message,
            torsion_signature,
            True,
            True,
        ),
    ]


@pytest.mark.parametrize("case", made_here(), ids=lambda c: c[0])
def test_edge_cases_over_a_real_key(case: tuple[str, bytes, bytes, bytes, bool, bool]) -> None:
    _, public, message, signature, by_cryptography, by_libsodium = case
    assert cryptography_alone(public, message, signature) is by_cryptography
    assert libsodium_alone(public, message, signature) is by_libsodium
    both = by_cryptography and by_libsodium
    assert verify(public, message, signature) is both
    assert libsodium(public, message, signature) is both


def test_the_dsse_signature_check_refuses_an_identity_r() -> None:
    """`keys.dsse.verify_signature`, what the rules call, over the PAE as the registry has it."""
    envelope = Envelope("application/vnd.pakta+json", b'{"a":1}', ())
    message = pae(envelope.payload_type, envelope.payload)
    kid = key_id(public_bytes(KEY))
    assert verify_signature(envelope, Signature(kid, KEY.sign(message)), public_bytes(KEY))
    edge = Signature(kid, edges.identity_r(KEY, message))
    assert cryptography_alone(public_bytes(KEY), message, edge.sig)
    assert not verify_signature(envelope, edge, public_bytes(KEY))


def test_the_small_order_points_are_the_curves_torsion() -> None:
    """keys.strict's list of y values is the eight points of order dividing 8, derived from
    the curve by the reference (and each of them refused as a key and as R, in every
    encoding, canonical or not)."""
    assert {y for _, y in edges.torsion()} == strict.SMALL_ORDER_Y
    encodings = list(edges.small_order_encodings())
    assert len(encodings) == 14  # 5 y values x 2 sign bits, and y = p, p + 1 x 2
    signature = bytes(64)
    for encoded in encodings:
        assert strict.public_key_refusal(encoded) is not None
        assert strict.signature_refusal(public_bytes(KEY), encoded + signature[32:]) is not None
    assert strict.public_key_refusal(public_bytes(KEY)) is None


@pytest.mark.parametrize(
    ("encoded", "why"),
    [
        (bytes(32), "is a point of small order"),
        ((1 | 1 << 255).to_bytes(32, "little"), "x = 0 with its sign bit set"),
        ((edges.P + 2).to_bytes(32, "little"), "its y is not below p"),
        (bytes(31), "is 32 bytes, got 31"),
    ],
    ids=["small order", "x = 0 signed", "y = p + 2", "31 bytes"],
)
def test_refusals_say_why(encoded: bytes, why: str) -> None:
    assert why in (strict.public_key_refusal(encoded) or "")


def test_an_s_not_below_l_is_refused_with_its_reason() -> None:
    good = KEY.sign(b"m")
    assert strict.signature_refusal(public_bytes(KEY), good) is None
    assert "S is not below L" in (
        strict.signature_refusal(public_bytes(KEY), edges.s_plus_l(good)) or ""
    )
    assert "64 bytes" in (strict.signature_refusal(public_bytes(KEY), good[:63]) or "")


_SMALL = sorted(edges.small_order_encodings())


@settings(max_examples=300, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    message=st.binary(max_size=64),
    change=st.sampled_from(["none", "bit", "small key", "small R", "S + L", "identity R"]),
    where=st.integers(0, 96 * 8 - 1),
    small=st.sampled_from(_SMALL),
)
def test_the_two_verifiers_never_disagree(
    seed: bytes, message: bytes, change: str, where: int, small: bytes
) -> None:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public, signature = public_bytes(key), key.sign(message)
    if change == "bit":
        both = bytearray(public + signature)
        both[where // 8] ^= 1 << where % 8
        public, signature = bytes(both[:32]), bytes(both[32:])
    elif change == "small key":
        public = small
    elif change == "small R":
        signature = small + signature[32:]
    elif change == "S + L":
        signature = edges.s_plus_l(signature)
    elif change == "identity R":
        signature = edges.identity_r(key, message)
    assert verify(public, message, signature) is libsodium(public, message, signature)
    if change == "none":
        assert verify(public, message, signature)

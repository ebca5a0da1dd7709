"""The Ed25519 encodings Pakta accepts, before any library does the curve arithmetic.

RFC 8032 leaves verifiers room, and libraries differ on the edge cases ("Taming the many
EdDSAs", Chalkias, Garillot, Nikolaenko, 2020; the ed25519-speccheck vectors): here OpenSSL,
through `cryptography`, accepts signatures by a public key of small order, with an R of small
order, or by a public key encoded with x = 0 and its sign bit set, all of which libsodium
refuses (tests/keys/test_ed25519_edge_cases.py). A transparency log must give one verdict
whoever checks it, so Pakta accepts only what both accept, and says so once, here, for both
verifiers (`keys.ed25519.verify` and `verify_libsodium`): S must be below L (RFC 8032 §5.1.7,
"an integer S, in the range 0 <= s < L"); R and the public key must be canonical encodings
(§5.1.3: y below p, and no sign bit on x = 0) of points that are not of small order (none of
the eight points of the torsion subgroup). Past these checks both libraries evaluate the same
cofactorless equation and compare R byte for byte, so they agree. `public_key_refusal` is the
same rule for a key being granted: anyone can make "signatures" that verify with a key of
small order, so it speaks for no one. The browser's check applies the same rule
(`refusedEd25519` in web/static/verify/common.js; tests/web/test_ed25519_node.py).
"""

from __future__ import annotations

__all__ = ["SMALL_ORDER_Y", "public_key_refusal", "signature_refusal"]

P = 2**255 - 19  # RFC 8032 §5.1: the field GF(p)
L = 2**252 + 27742317777372353535851937790883648493  # RFC 8032 §5.1: the group's prime order
_Y_MASK = 2**255 - 1  # §5.1.2: bit 255 is the sign of x, the rest is y
# The y of every point of small order: the identity (0, 1), the point of order 2 (0, -1), the
# two of order 4 (+-sqrt(-1), 0), and the four of order 8, whose doubles are of order 4: so
# -x^2 = y^2 and, on the curve, d*y^4 + 2*y^2 - 1 = 0, whose one root that is a square gives
# y and p - y. tests/keys/test_ed25519_edge_cases.py derives them again from the curve.
_ORDER_8_Y = 0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826
SMALL_ORDER_Y = frozenset({1, P - 1, 0, _ORDER_8_Y, P - _ORDER_8_Y})


def _point_refusal(encoded: bytes, what: str) -> str | None:
    """Why the 32 bytes `encoded` are not a point Pakta accepts (None: they may be)."""
    if len(encoded) != 32:
        return f"{what} is 32 bytes, got {len(encoded)}"
    n = int.from_bytes(encoded, "little")
    y, x_sign = n & _Y_MASK, n >> 255
    if y >= P:
        return f"{what} is not canonical: its y is not below p (RFC 8032 §5.1.3)"
    if y in SMALL_ORDER_Y:
        if x_sign and y in (1, P - 1):  # x = 0 has no negative (§5.1.3, step 4)
            return f"{what} is not canonical: x = 0 with its sign bit set (RFC 8032 §5.1.3)"
        return f"{what} is a point of small order"
    return None


def public_key_refusal(public_key_raw: bytes) -> str | None:
    """Why a raw public key cannot speak for anyone (None: it may; whether it is on the curve
    at all is left to the library that decodes it)."""
    return _point_refusal(public_key_raw, "the Ed25519 public key")


def signature_refusal(public_key_raw: bytes, signature: bytes) -> str | None:
    """Why `signature` by `public_key_raw` is refused whatever it signs (None: the equation
    decides)."""
    if len(signature) != 64:
        return f"an Ed25519 signature is 64 bytes, got {len(signature)}"
    if int.from_bytes(signature[32:], "little") >= L:
        return "the signature's S is not below L (RFC 8032 §5.1.7)"
    return _point_refusal(signature[:32], "the signature's R") or public_key_refusal(public_key_raw)

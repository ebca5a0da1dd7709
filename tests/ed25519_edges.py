"""Ed25519 edge cases made from a real key, and a tiny reference of the curve to check them.

The reference is written from RFC 8032 §5.1 (the field, the curve, decoding in §5.1.3 and
encoding in §5.1.2) and the twisted Edwards addition law (Bernstein, Birkner, Joye, Lange,
Peters, "Twisted Edwards Curves", 2008, with a = -1), in affine coordinates: slow, short, and
independent of the libraries under test. The constructions give signatures that are edge
cases over a key whose private half we hold (an agency's key in the registry tests):

- `s_plus_l`: a valid signature with L added to S (a non-canonical S, RFC 8032 §5.1.7);
- `identity_r`: R the identity point (of small order), S = k * a: the cofactorless equation
  holds, which OpenSSL accepts and libsodium refuses;
- `torsion_key`: the key plus a point of order 8 (a key of mixed order), and a signature by
  it that both libraries accept (k is a multiple of 8, so the torsion part vanishes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, -1, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1)
Point = tuple[int, int]


def add(a: Point, b: Point) -> Point:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return (
        (x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P,
        (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P,
    )


def times(n: int, point: Point) -> Point:
    out = IDENTITY
    while n:
        if n & 1:
            out = add(out, point)
        point, n = add(point, point), n >> 1
    return out


def sqrt(a: int) -> int | None:
    """A square root of `a` mod p, or None (p = 5 mod 8: RFC 8032 §5.1.3's method)."""
    root = pow(a, (P + 3) // 8, P)
    if root * root % P != a % P:
        root = root * SQRT_M1 % P
    return root if root * root % P == a % P else None


def on_curve(point: Point) -> bool:
    x, y = point
    return (-x * x + y * y - 1 - D * x * x * y * y) % P == 0  # -x^2 + y^2 = 1 + d x^2 y^2


def decode(encoded: bytes) -> Point | None:
    """RFC 8032 §5.1.3, strictly: None where decoding fails."""
    n = int.from_bytes(encoded, "little")
    y, sign = n & (2**255 - 1), n >> 255
    if y >= P:
        return None
    x = sqrt((y * y - 1) * pow(D * y * y + 1, -1, P))
    if x is None or (x == 0 and sign):
        return None
    return (P - x if x & 1 != sign else x) % P, y


def encode(point: Point) -> bytes:
    """RFC 8032 §5.1.2."""
    x, y = point
    return (y | (x & 1) << 255).to_bytes(32, "little")


def torsion() -> list[Point]:
    """The eight points of small order, from the curve: the identity, (0, -1) of order 2,
    (+-sqrt(-1), 0) of order 4, and the four of order 8, whose doubles are of order 4 (y = 0),
    so that -x^2 = y^2 and, on the curve, d*y^4 + 2*y^2 - 1 = 0."""
    found = {IDENTITY, (0, P - 1), (SQRT_M1, 0), (P - SQRT_M1, 0)}
    root = sqrt(1 + D)
    assert root is not None
    for y2 in ((root - 1) * pow(D, -1, P) % P, (-root - 1) * pow(D, -1, P) % P):
        y = sqrt(y2)
        if y is None:
            continue
        for yy in (y, P - y):
            for x in (SQRT_M1 * yy % P, P - SQRT_M1 * yy % P):
                found.add((x, yy))
    points = sorted(p for p in found if on_curve(p) and times(8, p) == IDENTITY)
    assert len(points) == 8  # the cofactor: this is the whole torsion subgroup
    return points


def small_order_encodings() -> Iterator[bytes]:
    """Every 32-byte string that decodes, canonically or not, to a point of small order: each
    y and y + p (when it fits in 255 bits), with the sign bit clear and set."""
    for y in sorted({y for _, y in torsion()}):
        for value in (y, y + P):
            if value < 2**255:
                for sign in (0, 1):
                    yield (value | sign << 255).to_bytes(32, "little")


def _scalar(key: Ed25519PrivateKey) -> int:
    """RFC 8032 §5.1.5: the secret scalar a (the pruned low half of SHA-512(seed))."""
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return int.from_bytes(h, "little")


def _k(r: bytes, public: bytes, message: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r + public + message).digest(), "little") % L


def public_of(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def s_plus_l(signature: bytes) -> bytes:
    s = int.from_bytes(signature[32:], "little") + L
    return signature[:32] + s.to_bytes(32, "little")


def identity_r(key: Ed25519PrivateKey, message: bytes, r: bytes = encode(IDENTITY)) -> bytes:
    """A signature whose R is `r`, an encoding of the identity: [S]B = [k]A = R + [k]A."""
    s = _k(r, public_of(key), message) * _scalar(key) % L
    return r + s.to_bytes(32, "little")


def torsion_key(key: Ed25519PrivateKey) -> bytes:
    """`key`'s public point plus a point of order 8: a key of mixed order."""
    point = decode(public_of(key))
    assert point is not None
    order_8 = next(p for p in torsion() if times(4, p) != IDENTITY)
    return encode(add(point, order_8))


def sign_for_torsion_key(key: Ed25519PrivateKey, message: bytes) -> tuple[bytes, bytes]:
    """A message (`message` and a counter) and its signature by `torsion_key(key)`: R and the
    nonce r from a real signature by `key`, S = r + k * a with k a multiple of 8."""
    real, a = key.sign(b"nonce"), _scalar(key)
    r = (int.from_bytes(real[32:], "little") - _k(real[:32], public_of(key), b"nonce") * a) % L
    public = torsion_key(key)
    for n in range(1000):
        candidate = message + str(n).encode()
        k = _k(real[:32], public, candidate)
        if k % 8 == 0:
            return candidate, real[:32] + ((r + k * a) % L).to_bytes(32, "little")
    raise AssertionError("no k divisible by 8 in 1000 tries")

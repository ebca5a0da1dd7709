"""A tiny recursive Merkle tree written straight from RFC 9162 §2.1, to cross-check the fast
code in `registry.tlog.merkle`. It shares nothing with it, not even the hash helpers; the only
concession to speed is remembering MTH of ranges it has already computed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def _hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    # "k is the largest power of two smaller than n (i.e., k < n <= 2k)".
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class ReferenceTree:
    """The Merkle Tree Hash of D_n = entries, with PATH and PROOF over its prefixes."""

    def __init__(self, entries: Sequence[bytes]) -> None:
        self.entries = list(entries)
        self._mth: dict[tuple[int, int], bytes] = {}

    def mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]), §2.1.1."""
        key = (lo, hi)
        if key not in self._mth:
            n = hi - lo
            if n == 0:
                value = _hash(b"")
            elif n == 1:
                value = _hash(b"\x00" + self.entries[lo])
            else:
                k = _k(n)
                value = _hash(b"\x01" + self.mth(lo, lo + k) + self.mth(lo + k, hi))
            self._mth[key] = value
        return self._mth[key]

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:
        """PATH(m, D[lo:hi]), §2.1.3.1, with m counted from lo."""
        n = hi - lo
        if n == 1:
            return []
        k = _k(n)
        if m < k:
            return self.path(m, lo, lo + k) + [self.mth(lo + k, hi)]
        return self.path(m - k, lo + k, hi) + [self.mth(lo, lo + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        """PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true), §2.1.4.1, for 0 < m <= n."""
        return self.subproof(m, 0, n, True)

    def subproof(self, m: int, lo: int, hi: int, b: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = _k(n)
        if m <= k:
            return self.subproof(m, lo, lo + k, b) + [self.mth(lo + k, hi)]
        return self.subproof(m - k, lo + k, hi, False) + [self.mth(lo, lo + k)]

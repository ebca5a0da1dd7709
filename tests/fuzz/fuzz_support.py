"""Shared by the parser fuzz targets: the Hypothesis settings (a few hundred examples each in
`make test`, `PAKTA_FUZZ_EXAMPLES` of them in `make fuzz-parsers`), fixed keys so that seeds are
the same on every run, and strategies that mutate valid inputs the way a hostile or broken
peer would: bytes and characters inserted, deleted, replaced or repeated, lines dropped,
repeated or swapped, ASCII digits swapped for other Unicode digits, lone surrogates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

EXAMPLES = int(os.environ.get("PAKTA_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a shared 2-core machine: timing is not what these tests are about
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that have broken parsers: digits int() reads but no ASCII parser should
# ("²" passes str.isdigit() and makes int() raise; "٣" and "３" are read as 3), lone
# surrogates (no UTF-8 encoding), controls, Unicode spaces and line breaks, the em dash of
# signature lines, BOMs, and characters that are special in the formats under test.
TRICKY = (
    "\u00b2", "\u00b9", "\u0663", "\uff13", "\U0001d7d8", "\u0b67", "\ud800", "\udfff",
    "\x00", "\x7f", "\x85", "\r", "\t", "\x0b", " ", "\xa0", "\u2028", "\u3000", "\ufeff",
    "\n", "\n\n", "\u2014", "\u2014 ", "+", "-", "=", ".", "/", "x", ".p/", "0", "00", "1",
    "9" * 20, "é", "\"", "\\", "{", "}", "[", "]", ",", ":", "\\ud800", "\\u0000", "null",
    "-0", "1e3", "1.5", "NaN", "Z", "T", "+00:00", "-00:00", "sha256:", "==", "AAAA",
)  # fmt: skip
_DIGITS = ("\u00b2", "\u0663", "\uff13", "\U0001d7d8", "\u0b67", "\u00b9")
# What broke parsers most often, drawn more often than the rest.
_HOT = ("\ud800", "\udfff", "\u00b2", "\u0663", "\n", " ", "+")


def fixed_key(n: int) -> Ed25519PrivateKey:
    """A deterministic Ed25519 key, so the valid seeds are the same on every run."""
    return Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)


def only(errors: type[BaseException] | tuple[type[BaseException], ...], fn: Callable[..., T],
         *args: Any) -> T | None:  # fmt: skip
    """`fn(*args)`, or None if it raised one of its declared `errors`; anything else escapes
    and fails the test."""
    try:
        return fn(*args)
    except errors:
        return None


def accepts(errors: type[BaseException] | tuple[type[BaseException], ...], fn: Callable[..., Any],
            *args: Any) -> bool:  # fmt: skip
    """Whether `fn(*args)` returned (for checks that return None); False if it raised one of
    its declared `errors`; anything else escapes and fails the test."""
    try:
        fn(*args)
    except errors:
        return False
    return True


def _mutate(text: str, draw: Any) -> str:
    op = draw(st.sampled_from(("insert", "delete", "replace", "repeat", "truncate", "lines",
                               "digit", "case")))  # fmt: skip
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, min(len(text), i + 8)))
    piece = draw(st.one_of(st.sampled_from(_HOT), st.sampled_from(TRICKY), st.text(max_size=3)))
    if op == "insert":
        return text[:i] + piece + text[i:]
    if op == "delete":
        return text[:i] + text[j:]
    if op == "replace":
        return text[:i] + piece + text[j:]
    if op == "repeat":
        return text[:j] + text[i:j] + text[j:]
    if op == "truncate":
        return text[:i]
    if op == "digit":
        spots = [k for k, c in enumerate(text) if "0" <= c <= "9"]
        if spots:
            k = draw(st.sampled_from(spots))
            return text[:k] + draw(st.sampled_from(_DIGITS)) + text[k + 1 :]
        return text + piece
    if op == "case":
        return text[:i] + text[i:j].swapcase() + text[j:]
    lines = text.split("\n")
    a = draw(st.integers(0, len(lines) - 1))
    b = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(("drop", "repeat", "swap")))
    if how == "drop":
        del lines[a]
    elif how == "repeat":
        lines.insert(a, lines[b])
    else:
        lines[a], lines[b] = lines[b], lines[a]
    return "\n".join(lines)


@st.composite
def mutated_text(draw: Any, seeds: Sequence[str], max_edits: int = 3) -> str:
    """One of `seeds` after 1..max_edits mutations."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, max_edits))):
        text = _mutate(text, draw)
    return text


@st.composite
def mutated_bytes(draw: Any, seeds: Sequence[bytes], max_edits: int = 3) -> bytes:
    """One of `seeds` after mutations of its text (surrogates become invalid UTF-8) and of
    its bytes (bits flipped, bytes that are not UTF-8)."""
    data = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, max_edits))):
        if draw(st.booleans()):
            text = _mutate(data.decode("utf-8", "surrogateescape"), draw)
            data = text.encode("utf-8", "surrogatepass")
        elif data:
            k = draw(st.integers(0, len(data) - 1))
            flipped = data[k] ^ (1 << draw(st.integers(0, 7)))
            byte = draw(st.one_of(st.integers(0, 255), st.just(flipped)))
            data = data[:k] + bytes([byte]) + data[k + 1 :]
    return data


def texts() -> st.SearchStrategy[str]:
    """Any text, lone surrogates and the tricky characters included."""
    return st.one_of(
        st.text(max_size=200),
        st.lists(st.sampled_from(TRICKY), max_size=12).map("".join),
        st.text(st.characters(exclude_categories=()), max_size=50),
    )


def blobs() -> st.SearchStrategy[bytes]:
    """Any bytes, and any text encoded (with lone surrogates as invalid UTF-8)."""
    return st.one_of(
        st.binary(max_size=300), texts().map(lambda t: t.encode("utf-8", "surrogatepass"))
    )

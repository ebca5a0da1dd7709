"""Why a statement was refused, in a form a machine and a person can both act on.

Every refusal in `events` is a `StatementError` with a stable `code` from `CODES` (or a
`rule:<name>` code from a statement type's rules), the RFC 6901 JSON Pointer of the offending
field when there is one, and a message that names the exact problem. The registry passes the
code and pointer through to its RFC 9457 problem responses, so clients can point at the field.
"""

from __future__ import annotations

from collections.abc import Iterable

from keys.errors import PaktaError

CODES = frozenset(
    {
        "too-large",
        "not-utf8",
        "bad-json",
        "duplicate-key",
        "not-an-object",
        "unknown-type",
        "missing-field",
        "extra-field",
        "wrong-type",
        "bad-value",
        "bad-date",
        "impossible-date",
        "bad-hash",
        "float-not-allowed",
    }
)
RULE_PREFIX = "rule:"


class StatementError(PaktaError):
    """A statement (or a JSON document meant to be signed) is not acceptable."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        if code not in CODES and not code.startswith(RULE_PREFIX):
            raise ValueError(f"unknown StatementError code {code!r}")
        super().__init__(message if field is None else f"{field}: {message}")
        self.code = code
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"StatementError({self.code!r}, {self.message!r}, field={self.field!r})"


def pointer(parts: Iterable[str | int], base: str = "") -> str:
    """The RFC 6901 JSON Pointer of `parts` below `base` ("" is the whole document)."""
    # RFC 6901 §3: "~" is written "~0" and "/" is written "~1", in that order.
    return base + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def show(value: object, limit: int = 60) -> str:
    """A short repr of a client's value for an error message (never echo 64 KiB back)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

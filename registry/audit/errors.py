"""The audit's one error: the log (or what serves it) failed verification."""

from __future__ import annotations

from typing import Any

from keys.errors import VerificationError


class AuditError(VerificationError):
    """The log failed verification; `index` names the first bad entry when there is one."""

    def __init__(self, message: str, index: int | None = None, **kw: Any) -> None:
        super().__init__(message if index is None else f"entry {index}: {message}", **kw)
        self.index = index


class FetchError(AuditError):
    """A path could not be read from the source."""

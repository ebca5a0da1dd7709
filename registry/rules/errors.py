"""The registry's refusals: a rule broken, or a chain not extended.

They carry a stable `code` naming the rule, never an HTTP status: `web/errors.py` alone decides
how a refusal is answered over HTTP. Both the registry (at append) and the auditor (replaying
the log) raise them from the same pure rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keys.errors import PaktaError

if TYPE_CHECKING:  # only for the annotation; state.py does not import this module
    from registry.rules.state import AgencyHead


class RuleError(PaktaError):
    """A statement breaks a rule of the registry; `code` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ConflictError(RuleError):
    """The statement does not extend the agency's current head (stale, forked or repeated);
    `head` is that current head, so a client can rebuild its statement."""

    def __init__(self, code: str, message: str, head: AgencyHead | None = None) -> None:
        super().__init__(code, message)
        self.head = head


class AgencyNotFound(PaktaError):
    """No agency with this id is registered in the log."""

    def __init__(self, agency: str) -> None:
        super().__init__(f"no agency {agency!r} is registered")
        self.agency = agency

"""The registry's refusals: a rule broken (422) or a chain not extended (409).

They live apart from `policy` so that `policy` and `lifecycle`, the two pure rule modules the
registry and the auditor share, can both raise them; `policy` re-exports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keys.errors import PaktaError

if TYPE_CHECKING:
    from registry.rules.policy import AgencyHead


class RuleError(PaktaError):
    """A statement breaks a rule of the registry; `code` names the rule."""

    status = 422

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ConflictError(RuleError):
    """The statement does not extend the agency's current head (stale, forked or repeated)."""

    status = 409

    def __init__(self, code: str, message: str, head: AgencyHead | None = None) -> None:
        super().__init__(code, message)
        self.head = head

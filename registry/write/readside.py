"""What the append hands the read model, and what it asks of it, inside its transaction.

The write side never imports the read model: `registry.service` gives the `Registry` a
`ReadSide` (the read model's projector) whose `begin` opens a `ReadBatch` for one append; each
accepted statement is handed over as an `Appended` (the rules' outcome, its envelope, the time
written into its entry, its leaf hash), and the batch commits its rows with the append.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from keys.dsse import Envelope
from registry.rules.facts import Facts
from registry.rules.replay import Outcome


@dataclass(frozen=True)
class Appended:
    """An accepted statement as the read side receives it: the rules' outcome, its envelope,
    the time the registry wrote into its entry and the entry's RFC 9162 leaf hash (hex)."""

    outcome: Outcome
    envelope: Envelope
    received_at: str
    leaf_hash: str


class ReadBatch(Protocol):
    """The read model's side of one append transaction."""

    @property
    def facts(self) -> Facts: ...

    def project(self, appended: Appended) -> None: ...

    def send_early(self, session: Session) -> None:
        """Queue now the rows projected so far that nothing later in the batch changes or
        reads back (the append sends them ahead while it checks its next statements)."""
        ...

    def commit(self, session: Session) -> None:
        """Write the batch's rows and record as the read side's position the notification id
        of the last event stored, which is its last entry's (the append lock orders every
        event's insert), worked out by the database as it writes it."""
        ...


class ReadSide(Protocol):
    """What the append needs from the read model, inside its transaction."""

    def begin(self, session: Session, size: int) -> ReadBatch | None:
        """The read side of this transaction; None when its rows are behind the log."""
        ...

    def last_index(self) -> Any:
        """A scalar SQL expression: the index of the last entry the rows hold (NULL if none),
        for the append to read with the log's last entry in one query."""
        ...

    def begin_at(self, session: Session, size: int, last_index: int | None) -> ReadBatch | None:
        """`begin`, given what `last_index` read in this transaction."""
        ...

    def facts(self, session: Session) -> Facts:
        """The rules' facts when the rows are behind (they will be replayed anyway)."""
        ...

    def catch_up(self) -> int: ...

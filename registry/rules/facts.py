"""What the warning rules may ask about the log so far, and the in-memory answer to it.

Warnings need a few facts beyond one agency's head: the submission window of a year, how many
units an agency proposed that year, a unit's latest scores, and who signed what with a key.
`Facts` is that question; `MemoryFacts` answers it from the records a replay yields (the
auditor, and the read model's rebuild), and the read model answers it from the tables it
keeps those same records in (`registry.read.facts`). Both are fed the same typed records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from registry.rules.records import ProposalMade, Record, Score, Signature, Window


class Facts(Protocol):
    def window(self, year: int) -> Window | None:
        """The first submission window announced for `year`, if any."""
        ...

    def proposals(self, agency: str, year: int) -> int:
        """How many units `agency` has proposed for `year`."""
        ...

    def latest_scores(self, unit: str) -> Score | None:
        """The unit's latest TPN scores, else its latest TPI scores (None: no scores)."""
        ...

    def signatures(self, keyid: str) -> Sequence[Signature]:
        """Every signature made with `keyid`, in log order."""
        ...


@dataclass
class MemoryFacts:
    """`Facts` over records kept in memory, in the order they are added."""

    windows: dict[int, Window] = field(default_factory=dict)
    proposed: dict[tuple[str, int], int] = field(default_factory=dict)
    scores: dict[tuple[str, str], Score] = field(default_factory=dict)  # (unit, source)
    signed: dict[str, list[Signature]] = field(default_factory=dict)

    def add(self, records: Iterable[Record], signatures: Iterable[Signature] = ()) -> None:
        for r in records:
            if isinstance(r, Window):
                self.windows.setdefault(r.year, r)
            elif isinstance(r, ProposalMade):
                key = (r.by, r.year)
                self.proposed[key] = self.proposed.get(key, 0) + 1
            elif isinstance(r, Score) and r.scores is not None:
                self.scores[(r.subject, r.source)] = r
        for s in signatures:
            self.signed.setdefault(s.keyid, []).append(s)

    def window(self, year: int) -> Window | None:
        return self.windows.get(year)

    def proposals(self, agency: str, year: int) -> int:
        return self.proposed.get((agency, year), 0)

    def latest_scores(self, unit: str) -> Score | None:
        return self.scores.get((unit, "tpn")) or self.scores.get((unit, "tpi"))

    def signatures(self, keyid: str) -> Sequence[Signature]:
        return self.signed.get(keyid, [])

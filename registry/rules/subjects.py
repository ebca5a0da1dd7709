"""Which log entries affect which subjects (agencies and units): the subject chains.

A subject chain (docs/subject-map.md) is the ordered list of every entry that affects one
agency or unit: its own statements, and statements by others about it (attestations, TPI
results, TPN evaluations, awards, revocations, corrections). It is read off the same replay
`Outcome` the rules compute for the entry, so the registry, the auditor and the read model
agree by construction. `SubjectChains` keeps the chains' states and the subject map of
`registry.tlog.subjectmap` as entries are replayed in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from registry.rules.records import Window
from registry.rules.replay import Outcome
from registry.tlog.subjectmap import MAP_VERSION, Hash, SubjectMap, SubjectState, first_state

# The reserved subject of a year's submission windows (map version 2): every entry that
# announces a window for the year, the records `Facts.window` reads, in log order. The ':'
# keeps it apart from every agency id (events/fragments.py AGENCY_ID_PATTERN).
WINDOW_SUBJECT = "window:"


def window_subject(year: int) -> str:
    return f"{WINDOW_SUBJECT}{year}"


def affected(outcome: Outcome, version: int = MAP_VERSION) -> tuple[str, ...]:
    """The subjects an accepted entry affects, in a fixed order: its own agency, the
    agencies it is about, the agencies whose state it changed, the agencies whose entries it
    invalidated, and (map version 2) the year of each submission window it announces; each
    once."""
    found: list[str] = [*outcome.subjects]
    found += [agency for agency, _ in outcome.effects]
    found += [v.agency for v in outcome.invalidated]
    if version >= 2:
        found += [window_subject(r.year) for r in outcome.records if isinstance(r, Window)]
    return tuple(dict.fromkeys(found))


def advance(state: SubjectState | None, index: int, leaf: Hash) -> SubjectState:
    """The subject's state after entry `index` (with RFC 9162 leaf hash `leaf`) joins it."""
    return first_state(index, leaf) if state is None else state.extend(index, leaf)


@dataclass
class SubjectChains:
    """Every subject chain of a log replayed in order, and the map that commits them."""

    map: SubjectMap = field(default_factory=SubjectMap)
    chains: dict[str, list[int]] = field(default_factory=dict)
    size: int = 0

    def add(self, index: int, leaf: Hash, subjects: Iterable[str]) -> list[str]:
        """Entry `index` affects `subjects`; returns them."""
        if index != self.size:
            raise ValueError(f"entry {index} replayed after entry {self.size - 1}")
        changed = list(dict.fromkeys(subjects))
        for subject in changed:
            self.map.set(subject, advance(self.map.states.get(subject), index, leaf))
            self.chains.setdefault(subject, []).append(index)
        self.size = index + 1
        return changed

    def add_outcome(self, outcome: Outcome, leaf: Hash) -> list[str]:
        return self.add(outcome.index, leaf, affected(outcome))

    def root(self, version: int = MAP_VERSION) -> Hash:
        return self.map.root(version)

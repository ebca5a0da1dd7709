"""The audit's replay of the entries, in log order: the registry's own rules over an in-memory
state (`registry.rules.replay.Replayer`), each entry's index and `prev` link, the validity of
every signature's key at its time, the subject chains, and each agency's stored history pages
compared with what the log implies. Its state is what `pakta audit --state` saves and resumes
(`registry.audit.snapshot`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Container
from datetime import datetime
from typing import Any

from keys.errors import PaktaError
from registry.audit import histories
from registry.audit.errors import AuditError, FetchError
from registry.audit.fetching import Fetch
from registry.audit.pool import Parsed
from registry.rules.lifecycle import Transition
from registry.rules.records import Invalidation, Record, Warning
from registry.rules.replay import Replayer
from registry.rules.state import AgencyHead
from registry.rules.subjects import SubjectChains
from registry.tlog import merkle
from registry.tlog.subjectmap import MAP_VERSION, SubjectMap, SubjectState


class Replay:
    """Re-applies the registry's rules to each entry in order, as the registry did: the same
    `registry.rules.replay` functions, over an in-memory state."""

    def __init__(self, registrar_keys: dict[str, bytes]) -> None:
        self.rules = Replayer(registrar_keys)
        self.size = 0
        self.leaves = merkle.CompactRange()
        self.prev: str | None = None
        self.received: datetime | None = None
        self.signatures = 0
        self.warnings: list[Warning] = []
        self.invalidated: list[Invalidation] = []
        self.transitions: list[Transition] = []
        self.records: list[Record] = []
        self.new_effects: Counter[str] = Counter()  # this run's, by agency
        # The subject chains (docs/subject-map.md) and the map roots after each size, of
        # each map version: map_roots[n][v - 1].
        self.chains = SubjectChains()
        self.map_roots: list[list[bytes] | None] = [[SubjectMap().root()] * MAP_VERSION]
        # The sizes whose map root this run needs (None: every size); the others stay None.
        self.roots_at: Container[int] | None = None

    SAVED = ("size", "leaves", "prev", "received", "signatures", "warnings", "invalidated",
             "transitions", "records")  # fmt: skip

    def fields(self) -> dict[str, Any]:
        """The state to save (`registry.audit.snapshot`) for the next run to go on from."""
        chains = {s: (st.count, st.head, st.last_index) for s, st in self.chains.map.states.items()}
        return {
            "rules": self.rules,
            **{name: getattr(self, name) for name in self.SAVED},
            "subject_chains": (chains, self.chains.chains, self.map_roots),
        }

    @classmethod
    def from_fields(cls, fields: dict[str, Any], registrar_keys: dict[str, bytes]) -> Replay:
        rules = fields["rules"]
        if not isinstance(rules, Replayer) or dict(rules.registrar_keys) != registrar_keys:
            raise ValueError("the saved state was replayed with other registrar keys")
        replay = cls(registrar_keys)
        replay.rules = rules
        for name in cls.SAVED:
            setattr(replay, name, fields[name])
        if replay.leaves.size != replay.size:
            raise ValueError("the saved state does not hold its tree's edge")
        states, chains, roots = fields["subject_chains"]
        replay.chains = SubjectChains(
            SubjectMap({s: SubjectState(*st) for s, st in states.items()}),
            {s: list(ix) for s, ix in chains.items()},
            replay.size,
        )
        replay.map_roots = [None if r is None else list(r) for r in roots]
        last = replay.map_roots[-1]
        if last is None or replay.chains.root() != last[-1] or len(roots) != replay.size + 1:
            raise ValueError("the saved state's subject chains are not its map's")
        return replay

    @property
    def heads(self) -> dict[str, AgencyHead]:
        return self.rules.heads

    def checked(self, index: int, parsed: Parsed) -> None:
        """Replay entry `index` as a worker parsed it, raising as the sequential order would."""
        try:
            self._checked(index, parsed)
        except AuditError:
            raise
        except (PaktaError, ValueError, KeyError, TypeError) as e:
            raise AuditError(str(e) or type(e).__name__, index) from None

    def _checked(self, index: int, p: Parsed) -> None:
        stage, message = p.error or ("", "")
        if stage == "json":
            raise AuditError(message, index)
        if p.index != index:
            raise AuditError(f"says it is entry {p.index}", index)
        if p.prev != self.prev:
            raise AuditError(
                f"prev {p.prev} is not the leaf hash of entry {index - 1} ({self.prev})", index
            )
        if stage == "received" or p.received is None:
            raise AuditError(message or "received_at", index)
        if self.received is not None and p.received < self.received:
            raise AuditError("received_at goes back in time", index)
        if stage or p.statement is None or p.envelope is None:
            raise AuditError(message or "no statement", index)
        statement = p.statement
        if statement.hash in self.rules.refs:
            raise AuditError(f"statement {statement.hash} appears twice", index)
        verified = {(index, kid, public) for kid, public in p.verified}
        outcome = self.rules.step(statement, p.envelope, index, p.received, verified=verified)
        self.signatures += len(outcome.signatures)
        self.warnings += outcome.warnings
        self.invalidated += outcome.invalidated
        self.transitions += outcome.transitions
        self.records += outcome.records
        self.new_effects.update(agency for agency, _ in outcome.effects)
        self.chains.add_outcome(outcome, p.leaf)
        needed = self.roots_at is None or index + 1 in self.roots_at
        roots = [self.chains.root(v) for v in range(1, MAP_VERSION + 1)] if needed else None
        self.map_roots.append(roots)
        self.prev = p.leaf.hex()
        self.received = p.received
        self.leaves.append(p.leaf)
        self.size = index + 1

    def compare_histories(self, fetch: Fetch, size: int) -> int:
        """What the registry's agency aggregates stored must be what the log implies: the
        pages of each agency this run's entries touched (`registry.audit.histories`)."""
        for agency in sorted(self.new_effects):
            expected = self.rules.effects.get(agency, [])
            first = histories.last_page(len(expected) - self.new_effects[agency])
            found: list[Any] = []
            last = histories.last_page(len(expected))
            for page in range(first, last + 1):
                found += _page(fetch, agency, page, page == last, size)
            for want, got in zip(expected[first * histories.PAGE :], found, strict=False):
                if want != got:
                    raise AuditError(
                        f"the registry's record of agency {agency!r} differs from the log",
                        want["index"],
                        expected=want,
                        found=got,
                    )
            held = first * histories.PAGE + len(found)
            if held != len(expected):
                raise AuditError(
                    f"the registry holds {held} statements of agency {agency!r}, "
                    f"the log {len(expected)}",
                    expected[min(held, len(expected) - 1)]["index"],
                )
        return len(self.new_effects)


def _page(fetch: Fetch, agency: str, page: int, last: bool, size: int) -> list[Any]:
    """The effects of one history page that belong to the tree of `size`."""
    path = histories.page_path(agency, page, partial=last)
    try:
        data = fetch(path)
    except FetchError as missing:
        if not last:
            raise
        try:
            data = fetch(histories.page_path(agency, page, partial=False))  # it filled since
        except FetchError:
            raise missing from None
    try:
        effects = json.loads(data)
    except ValueError:
        raise AuditError(f"{path} is not JSON") from None
    if not isinstance(effects, list):
        raise AuditError(f"{path} is not a JSON array")
    return [e for e in effects if not isinstance(e, dict) or e.get("index", size) < size]

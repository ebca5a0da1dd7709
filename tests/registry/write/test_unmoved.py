"""The append that skips its first round trip (registry/write/loghead.py `LogHead.remembered`):
taken only when the log is as this process's last append left it, refused under the lock when
another writer appended since (or the read model moved), and then retried reading what is
stored, so the log stays linear, the subject map and the read model right, and every receipt
correct."""

from __future__ import annotations

from pathlib import Path

import pytest
from pakta_support import PACT_DOCUMENT, Agent, Harness, envelope_bytes, pact_body, pact_envelope
from sqlalchemy import delete, func, select

from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.audit.fsck import fsck
from registry.read import tables as t
from registry.rules.errors import ConflictError
from registry.service import Service
from registry.write import subjects
from registry.write.app import SEND_EVERY
from registry.write.instance import Instance
from registry.write.loghead import UnmovedGuard


class Refusals:
    """Counts the guard's refusals the registry retried."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen = 0
        refused = UnmovedGuard.refused

        def counting(error: BaseException) -> bool:
            found = refused(error)
            self.seen += found
            return found

        monkeypatch.setattr(UnmovedGuard, "refused", staticmethod(counting))


def audited(instance: Instance, service: Service, folder: Path) -> int:
    export(service.registry, folder)
    report = audit(
        source_fetch(str(folder)), NoteVerifier.parse(instance.log_vkey), instance.registrar_keys
    )
    return report.size


def test_a_writer_that_finds_the_log_moved_retries_and_the_log_stays_right(
    instance: Instance,
    two: tuple[Service, Service],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = two
    refusals = Refusals(monkeypatch)
    once = int(a.registry.engine.dialect.name == "postgresql")  # SQLite has no round trip to skip
    ha = Harness(a.registry)
    agents = [Agent("pemkab-a"), Agent("pemkab-b")]
    for agent in agents:
        ha.register(agent)
    for _ in range(2):  # a's caches warm: its next append may skip the first round trip
        a.registry.submit(pact_envelope(agents[0]))
    assert refusals.seen == 0
    # b appends (one entry, then three at once): a's memory of the log is stale each time.
    b.registry.submit(pact_envelope(agents[1]))
    first = a.registry.submit(pact_envelope(agents[0]))
    assert refusals.seen == once and first.index == a.registry.size() - 1 == 5
    b.registry.submit_many([pact_envelope(agents[1]) for _ in range(3)])
    second = a.registry.submit_many([pact_envelope(agents[0]), pact_envelope(agents[0])])
    # The last append found the log moved, so this one read it under the lock: no refusal.
    assert refusals.seen == once
    assert [r.index for r in second] == [9, 10]  # type: ignore[union-attr]
    third = a.registry.submit(pact_envelope(agents[0]))  # unmoved again: one round trip
    assert refusals.seen == once and third.index == 11 and third.seq == 6  # its 6th statement
    b.registry.submit(pact_envelope(agents[1]))  # and b, whose memory is stale too
    assert b.registry.size() == 13
    assert audited(instance, a, tmp_path / "export") == 13
    assert fsck(a) == []


def test_a_read_model_moved_elsewhere_refuses_the_append_and_is_caught_up(
    instance: Instance, two: tuple[Service, Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log's size alone is not enough: a read model cleared elsewhere (a rebuild under
    way) has a different last index, the guard refuses, and the retry finds the rows behind
    and catches them up."""
    a, _ = two
    refusals = Refusals(monkeypatch)
    once = int(a.registry.engine.dialect.name == "postgresql")
    agent = Agent("pemkab-c")
    Harness(a.registry).register(agent)
    for _ in range(2):
        a.registry.submit(pact_envelope(agent))
    with a.registry.datastore.transaction(commit=True) as session:
        session.execute(delete(t.statements).where(t.statements.c.idx == 2))
    receipt = a.registry.submit(pact_envelope(agent))
    assert refusals.seen == once and receipt.index == 3
    with a.read() as db:
        last = db.execute(select(func.max(t.statements.c.idx))).scalar()
    assert last == 3


def test_a_refused_append_leaves_no_trace_in_what_the_next_append_trusts(
    instance: Instance,
    two: tuple[Service, Service],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """a's append is refused (b appended first), its retry rejects the statement (b's took
    its place in the agency's chain), and a's next append finds the log as that retry left
    it: what a trusts then (the subject map kept in memory) is the committed one, not the
    one the refused append had built, so the checkpoint commits to the log's map."""
    a, b = two
    agent = Agent("pemkab-d")
    Harness(a.registry).register(agent)
    for _ in range(2):
        a.registry.submit(pact_envelope(agent))
    kind, docs = "integrity_pact.signed", [PACT_DOCUMENT]
    mine = agent.statement(kind, pact_body("2024-05-30"), documents=docs)
    theirs = agent.statement(kind, pact_body("2024-05-31"), documents=docs)
    assert mine != theirs  # the same place in the chain, two statements
    b.registry.submit(envelope_bytes(theirs, agent.key))
    agent.accepted(theirs)
    rebuilt = []
    whole_map = subjects.map_at
    monkeypatch.setattr(subjects, "map_at", lambda *a: rebuilt.append(a) or whole_map(*a))
    with pytest.raises(ConflictError):
        a.registry.submit(envelope_bytes(mine, agent.key))
    receipt = a.registry.submit(pact_envelope(agent))
    # The map the refused append started from was put back and caught up with b's entry:
    # not rebuilt from every stored chain.
    assert rebuilt == []
    assert receipt.index == a.registry.size() - 1 == 4
    assert audited(instance, a, tmp_path / "export") == 5
    assert fsck(a) == []


def test_a_batch_refused_after_sending_a_part_is_retried_whole(
    instance: Instance,
    two: tuple[Service, Service],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On PostgreSQL a batch larger than `SEND_EVERY` has sent the lock, the guard and its
    first part's rows when it meets an agency it must read (b registered it): that read waits
    for the pipeline, the guard's refusal comes back there (b appended since a's last append),
    nothing stays of the attempt, and the retry appends the whole batch."""
    a, b = two
    refusals = Refusals(monkeypatch)
    once = int(a.registry.engine.dialect.name == "postgresql")
    mine, theirs = Agent("pemkab-part-a"), Agent("pemkab-part-b")
    Harness(a.registry).register(mine)
    for _ in range(2):
        a.registry.submit(pact_envelope(mine))
    Harness(b.registry).register(theirs)  # a has never read this agency
    batch = [pact_envelope(mine) for _ in range(SEND_EVERY + 5)] + [pact_envelope(theirs)]
    before = a.registry.size()
    results = a.registry.submit_many(batch)
    assert refusals.seen == once
    assert [getattr(r, "index", r) for r in results] == list(range(before, before + len(batch)))
    assert audited(instance, a, tmp_path / "export") == a.registry.size()
    assert fsck(a) == []

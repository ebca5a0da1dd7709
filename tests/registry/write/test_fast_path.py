"""The write path's shortcuts change nothing a client or an auditor sees (real SQLite and
PostgreSQL, real keys): the entry text written directly equals `canonical_json`; a writer that
finds the log moved on by another process forgets only the agencies that process changed;
signatures verified before the lock are trusted only for the key the rules choose; one batch's
events insert (piped) numbers the events in the order they are stored and the read side tracks
its last entry; and the agencies' events triggered directly are the decorated methods' own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pakta_support import (
    PACT_DOCUMENT,
    Agent,
    Harness,
    build_statement,
    declaration_body,
    envelope_bytes,
    pact_body,
)

from events import canonical_json
from keys.dsse import Envelope, Signature
from keys.ed25519 import generate, key_id, public_bytes
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.rules.errors import RuleError
from registry.service import Service, open_service
from registry.write.app import SEND_EVERY
from registry.write.batch import Preverified, entry_text
from registry.write.domain import LOG_ID, Agency, agency_uuid
from registry.write.instance import Instance

PAYLOAD_TYPE = "application/vnd.pakta.statement+json"


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(0, 2**53 - 1),
    prev=st.none() | st.binary(min_size=32, max_size=32).map(bytes.hex),
    received=st.text(max_size=40),
    payload=st.binary(max_size=300),
    signatures=st.lists(st.tuples(st.text(max_size=20), st.binary(max_size=64)), max_size=3),
)
def test_entry_text_is_the_canonical_json_of_the_entry(
    index: int, prev: str | None, received: str, payload: bytes, signatures: list[tuple[str, bytes]]
) -> None:
    # Lone surrogates cannot come out of the strict parse, nor go into UTF-8.
    texts = [received, *(k for k, _ in signatures)]
    if any(0xD800 <= ord(c) <= 0xDFFF for t in texts for c in t):
        return
    envelope = Envelope(PAYLOAD_TYPE, payload, tuple(Signature(k, s) for k, s in signatures))
    expected = canonical_json(
        {"index": index, "prev": prev, "received_at": received, "envelope": envelope.to_json()}
    ).decode()
    assert entry_text(index, prev, received, envelope) == expected


def test_a_foreign_append_forgets_only_the_agencies_it_changed(
    two: tuple[Service, Service],
) -> None:
    a, b = two
    ha, hb = Harness(a.registry), Harness(b.registry)
    x, y, z = Agent("pemkab-x"), Agent("pemkab-y"), Agent("pemkab-z")
    for agent in (x, y, z):
        ha.register(agent)
        ha.post(agent, "zi.declared", declaration_body())
    cached_z = a.registry._known["pemkab-z"]
    assert "pemkab-x" in a.registry._known
    # Another process moves x on; a's next append finds the log longer than it left it (on
    # PostgreSQL the append that skipped its first round trip is refused and retried: y,
    # which it had changed in memory, is read again too).
    hb.post(x, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    ha.post(y, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    assert a.registry._known["pemkab-z"] is cached_z  # kept: nobody touched z
    # x was dropped, so a reads it again and accepts the statement that follows b's (with the
    # stale head it would refuse it as not extending seq 2).
    assert "pemkab-x" not in a.registry._known
    receipt = ha.post(x, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    head = a.registry.head("pemkab-x")
    assert head is not None and head.seq == x.seq == 3 and head.index == receipt.index
    # Both processes agree with what is stored.
    fresh = open_service(a.instance)
    try:
        for name in ("pemkab-x", "pemkab-y", "pemkab-z"):
            assert fresh.registry.head(name) == a.registry.head(name) == b.registry.head(name)
    finally:
        fresh.close()


def test_signatures_verified_before_the_lock_count_only_for_the_chosen_key(
    service_one: Service,
) -> None:
    registry = service_one.registry
    h = Harness(registry)
    agent = Agent("pemkab-sig")
    h.register(agent)
    good = envelope_bytes(agent.statement("zi.declared", declaration_body()), agent.key)
    prepared = registry.prepare(good)
    assert not isinstance(prepared, Exception)
    kid = key_id(public_bytes(agent.key))
    assert prepared[2].pairs == {(kid, public_bytes(agent.key))}
    # A signature that does not verify is not pre-verified, and the rules still refuse it.
    envelope = json.loads(good)
    sig = envelope["signatures"][0]["sig"]
    envelope["signatures"][0]["sig"] = ("B" if sig[0] == "A" else "A") + sig[1:]
    bad = json.dumps(envelope).encode()
    prepared_bad = registry.prepare(bad)
    assert not isinstance(prepared_bad, Exception) and not prepared_bad[2].pairs
    with pytest.raises(RuleError, match="does not verify"):
        registry.submit(bad)
    # A pair stands only for its own public key: another key under the same id does not pass.
    other = public_bytes(generate())
    marks = Preverified(frozenset({(kid, other)}))
    assert (5, kid, other) in marks and (5, kid, public_bytes(agent.key)) not in marks
    assert registry.submit(good).seq == 1


@pytest.fixture
def service_one(instance: Instance) -> Iterator[Service]:
    svc = open_service(instance)
    yield svc
    svc.close()


def test_one_batch_stores_its_events_in_order_and_tracks_its_last_entry(
    service_one: Service,
) -> None:
    """The events insert of a batch (piped on PostgreSQL, sqlite3 on SQLite) numbers the
    events in the order they are stored (each agency's, then the entries, in log order), gives
    each the id the database holds for it, and the read side's position is the last entry's."""
    registry = service_one.registry
    h = Harness(registry)
    agents = [Agent(f"pemkab-batch-{i}") for i in range(3)]
    for agent in agents:
        h.register(agent)
    batch = []
    for type_, body, kw in (
        ("zi.declared", declaration_body(), {}),
        ("integrity_pact.signed", pact_body(), {"documents": [PACT_DOCUMENT]}),
    ):
        for agent in agents:
            payload = agent.statement(type_, body, **kw)
            batch.append(envelope_bytes(payload, agent.key))
            agent.accepted(payload)
    before = registry.size()
    results = registry.submit_many(batch)
    assert [getattr(r, "index", r) for r in results] == list(range(before, before + 6))
    notes = registry.recorder.select_notifications(start=1, limit=10_000)
    ids = [n.id for n in notes]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    entries = [n for n in notes if n.originator_id == LOG_ID]
    # The log's entries are numbered in log order (a catch-up pages them by id).
    assert [n.originator_version for n in entries] == list(range(1, before + 7))
    batch_ids = [n.id for n in notes if n.id > entries[before - 1].id]
    assert batch_ids[-6:] == [n.id for n in entries[before:]]  # the entries come last
    assert len(batch_ids) == 6 + 6  # one event per agency per statement, then the entries
    assert registry._known_id == max(ids)
    projector = service_one.projector
    assert projector.position() == entries[-1].id
    # What a fresh process reads agrees with the writer's cache.
    fresh = open_service(registry.instance)
    try:
        for agent in agents:
            assert fresh.registry.head(agent.agency) == registry.head(agent.agency)
            effects = fresh.registry.agency_effects(agent.agency)
            assert len(effects) == 3
    finally:
        fresh.close()


def test_triggered_events_are_the_decorated_methods_events(service_one: Service) -> None:
    """`Batch.take` triggers `Agency.accept` / `Agency.note`'s own event classes (same topics,
    same stored state as the methods would store)."""
    registry = service_one.registry
    h = Harness(registry)
    agent = Agent("pemkab-events")
    h.register(agent)
    h.post(agent, "zi.declared", declaration_body())
    stored = list(registry.recorder.select_events(agency_uuid(agent.agency)))
    assert [s.topic for s in stored] == ["pakta:Agency.Registered", "pakta:Agency.Accepted"]
    effect = registry.mapper.to_domain_event(stored[1]).effect  # type: ignore[attr-defined]
    # The same event through the decorated method: same class, same state but its timestamp.
    agency = registry.load(agent.agency)
    assert agency is not None
    copy: Agency = registry.repository.get(agency.id, version=1)
    copy.accept(effect=effect)
    (again,) = copy.collect_events()
    mine = registry.mapper.to_domain_event(stored[1])
    assert type(again) is type(mine)
    assert {**vars(again), "timestamp": None} == {**vars(mine), "timestamp": None}


def test_a_batch_sent_in_parts_gives_each_statement_its_answer_and_the_same_log(
    service_one: Service, tmp_path: Path
) -> None:
    """A batch larger than `SEND_EVERY` sends its log rows in parts while it checks the rest
    (on PostgreSQL; at the end on SQLite): a repeat of a statement accepted in an earlier
    part (looked up after that part went out) and a stale one are refused, the others get
    their receipts, the events are numbered in log order, the read model is what a rebuild
    from the log gives, and the log audits clean."""

    registry = service_one.registry
    h = Harness(registry)
    agents = [Agent(f"pemkab-part-{i}") for i in range(7)]
    for agent in agents:
        h.register(agent)
    h.post(agents[0], "zi.declared", declaration_body())  # caches warm: the append trusts them
    batch, first = [], b""
    for k in range(2 * SEND_EVERY + 9):
        agent = agents[k % len(agents)]
        payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        batch.append(envelope_bytes(payload, agent.key))
        agent.accepted(payload)
        first = first or batch[-1]
    one = agents[1]  # a statement on a seq its batch already takes: stale
    stale = build_statement("zi.declared", one.agency, 1, one.prev, one.clock, declaration_body())
    batch.insert(SEND_EVERY + 3, envelope_bytes(stale, agents[1].key))
    batch.insert(2 * SEND_EVERY + 5, first)  # a repeat of the batch's first statement
    before = registry.size()
    results = registry.submit_many(batch)
    refused = [k for k, r in enumerate(results) if isinstance(r, Exception)]
    assert refused == [SEND_EVERY + 3, 2 * SEND_EVERY + 5]
    assert "already in the log" in str(results[2 * SEND_EVERY + 5])
    indexes = [r.index for r in results if not isinstance(r, Exception)]
    assert indexes == list(range(before, before + 2 * SEND_EVERY + 9))
    notes = registry.recorder.select_notifications(start=1, limit=10_000)
    entries = [n for n in notes if n.originator_id == LOG_ID]
    assert [n.originator_version for n in entries] == list(range(1, registry.size() + 1))
    assert registry._known_id == max(n.id for n in notes)
    assert service_one.projector.position() == entries[-1].id
    live = service_one.projector.dump()
    service_one.projector.rebuild()
    assert service_one.projector.dump() == live
    export(registry, tmp_path / "mirror")
    instance = registry.instance
    report = audit(
        source_fetch(str(tmp_path / "mirror")),
        NoteVerifier.parse(instance.log_vkey),
        instance.registrar_keys,
    )
    assert report.size == registry.size()

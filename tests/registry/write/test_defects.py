"""Regressions of the defects crash drills, tampering and fuzzing found on the write path
(issue 10): a clock that steps back, a changed interior tree hash, and valid statements that
used to crash the read model (a key two agencies share, one document listed twice, two
windows for one year). Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pakta_support import PACT_DOCUMENT, Agent, Harness, pact_body
from sqlalchemy import select, update

from keys.ed25519 import generate
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.rules.errors import RuleError
from registry.service import Service, open_service
from registry.write import storage
from registry.write.instance import Instance
from registry.write.storage import StoreError


class SteppingClock:
    """A clock that can be set back, as two hosts 90 s apart or an NTP step would."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def service(instance: Instance) -> Iterator[Service]:
    svc = open_service(instance)
    yield svc
    svc.close()


def audit_clean(svc: Service, folder: Path) -> int:
    export(svc.registry, folder)
    report = audit(
        source_fetch(str(folder)),
        NoteVerifier.parse(svc.instance.log_vkey),
        svc.instance.registrar_keys,
    )
    return report.size


def test_a_clock_that_steps_back_never_makes_received_at_go_back(
    instance: Instance, tmp_path: Path
) -> None:
    clock = SteppingClock()
    svc = open_service(instance, clock=clock)
    try:
        h = Harness(svc.registry)
        agent = Agent("pemkab-jam")
        agent.clock = datetime(2026, 10, 1, tzinfo=UTC)
        h.register(agent)
        h.post(agent, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        clock.now -= timedelta(seconds=90)  # the next host's clock is 90 s behind
        h.post(agent, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        stamps = [json.loads(svc.registry.entry(i) or "")["received_at"] for i in range(3)]
        assert stamps == sorted(stamps) and stamps[2] == stamps[1]
        assert audit_clean(svc, tmp_path / "export") == 3
    finally:
        svc.close()


def test_a_changed_interior_tree_hash_stops_appends_before_anything_is_signed(
    instance: Instance,
) -> None:
    svc = open_service(instance)
    h = Harness(svc.registry)
    agents = [Agent(f"pemkab-h{i}") for i in range(3)]
    for agent in agents:
        h.register(agent)
    size, engine = svc.registry.size(), svc.registry.engine
    svc.close()
    tree = storage.tree
    with engine.begin() as conn:  # an interior node (level 1), not a leaf hash
        row = conn.execute(select(tree.c.id, tree.c.hash).order_by(tree.c.id.desc())).first()
        assert row is not None
        conn.execute(update(tree).where(tree.c.id == row.id).values(hash=bytes(32)))
    engine.dispose()
    with pytest.raises(StoreError):  # a server refuses to start on it
        open_service(instance)
    svc = open_service(instance, check=False)  # a fresh process trusts nothing it has not checked
    try:
        with pytest.raises(StoreError) as refused:
            Harness(svc.registry).register(Agent("pemkab-late"))
        assert "pakta fsck" in str(refused.value)
        assert svc.registry.size() == size
        assert svc.registry.checkpoint(size + 1) is None
    finally:
        svc.close()


def test_a_key_of_another_agency_is_refused_by_the_rules(service: Service, tmp_path: Path) -> None:
    h = Harness(service.registry)
    first = Agent("pemkab-satu")
    h.register(first)
    with pytest.raises(RuleError) as shared:
        h.register(Agent("pemkab-dua", key=first.key))
    assert shared.value.code == "key-held-elsewhere"
    second = Agent("pemkab-dua")
    h.register(second)
    with pytest.raises(RuleError) as added:
        h.post(second, "key.added", second.key_grant("unit_head", first.key))
    assert added.value.code == "key-held-elsewhere"
    h.post(second, "key.added", second.key_grant("unit_head", generate()))
    assert audit_clean(service, tmp_path / "export") == service.registry.size()


def test_one_document_listed_twice_is_accepted_and_shown(service: Service) -> None:
    h = Harness(service.registry)
    agent = Agent("pemkab-dok")
    h.register(agent)
    twice = [PACT_DOCUMENT, dict(PACT_DOCUMENT, name="salinan-pakta.pdf")]
    receipt = h.post(agent, "integrity_pact.signed", pact_body(), documents=twice)
    with service.read() as db:
        from registry.read import queries

        found = queries.documents_with_hash(db, PACT_DOCUMENT["sha256"])
    assert [d["idx"] for d in found] == [receipt.index]


def test_two_national_teams_announcing_one_year_are_both_recorded(service: Service) -> None:
    from zi_world import World

    w = World(service.registry)
    w.register("tpn-kedua", kind="tim_penilai")
    w.key("tpn-kedua", "tpn")
    w.on("2025-01-05")
    for team, deadline in (("tpn", "2025-05-31"), ("tpn-kedua", "2025-06-30")):
        body = {
            "year": 2025,
            "regulation": "permenpanrb-5-2024",
            "opens_on": "2025-01-10",
            "deadline": deadline,
            "quota_per_agency": 10,
            "announced_on": w.today,
        }
        w.post(team, "submission_window.announced", body, w.key(team, "tpn"))
    with service.read() as db:
        from registry.read.facts import SqlFacts
        from registry.read.tables import windows

        assert len(db.execute(select(windows)).all()) == 2
    session = service.registry.datastore.session_maker()
    try:
        first = SqlFacts(session).window(2025)
        assert first is not None and first.deadline == "2025-05-31"  # the first announced
    finally:
        session.close()


def test_an_entry_index_beyond_the_stores_integers_is_simply_absent(service: Service) -> None:
    """Entry positions are signed 64-bit in SQLite and PostgreSQL: asking for one past that is
    "no such entry", on both backends, never an overflow from the driver."""
    Harness(service.registry).register(Agent("dinas-x"))
    assert service.registry.entry(0) is not None
    for index in (2**63 - 2, 2**63 - 1, 2**63, 2**64, -1):
        assert service.registry.entry(index) is None, index
    assert service.registry.size() == 1

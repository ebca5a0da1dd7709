"""The registry application on real SQLite and PostgreSQL: appends, rules, chain, read model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pakta_support import (
    PACT_DOCUMENT,
    Agent,
    Harness,
    declaration_body,
    envelope_bytes,
    pact_body,
    registration,
)
from sqlalchemy import null

from events import StatementError
from keys.dsse import EnvelopeError
from keys.ed25519 import b64, generate, key_id, public_bytes
from keys.note import NoteVerifier, open_note
from registry.read import queries
from registry.rules.errors import ConflictError, RuleError
from registry.rules.facts import MemoryFacts
from registry.service import Service, open_service
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.write.instance import Instance


@pytest.fixture
def service(instance: Instance) -> Iterator[Service]:
    svc = open_service(instance)
    yield svc
    svc.close()


@pytest.fixture
def h(service: Service) -> Harness:
    return Harness(service.registry)


def test_register_and_declare_make_a_chain_and_a_verifiable_receipt(
    service: Service, h: Harness
) -> None:
    agent = Agent("pemkab-sukoharjo")
    first = h.register(agent)
    second = h.post(agent, "zi.declared", declaration_body())
    assert (first.index, second.index) == (0, 1)
    assert service.registry.size() == 2
    head = service.registry.head("pemkab-sukoharjo")
    assert head is not None and (head.seq, head.hash, head.index) == (1, agent.prev, 1)
    # Entry 1 links to entry 0's leaf hash; the receipt's proof verifies against its checkpoint.
    entry0, entry1 = service.registry.entry(0), service.registry.entry(1)
    assert entry0 is not None and entry1 is not None
    assert json.loads(entry1)["prev"] == merkle.leaf_hash(entry0.encode()).hex()
    assert second.leaf_hash == merkle.leaf_hash(entry1.encode()).hex()
    note, _ = open_note(second.checkpoint, [NoteVerifier.parse(service.instance.log_vkey)])
    checkpoint = Checkpoint.parse(note.text)
    assert checkpoint.size == 2
    proof = [__import__("base64").b64decode(p) for p in second.inclusion_proof]
    merkle.verify_inclusion(bytes.fromhex(second.leaf_hash), 1, 2, proof, checkpoint.root_hash)


def test_stale_seq_and_wrong_prev_are_conflicts_with_the_current_head(h: Harness) -> None:
    agent = Agent("pemkab-a")
    h.register(agent)
    h.post(agent, "zi.declared", declaration_body())
    stale = Agent("pemkab-a", key=agent.key, seq=0, prev=None, clock=agent.clock)
    stale.prev = "sha256:" + "0" * 64
    with pytest.raises(ConflictError) as caught:
        h.post(stale, "zi.declared", declaration_body(), issued_at=agent.clock)
    assert caught.value.code == "stale-seq" and caught.value.head is not None
    assert caught.value.head.seq == 1
    forked = Agent("pemkab-a", key=agent.key, seq=agent.seq, prev="sha256:" + "1" * 64)
    forked.clock = agent.clock
    with pytest.raises(ConflictError) as caught2:
        h.post(forked, "zi.declared", declaration_body())
    assert caught2.value.code == "stale-prev"


def test_a_duplicate_submission_is_refused_and_changes_nothing(
    service: Service, h: Harness
) -> None:
    agent = Agent("pemkab-b")
    payload = registration(agent)
    envelope = envelope_bytes(payload, h.registrar)
    service.registry.submit(envelope)
    with pytest.raises(ConflictError) as caught:
        service.registry.submit(envelope)
    assert caught.value.code == "duplicate"
    assert service.registry.size() == 1


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda e: json.dumps({**json.loads(e), "extra": 1}).encode(), "extra-field"),
        (lambda e: json.dumps({**json.loads(e), "signatures": []}).encode(), "no-signatures"),
        (lambda e: json.dumps({**json.loads(e), "payload": "@@@"}).encode(), "bad-base64"),
        (
            lambda e: json.dumps({**json.loads(e), "payloadType": "text/plain"}).encode(),
            "bad-value",
        ),
        (lambda e: b'{"payload":"",' + e[1:], "duplicate-key"),
        (lambda e: e + b" " * (100 * 1024), "too-large"),
        (lambda e: b"\xff" + e, "not-utf8"),
    ],
)
def test_malformed_envelopes_are_refused_with_their_reason(
    service: Service, h: Harness, mutate: object, code: str
) -> None:
    envelope = envelope_bytes(registration(Agent("pemkab-c")), h.registrar)
    with pytest.raises((StatementError, EnvelopeError)) as caught:
        service.registry.submit(mutate(envelope))  # type: ignore[operator]
    assert caught.value.code == code  # type: ignore[union-attr]
    assert service.registry.size() == 0


def test_unknown_agency_unknown_key_and_bad_signature(service: Service, h: Harness) -> None:
    ghost = Agent("pemkab-ghost")
    ghost.seq, ghost.prev = 0, "sha256:" + "2" * 64
    with pytest.raises(RuleError, match="not registered") as c1:
        h.post(ghost, "zi.declared", declaration_body())
    assert c1.value.code == "unknown-agency"
    agent = Agent("pemkab-d")
    h.register(agent)
    with pytest.raises(RuleError) as c2:
        h.post(agent, "zi.declared", declaration_body(), generate())
    assert c2.value.code == "unknown-key"
    payload = agent.statement("zi.declared", declaration_body())
    tampered = json.loads(envelope_bytes(payload, agent.key))
    sig = bytearray(__import__("base64").b64decode(tampered["signatures"][0]["sig"]))
    sig[0] ^= 1
    tampered["signatures"][0]["sig"] = b64(bytes(sig))
    with pytest.raises(RuleError) as c3:
        service.registry.submit(json.dumps(tampered).encode())
    assert c3.value.code == "bad-signature"
    assert service.registry.size() == 1


def test_only_the_registrar_registers_agencies(service: Service, h: Harness) -> None:
    agent = Agent("pemkab-e")
    h.register(agent)
    other = Agent("pemkab-f")
    payload = registration(other)
    with pytest.raises(RuleError) as caught:
        service.registry.submit(envelope_bytes(payload, agent.key))
    assert caught.value.code == "unknown-key"  # agency keys are not known for a new agency
    with pytest.raises(ConflictError) as again:
        service.registry.submit(envelope_bytes(registration(Agent("pemkab-e")), h.registrar))
    assert again.value.code == "agency-exists"


def test_keys_come_only_from_the_log_added_then_revoked(service: Service, h: Harness) -> None:
    agent = Agent("pemkab-g")
    h.register(agent)
    deputy = generate()
    h.post(agent, "key.added", agent.key_grant("unit_head", deputy))
    # The unit head may sign a pact, but not add keys: that needs the agency head.
    h.post(
        agent,
        "integrity_pact.signed",
        {"signed_on": "2024-06-01", "signatories": 10, "staff_total": 12, "scope": "Dinas"},
        deputy,
        documents=[
            {"name": "pakta.pdf", "sha256": "sha256:" + "3" * 64, "media_type": "application/pdf"}
        ],
    )
    with pytest.raises(RuleError) as not_allowed:
        h.post(agent, "key.added", agent.key_grant("operator", generate()), deputy)
    assert not_allowed.value.code == "signer-not-allowed"
    revoked_from = agent.clock + timedelta(seconds=30)
    h.post(
        agent,
        "key.revoked",
        {
            "keyid": key_id(public_bytes(deputy)),
            "effective_from": revoked_from.isoformat(),
            "reason": "compromised",
        },
    )
    with pytest.raises(RuleError) as revoked:
        h.post(
            agent,
            "integrity_pact.signed",
            {"signed_on": "2024-06-01", "signatories": 10, "staff_total": 12, "scope": "Dinas"},
            deputy,
            documents=[
                {"name": "p.pdf", "sha256": "sha256:" + "4" * 64, "media_type": "application/pdf"}
            ],
        )
    assert revoked.value.code == "key-not-valid"
    with pytest.raises(RuleError) as again:
        h.post(agent, "key.added", agent.key_grant("unit_head", deputy))
    assert again.value.code == "key-exists"
    with pytest.raises(RuleError) as twice:
        body = {"keyid": key_id(public_bytes(deputy)), "effective_from": revoked_from.isoformat()}
        h.post(agent, "key.revoked", dict(body, reason="superseded"))
    assert twice.value.code == "key-revoked"


def test_time_rules_future_and_backwards(service: Service, h: Harness) -> None:
    agent = Agent("pemkab-h")
    h.register(agent)
    with pytest.raises(RuleError) as future:
        h.post(
            agent,
            "zi.declared",
            declaration_body(),
            issued_at=datetime.now(UTC) + timedelta(hours=1),
        )
    assert future.value.code == "issued-in-future"
    agent.seq, agent.prev = 0, service.registry.head("pemkab-h").hash  # type: ignore[union-attr]
    with pytest.raises(RuleError) as backwards:
        h.post(
            agent,
            "zi.declared",
            declaration_body("2024-05-30"),
            issued_at=agent.clock - timedelta(days=1),
        )
    assert backwards.value.code == "not-chronological"


def test_a_witness_attests_an_existing_declaration_only(service: Service, h: Harness) -> None:
    unit = Agent("bps-grobogan")
    h.register(unit, kind="instansi_vertikal")
    declared = h.post(unit, "zi.declared", declaration_body())
    witness = Agent("ombudsman-jateng")
    h.register(witness, kind="lembaga_pengawas")
    witness.key_grant()
    h.post(witness, "key.added", witness.key_grant("witness", witness_key := generate()))
    body = {
        "declaration": {"agency": "bps-grobogan", "seq": 1, "hash": declared.statement_hash},
        "witnessed_on": "2024-06-01",
        "capacity": "Saksi",
    }
    h.post(witness, "zi.witnessed", body, witness_key)
    wrong = dict(body, declaration=dict(body["declaration"], hash="sha256:" + "5" * 64))
    with pytest.raises(RuleError) as caught:
        h.post(witness, "zi.witnessed", wrong, witness_key)
    assert caught.value.code == "unknown-declaration"
    with service.read() as db:
        rows = queries.agency(db, "bps-grobogan")
    assert rows is not None and [w["witness"] for w in rows["witnessed_by"]] == ["ombudsman-jateng"]


def test_group_commit_appends_in_order_and_reports_each_item(service: Service, h: Harness) -> None:
    agents = [Agent(f"pemkab-{i}") for i in range(5)]
    items = [envelope_bytes(registration(a), h.registrar) for a in agents]
    items.insert(2, b"not json")
    results = service.registry.submit_many(items)
    assert isinstance(results[2], StatementError)
    assert [r.index for r in results if not isinstance(r, Exception)] == [0, 1, 2, 3, 4]
    assert service.registry.checkpoint() is not None
    assert service.registry.checkpoint(5) == service.registry.checkpoint()


def test_the_rebuilt_read_model_equals_the_live_one(service: Service, h: Harness) -> None:
    for i in range(3):
        agent = Agent(f"pemkab-r{i}")
        h.register(agent)
        h.post(agent, "zi.declared", declaration_body())
    live = service.projector.dump()
    assert len(live["rm_statements"]) == 6 and len(live["rm_agencies"]) == 3
    assert service.projector.rebuild() == 6
    assert service.projector.dump() == live


def test_a_second_process_sees_the_same_registry(instance: Instance, h: Harness) -> None:
    agent = Agent("pemkab-i")
    h.register(agent)
    other = open_service(instance)
    try:
        head = other.registry.head("pemkab-i")
        assert head is not None and head.hash == agent.prev
        h.post(agent, "zi.declared", declaration_body())
        # The other instance's cached aggregate is fast-forwarded, not stale.
        head2 = other.registry.head("pemkab-i")
        assert head2 is not None and head2.seq == 1
        # Both write, in turn: each finds the log moved on by the other and drops the
        # aggregates it kept from its own last append (a stale head would be a conflict).
        there = Harness(other.registry)
        for turn in range(4):
            (h if turn % 2 else there).post(agent, "integrity_pact.signed", pact_body(),
                                            documents=[PACT_DOCUMENT])  # fmt: skip
        assert other.registry.head("pemkab-i").seq == 5  # type: ignore[union-attr]
    finally:
        other.close()


def test_a_read_model_left_behind_catches_up_to_the_rows_the_live_path_writes(
    service: Service, h: Harness
) -> None:
    """A read model that missed entries (a new table, a restore) catches up from its tracked
    position: the rules' state before it is replayed in memory, the rows after it written."""
    for i in range(2):
        agent = Agent(f"pemkab-e{i}")
        h.register(agent)
        h.post(agent, "zi.declared", declaration_body())
    registry, projector = service.registry, service.projector

    class Away:
        """A read side that records nothing, as if the read model were offline."""

        def begin(self, session: Any, size: int) -> None:
            return None  # "behind": the append writes no rows

        def last_index(self) -> Any:
            return null()

        def begin_at(self, session: Any, size: int, last_index: int | None) -> None:
            return None

        def facts(self, session: Any) -> MemoryFacts:
            return MemoryFacts()

        def catch_up(self) -> int:
            return 0

    registry.read_side = Away()
    for i in range(2, 4):
        agent = Agent(f"pemkab-e{i}")
        h.register(agent)
        h.post(agent, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    registry.read_side = projector
    assert projector.projected() == 4
    # The next append finds the rows behind the log: it leaves them, then catches them up.
    late = Agent("pemkab-e9")
    h.register(late)
    assert projector.projected() == 9 and projector.catch_up() == 0
    caught_up = projector.dump()
    projector.rebuild()
    assert projector.dump() == caught_up

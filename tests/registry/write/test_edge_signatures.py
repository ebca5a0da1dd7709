"""One verdict for an Ed25519 edge case, on the write path and in both audits (keys/strict.py).

A real registry (SQLite and PostgreSQL) with a real agency whose key is granted receives
statements signed by that key with signatures OpenSSL accepts and libsodium refuses (R the
identity point), or that both refuse (S + L): the write path refuses them with the rules'
bad-signature error, whichever verifier looked first (`Registry.submit`, `submit_many`, the
web's `GroupCommit`), appends nothing, and the log audits clean with both audit verifiers. A
log that holds such a signature anyway (what a registry without this rule would have written)
fails both audits, and a key of small order is never granted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ed25519_edges as edges
import pytest
from audit_support import entries_of, forge, with_entry
from pakta_support import PACT_DOCUMENT, Agent, Harness, envelope_bytes, pact_body

from events import StatementError
from keys.dsse import PAYLOAD_TYPE, Envelope, Signature, pae
from keys.ed25519 import b64, key_id, public_bytes, unb64, verify_libsodium
from keys.note import NoteVerifier
from registry.audit.audit import AuditError, audit, source_fetch
from registry.audit.export import export
from registry.audit.pool import VERIFIERS
from registry.rules.errors import RuleError
from registry.service import Service, open_service
from registry.write.instance import Instance

pytestmark = pytest.mark.skipif(verify_libsodium is None, reason="PyNaCl not installed")


@pytest.fixture
def service(instance: Instance) -> Iterator[Service]:
    svc = open_service(instance)
    yield svc
    svc.close()


def edge_envelope(payload: bytes, agent: Agent, make: Callable[[bytes], bytes]) -> bytes:
    """`payload` in an envelope whose one signature by the agent's key is `make(PAE)`."""
    signature = Signature(key_id(public_bytes(agent.key)), make(pae(PAYLOAD_TYPE, payload)))
    return json.dumps(Envelope(PAYLOAD_TYPE, payload, (signature,)).to_json()).encode()


def audit_with(svc: Service, folder: Path, verifier: str) -> int:
    report = audit(
        source_fetch(str(folder)),
        NoteVerifier.parse(svc.instance.log_vkey),
        svc.instance.registrar_keys,
        jobs=1,
        signature_verifier=verifier,
    )
    return report.size


EDGES: dict[str, Callable[[Agent], Callable[[bytes], bytes]]] = {
    # OpenSSL alone accepts it (the cofactorless equation holds), libsodium refuses it.
    "R the identity": lambda agent: lambda message: edges.identity_r(agent.key, message),
    # Both libraries refuse it.
    "S + L": lambda agent: lambda message: edges.s_plus_l(agent.key.sign(message)),
}


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_an_edge_case_signature_is_refused_and_nothing_is_appended(
    service: Service, tmp_path: Path, edge: str
) -> None:
    registry = service.registry
    h = Harness(registry)
    agent = Agent("pemkab-tepi")
    h.register(agent)
    size = registry.size()
    payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    data = edge_envelope(payload, agent, EDGES[edge](agent))
    with pytest.raises(RuleError) as caught:
        registry.submit(data)
    assert caught.value.code == "bad-signature"
    assert f"signature by {key_id(public_bytes(agent.key))} does not verify" in str(caught.value)
    assert registry.size() == size
    # In a group commit (`submit_many`, as the web's batcher sends it) it is refused alone:
    # the statements around it are appended, the one after it at the seq it would have had.
    before = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    agent.accepted(before)
    edge_again = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    after = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    results = registry.submit_many(
        [
            envelope_bytes(before, agent.key),
            edge_envelope(edge_again, agent, EDGES[edge](agent)),
            envelope_bytes(after, agent.key),
        ]
    )
    assert not isinstance(results[0], Exception), results[0]
    assert isinstance(results[1], RuleError) and results[1].code == "bad-signature"
    assert not isinstance(results[2], Exception), results[2]
    assert registry.size() == size + 2
    export(registry, tmp_path / "export")
    for verifier in ("cryptography", "pynacl"):
        assert audit_with(service, tmp_path / "export", verifier) == size + 2


def test_the_web_writer_refuses_it_too(service: Service) -> None:
    """`GroupCommit`, the web's writer thread (prepare in the caller's thread, then the batch)."""
    from registry.write.batcher import GroupCommit

    registry = service.registry
    h = Harness(registry)
    agent = Agent("pemkab-web")
    h.register(agent)
    writer = GroupCommit(registry, window=0.0)
    try:
        payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        with pytest.raises(RuleError) as caught:
            writer.submit(edge_envelope(payload, agent, EDGES["R the identity"](agent)))
        assert caught.value.code == "bad-signature" and registry.size() == 1
        assert writer.submit(envelope_bytes(payload, agent.key)).seq == 1
    finally:
        writer.close()


def test_the_refusal_says_why_when_the_encoding_is_the_reason(service: Service) -> None:
    h = Harness(service.registry)
    agent = Agent("pemkab-alasan")
    h.register(agent)
    payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    with pytest.raises(RuleError, match="the signature's R is a point of small order"):
        service.registry.submit(edge_envelope(payload, agent, EDGES["R the identity"](agent)))


def test_a_key_of_small_order_is_never_granted(service: Service) -> None:
    """Anyone can make signatures that verify with a key of small order: the registrar's
    registration naming one, or an agency head's key.added, is refused and not appended."""
    registry = service.registry
    h = Harness(registry)
    agent = Agent("pemkab-kunci")
    h.register(agent)
    size = registry.size()
    weak = bytes([1]) + bytes(31)  # the identity point
    newcomer = Agent("pemkab-lemah")
    grant = {"public_key": b64(weak), "role": "agency_head", "holder": "Kepala pemkab-lemah"}
    body = {
        "name": "Pemerintah pemkab-lemah",
        "kind": "pemerintah_kabupaten",
        "parent": None,
        "region": {"kemendagri": "33.11", "bps": "3311", "name": "Kabupaten Sukoharjo"},
        "keys": [grant],
    }
    with pytest.raises(StatementError) as caught:
        registry.submit(envelope_bytes(newcomer.statement("agency.registered", body), h.registrar))
    assert (caught.value.code, caught.value.field) == (
        "rule:weak-public-key", "/body/keys/0/public_key"
    )  # fmt: skip
    with pytest.raises(StatementError) as again:
        h.post(agent, "key.added", {**grant, "role": "unit_head"})
    assert again.value.code == "rule:weak-public-key"
    assert "small order" in again.value.message
    assert registry.size() == size


@pytest.mark.parametrize("verifier", sorted(VERIFIERS))
def test_a_log_holding_an_edge_case_fails_both_audits(
    service: Service, tmp_path: Path, verifier: str
) -> None:
    """What a registry that trusted OpenSSL alone would have written: an entry whose
    signature has R the identity point. Each audit verifier names that entry."""
    h = Harness(service.registry)
    agent = Agent("pemkab-palsu")
    h.register(agent)
    h.post(agent, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    export(service.registry, tmp_path / "export")
    assert audit_with(service, tmp_path / "export", verifier) == 2
    entries = entries_of(tmp_path / "export")

    def edge(entry: dict[str, Any]) -> None:
        envelope = entry["envelope"]
        payload = unb64(envelope["payload"])
        sig = edges.identity_r(agent.key, pae(envelope["payloadType"], payload))
        envelope["signatures"][0]["sig"] = b64(sig)

    entries[1] = with_entry(entries, 1, edge)
    forge(tmp_path / "export", tmp_path / "forged", entries, service.instance)
    with pytest.raises(AuditError) as caught:
        audit_with(service, tmp_path / "forged", verifier)
    assert caught.value.index == 1 and "does not verify" in str(caught.value)

"""A unit with more warnings than its page lists inline and than one page of their complete
list holds, built through the real append path with real keys: every statement dated in 2024
and received now (late postings), every other integrity pact signed by under half its staff
(low coverage). And a unit with a few, all listed inline."""

from __future__ import annotations

from pakta_support import PACT_DOCUMENT, Agent, Harness, envelope_bytes

from registry.service import open_service
from registry.write.instance import Instance

MANY = "dinas-banyak-peringatan"
FEW = "dinas-sedikit-peringatan"
PACTS = 230  # late postings: PACTS + 1 (its registration too); low coverage: PACTS // 2


def pacts(harness: Harness, agent: Agent, count: int) -> None:
    batch = []
    for i in range(count):
        signed = 4 if i % 2 else 9  # of 10 staff: under half on every other pact
        body = {"signed_on": "2024-06-01", "signatories": signed, "staff_total": 10, "scope": "Uji"}
        payload = agent.statement("integrity_pact.signed", body, documents=[PACT_DOCUMENT])
        batch.append(envelope_bytes(payload, agent.key))
        agent.accepted(payload)
    found = harness.registry.submit_many(batch)
    assert not [r for r in found if isinstance(r, Exception)], found[:3]


def add_warned_units(instance: Instance) -> None:
    """MANY with PACTS pacts, FEW with 3, both registered and posting late."""
    service = open_service(instance)
    try:
        harness = Harness(service.registry)
        for name, count in ((MANY, PACTS), (FEW, 3)):
            agent = Agent(name)
            harness.register(agent)
            pacts(harness, agent, count)
    finally:
        service.close()

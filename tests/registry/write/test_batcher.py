"""The process's group-commit writer (`registry.write.batcher.GroupCommit`) on a real SQLite
registry: concurrent submissions share appends and each gets its own answer; after `close`, a
submission is refused, never left waiting."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from pakta_support import PACT_DOCUMENT, Agent, Harness, envelope_bytes, pact_body

from registry.rules.errors import ConflictError
from registry.service import Service
from registry.write.batcher import GroupCommit, WriterError


@pytest.fixture
def service(sqlite_service: Service) -> Service:
    return sqlite_service


def pacts(service: Service, agencies: int, each: int) -> list[list[bytes]]:
    h = Harness(service.registry)
    out = []
    for i in range(agencies):
        agent = Agent(f"pemkab-b{i}")
        h.register(agent)
        chain = []
        for _ in range(each):
            payload = agent.statement(
                "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT]
            )
            agent.accepted(payload)
            chain.append(envelope_bytes(payload, agent.key))
        out.append(chain)
    return out


def test_concurrent_submissions_share_appends_and_get_their_own_answers(
    service: Service,
) -> None:
    chains = pacts(service, 8, 3)
    writer = GroupCommit(service.registry, window=0.05)
    try:

        def post(chain: list[bytes]) -> list[object]:
            answers: list[object] = []
            for data in [*chain, chain[0]]:  # the last is a duplicate of the first
                try:
                    answers.append(writer.submit(data))
                except ConflictError as e:
                    answers.append(e.code)
            return answers

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(post, chains))
        for i, answers in enumerate(results):
            assert [getattr(r, "agency", r) for r in answers] == [f"pemkab-b{i}"] * 3 + [
                "duplicate"
            ]
            assert [getattr(r, "seq", None) for r in answers[:3]] == [1, 2, 3]
        assert writer.batches < 24  # 24 appended statements, fewer appends
    finally:
        writer.close()


def test_a_closed_writer_refuses_rather_than_waits(service: Service) -> None:
    chains = pacts(service, 1, 1)
    writer = GroupCommit(service.registry)
    writer.close()
    size = service.registry.size()
    refused: list[BaseException] = []

    def post() -> None:
        try:
            writer.submit(chains[0][0])
        except WriterError as e:
            refused.append(e)

    late = threading.Thread(target=post, daemon=True)
    late.start()
    late.join(10)
    assert not late.is_alive() and "shutting down" in str(refused[0])
    assert service.registry.size() == size

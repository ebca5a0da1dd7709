"""Threads and processes appending at once still make one linear log: no gap, no fork.

Checked by a full audit of the result (every index, `prev` link, agency `seq`/`prev`,
signature and the checkpoint root) on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from pakta_support import Agent, Harness, append_pacts, worker_process

from keys.ed25519 import write_private_key
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.service import open_service
from registry.write.instance import Instance


def audited_size(instance: Instance, registry: object, folder: Path) -> int:
    export(registry, folder)  # type: ignore[arg-type]
    report = audit(
        source_fetch(str(folder)), NoteVerifier.parse(instance.log_vkey), instance.registrar_keys
    )
    return report.size


@pytest.mark.slow
def test_threads_on_the_same_and_on_different_agencies(instance: Instance, tmp_path: Path) -> None:
    service = open_service(instance)
    try:
        h = Harness(service.registry)
        agents = [Agent(f"pemkab-t{i}") for i in range(3)]
        for agent in agents:
            h.register(agent)
        # Two threads share agency 0; one thread each for agencies 1 and 2.
        plan = [agents[0], agents[0], agents[1], agents[2]]
        threads = [
            threading.Thread(target=append_pacts, args=(service.registry, a.agency, a.key, 8))
            for a in plan
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert service.registry.size() == 3 + 4 * 8
        assert service.registry.head("pemkab-t0").seq == 16  # type: ignore[union-attr]
        assert audited_size(instance, service.registry, tmp_path / "export") == 35
    finally:
        service.close()


@pytest.mark.slow
def test_processes_on_the_same_and_on_different_agencies(
    instance: Instance, tmp_path: Path
) -> None:
    service = open_service(instance)
    try:
        h = Harness(service.registry)
        agents = [Agent(f"pemkab-p{i}") for i in range(2)]
        for agent in agents:
            h.register(agent)
            write_private_key(tmp_path / f"{agent.agency}.key", agent.key)
        plan = [agents[0], agents[0], agents[1]]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(len(plan)) as pool:
            results = [
                pool.apply_async(
                    worker_process,
                    (str(instance.path), a.agency, str(tmp_path / f"{a.agency}.key"), 6),
                )
                for a in plan
            ]
            conflicts = [r.get(timeout=240) for r in results]
        assert all(c >= 0 for c in conflicts)
        assert service.registry.size() == 2 + 3 * 6
        # This process's cached aggregates fast-forward to what the others appended.
        assert service.registry.head("pemkab-p0").seq == 12  # type: ignore[union-attr]
        assert audited_size(instance, service.registry, tmp_path / "export") == 20
    finally:
        service.close()

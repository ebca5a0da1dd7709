"""Group commit at the HTTP edge, on the production server: `pakta serve` (gunicorn, two
workers) and 32 concurrent clients posting valid, duplicate, stale and invalid statements.
Each client gets its own right answer, concurrent POSTs share appends, and the log stays one
linear log that audits clean; two servers on one database too."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pakta_support import (
    PACT_DOCUMENT,
    Agent,
    Harness,
    envelope_bytes,
    free_port,
    held,
    pact_body,
)

from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.service import open_service
from registry.write.instance import Instance, load_instance


@contextmanager
def pakta_serve(instance: Instance, workers: int = 2) -> Iterator[str]:
    """`pakta serve` in its own process group; yields its URL once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "web", "--instance", str(instance.path), "serve"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "16"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/api/v1/log", timeout=2).read()
                break
            except OSError:  # refused, reset or timed out: not up yet
                if process.poll() is not None:
                    raise AssertionError(process.stderr.read().decode()) from None  # type: ignore[union-attr]
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def post(url: str, data: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url + "/api/v1/statements", data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as e:
        assert e.headers["Content-Type"] == "application/problem+json"
        return e.code, json.load(e)


def checkpoints(instance: Instance, low: int, high: int) -> int:
    """How many sizes in (low, high] have a signed checkpoint: one per append transaction."""
    service = open_service(instance)
    try:
        return sum(service.registry.checkpoint(n) is not None for n in range(low + 1, high + 1))
    finally:
        service.close()


def scenario(instance: Instance, urls: list[str]) -> None:
    service = open_service(instance)
    h = Harness(service.registry)
    owners = [Agent(f"pemkab-c{i}") for i in range(16)]
    others = [Agent(f"pemkab-o{i}") for i in range(4)]
    seen = []
    for agent in owners + others:
        h.register(agent)
    for agent in others:
        payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        service.registry.submit(envelope_bytes(payload, agent.key))
        seen.append(envelope_bytes(payload, agent.key))
        agent.accepted(payload)
    start = service.registry.size()
    service.close()
    answers: dict[str, list[tuple[int, str]]] = {}
    errors: list[BaseException] = []

    def run(name: str, url: str, work: list[bytes]) -> None:
        try:
            got = []
            for data in work:
                status, body = post(url, data)
                got.append((status, body.get("code", "")))
            answers[name] = got
        except BaseException as e:  # reported below, not swallowed
            errors.append(e)

    def owner_work(agent: Agent) -> list[bytes]:
        out = []
        for _ in range(3):
            payload = agent.statement(
                "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT]
            )
            out.append(envelope_bytes(payload, agent.key))
            agent.accepted(payload)
        return out

    def stale(agent: Agent) -> list[bytes]:
        """A statement at a seq the agency has already used."""
        old = Agent(agent.agency, key=agent.key, seq=agent.seq - 1, prev="sha256:" + "0" * 64)
        payload = old.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        return [envelope_bytes(payload, agent.key)]

    jobs = [(f"owner{i}", owner_work(a)) for i, a in enumerate(owners)]
    jobs += [(f"dup{i}", [seen[i % len(seen)]]) for i in range(8)]
    jobs += [(f"stale{i}", stale(others[i])) for i in range(4)]
    jobs += [("invalid0", [b"{not json"]), ("invalid1", [b'{"payload": 1}'])]
    fresh = others[0].statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    forged = envelope_bytes(fresh, Agent("someone-else").key)
    jobs += [("invalid2", [forged])]
    jobs += [("invalid3", [b"[]"])]
    threads = [
        threading.Thread(target=run, args=(name, urls[i % len(urls)], work))
        for i, (name, work) in enumerate(jobs)
    ]
    assert len(threads) == 32
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(16):
        assert answers[f"owner{i}"] == [(201, "")] * 3, answers[f"owner{i}"]
    for i in range(8):
        assert answers[f"dup{i}"] == [(409, "duplicate")], answers[f"dup{i}"]
    for i in range(4):
        assert answers[f"stale{i}"][0] == (409, "stale-seq"), answers[f"stale{i}"]
    for i in range(4):
        status, _ = answers[f"invalid{i}"][0]
        assert status in (400, 422), answers[f"invalid{i}"]
    report = audit(
        source_fetch(urls[0]), NoteVerifier.parse(instance.log_vkey), instance.registrar_keys
    )
    assert report.size == start + 48
    # Concurrent POSTs shared append transactions: fewer checkpoints than statements.
    assert checkpoints(instance, start, report.size) < 48


@pytest.mark.integration
@pytest.mark.slow
def test_32_clients_on_two_gunicorn_workers(instance: Instance) -> None:
    with pakta_serve(instance) as url:
        scenario(instance, [url])
        assert held(instance)  # one worker leads, the other hands it its POSTs
    assert not held(instance)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.postgres
def test_two_servers_on_one_database_make_one_linear_log(
    instance: Instance, tmp_path: Path
) -> None:
    if not instance.database_url.startswith("postgresql"):
        pytest.skip("two hosts share a PostgreSQL database")
    # Each host has its own copy of the instance folder, so its own writer (run/writer.lock):
    # two writers, sequenced only by the database's advisory lock.
    other_host = load_instance(shutil.copytree(instance.path, tmp_path / "other-host"))
    with pakta_serve(instance) as first, pakta_serve(other_host) as second:
        scenario(instance, [first, second])
        assert held(instance) and held(other_host)

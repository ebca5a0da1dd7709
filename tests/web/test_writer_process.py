"""`pakta writer` beside the workers (web/writer.py): `pakta serve` and gunicorn with
deploy/gunicorn.conf.py start one, it holds the host's writer lock and appends the workers'
POSTs; killed, a worker takes over and POSTs still land; it never outlives its server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from pakta_support import (
    PACT_DOCUMENT,
    Agent,
    Harness,
    envelope_bytes,
    free_port,
    held,
    new_instance,
    pact_body,
)

from registry.service import open_service
from registry.write.instance import Instance

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_instance(tmp_path: Path) -> Instance:
    return new_instance(tmp_path / "instance", f"sqlite:///{tmp_path / 'pakta.sqlite3'}")


def children(pid: int) -> dict[int, str]:
    """pid -> command line of every process whose parent is `pid`."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
            command = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found[int(name)] = command
    return found


def writers(pid: int) -> list[int]:
    return [p for p, command in children(pid).items() if " writer " in command + " "]


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited, not yet reaped by its parent
            return True
        time.sleep(0.05)
    return False


@contextmanager
def running(
    command: list[str], env: dict[str, str], port: int
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/log", timeout=2).read()
                break
            except OSError:
                assert process.poll() is None, "the server exited"
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


def serve(instance: Instance, port: int, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "web", "--instance", str(instance.path), "serve"]
    return [*command, "--bind", f"127.0.0.1:{port}", "--workers", "2", *extra]


def deploy_gunicorn(instance: Instance, port: int) -> tuple[list[str], dict[str, str]]:
    """gunicorn with deploy/gunicorn.conf.py, as systemd runs it: (command, environment)."""
    env = dict(os.environ, PAKTA_INSTANCE=str(instance.path))
    env.update(PAKTA_BIND=f"127.0.0.1:{port}", PAKTA_WORKERS="2")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return [gunicorn, "--config", str(ROOT / "deploy" / "gunicorn.conf.py")], env


def pacts(instance: Instance, count: int) -> list[bytes]:
    service = open_service(instance)
    try:
        agents = [Agent(f"pemkab-w{i}") for i in range(count)]
        for agent in agents:
            Harness(service.registry).register(agent)
    finally:
        service.close()
    out = []
    for agent in agents:
        payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        out.append(envelope_bytes(payload, agent.key))
    return out


def post(port: int, data: bytes) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/statements",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        json.load(response)
        return int(response.status)


@pytest.mark.integration
@pytest.mark.slow
def test_pakta_serve_appends_through_its_writer_and_survives_losing_it(
    sqlite_instance: Instance,
) -> None:
    port = free_port()
    work = pacts(sqlite_instance, 9)
    with running(serve(sqlite_instance, port), dict(os.environ), port) as server:
        (writer,) = writers(server.pid)
        assert held(sqlite_instance)
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(lambda d: post(port, d), work[:8])) == [201] * 8
        os.kill(writer, signal.SIGKILL)  # a crash: a worker takes the lock
        assert gone(writer)
        assert post(port, work[8]) == 201
        assert held(sqlite_instance)
    assert gone(writer) and not held(sqlite_instance)


@pytest.mark.integration
@pytest.mark.slow
def test_the_writer_never_outlives_its_server(sqlite_instance: Instance) -> None:
    port = free_port()
    with running(serve(sqlite_instance, port), dict(os.environ), port) as server:
        (writer,) = writers(server.pid)
        for worker in children(server.pid):
            if worker != writer:
                os.kill(worker, signal.SIGKILL)
        server.kill()  # no chance to stop it: the writer sees its parent go
        assert gone(writer)


@pytest.mark.integration
@pytest.mark.slow
def test_without_a_writer_process_a_worker_appends(sqlite_instance: Instance) -> None:
    port = free_port()
    (data,) = pacts(sqlite_instance, 1)
    command = serve(sqlite_instance, port, "--no-writer-process")
    with running(command, dict(os.environ), port) as server:
        assert writers(server.pid) == [] and held(sqlite_instance)
        assert post(port, data) == 201


@pytest.mark.integration
@pytest.mark.slow
def test_gunicorn_with_the_deploy_config_starts_and_stops_a_writer(
    sqlite_instance: Instance,
) -> None:
    port = free_port()
    (data,) = pacts(sqlite_instance, 1)
    with running(*deploy_gunicorn(sqlite_instance, port), port) as server:
        (writer,) = writers(server.pid)
        assert post(port, data) == 201
    assert gone(writer)


@pytest.mark.integration
@pytest.mark.slow
def test_no_server_makes_a_control_socket_in_the_accounts_home(
    sqlite_instance: Instance, tmp_path: Path
) -> None:
    """gunicorn 25.1+ opens a control socket at ~/.gunicorn/gunicorn.ctl, one path for every
    gunicorn of the account: a second server on the host takes it from the first, and under
    systemd's ProtectHome it cannot be made. Neither `pakta serve` nor the deploy config opens
    one (systemctl manages the server). Two instances: one host's servers of one instance
    would share its writer, and the second would wait for the first's."""
    home = tmp_path / "home"
    home.mkdir()
    other = new_instance(tmp_path / "other", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    first, second = free_port(), free_port()
    command, env = deploy_gunicorn(other, second)
    env = {k: v for k, v in env.items() if k != "XDG_RUNTIME_DIR"} | {"HOME": str(home)}
    serve_env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    with running(serve(sqlite_instance, first), serve_env | {"HOME": str(home)}, first):
        with running(command, env, second):
            for port in (first, second):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/log") as found:
                    assert found.status == 200
            assert list(home.iterdir()) == []


@pytest.mark.integration
@pytest.mark.slow
def test_a_reload_starts_a_new_writer_in_place_of_the_old(sqlite_instance: Instance) -> None:
    """After an upgrade, `systemctl reload pakta` (gunicorn's SIGHUP) must leave new code
    appending: the old writer stops and a new one takes the lock, with the deploy config
    (which gunicorn reads again on a reload) as with `pakta serve`."""
    port = free_port()
    work = pacts(sqlite_instance, 300)
    with running(*deploy_gunicorn(sqlite_instance, port), port) as server:
        (old,) = writers(server.pid)
        # POSTs go on, from 4 clients, while the writer is replaced: none of them fails.
        stop = threading.Event()
        answers: list[tuple[float, int]] = []
        queue = iter(work)
        lock = threading.Lock()

        def client() -> None:
            while not stop.is_set():
                with lock:
                    data = next(queue, None)
                if data is None:
                    return
                answers.append((time.monotonic(), post(port, data)))

        with ThreadPoolExecutor(4) as pool:
            for _ in range(4):
                pool.submit(client)
            time.sleep(0.3)
            reloaded = time.monotonic()
            server.send_signal(signal.SIGHUP)
            assert gone(old)
            deadline = time.monotonic() + 30
            while not (found := writers(server.pid)) and time.monotonic() < deadline:
                time.sleep(0.1)
            replaced = time.monotonic()
            time.sleep(0.3)
            stop.set()
        (new,) = found
        assert new != old
        assert [status for _, status in answers] == [201] * len(answers)
        assert any(reloaded < t < replaced for t, _ in answers)  # some landed meanwhile
        assert len(answers) < len(work)  # the clients were still posting at the end
    assert gone(new)

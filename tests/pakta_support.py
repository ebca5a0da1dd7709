"""Test helpers: real Ed25519 keys that build, sign and track an agency's chain."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events import build_statement, sha256_ref
from keys.dsse import sign
from keys.ed25519 import b64, generate, load_private_key, public_bytes

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_server_url() -> str | None:
    return os.environ.get("PAKTA_TEST_POSTGRES") or None


def sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextmanager
def database(backend: str, folder: Any) -> Iterator[str]:
    """A fresh database's URL: a SQLite file in `folder`, or a new PostgreSQL database on
    PAKTA_TEST_POSTGRES, dropped afterwards (skips the test when that is not set)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder}/pakta.sqlite3"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("PAKTA_TEST_POSTGRES is not set")
    import psycopg

    name = f"pakta_test_{uuid.uuid4().hex[:12]}"
    plain = sqlalchemy_url(server).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = sqlalchemy_url(server).rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_instance(folder: Any, database_url: str | None = None) -> Any:
    """An initialised instance with its schema, as `pakta init` makes it."""
    from registry.migration import migrate
    from registry.write.instance import init_instance

    found = init_instance(folder, database_url=database_url, origin="test.pakta/log")
    migrate(found)
    return found


def envelope_bytes(payload: bytes, *keys: Ed25519PrivateKey) -> bytes:
    return json.dumps(sign(payload, list(keys)).to_json()).encode()


@dataclass
class Agent:
    """An agency as a client: its id, head key, and where its chain stands."""

    agency: str
    key: Ed25519PrivateKey = field(default_factory=generate)
    seq: int = -1
    prev: str | None = None
    clock: datetime = T0

    def statement(self, type_: str, body: dict[str, Any], **kw: Any) -> bytes:
        self.clock += timedelta(minutes=1)
        return build_statement(
            type_, self.agency, self.seq + 1, self.prev, kw.pop("issued_at", self.clock), body, **kw
        )

    def accepted(self, payload: bytes) -> None:
        self.seq += 1
        self.prev = sha256_ref(payload)

    def key_grant(
        self, role: str = "agency_head", key: Ed25519PrivateKey | None = None
    ) -> dict[str, str]:
        return {
            "public_key": b64(public_bytes(key or self.key)),
            "role": role,
            "holder": f"Kepala {self.agency}",
        }


def registration(
    agent: Agent, kind: str = "pemerintah_kabupaten", parent: str | None = None
) -> bytes:
    return agent.statement(
        "agency.registered",
        {
            "name": f"Pemerintah {agent.agency}",
            "kind": kind,
            "parent": parent,
            "region": {"kemendagri": "33.11", "bps": "3311", "name": "Kabupaten Sukoharjo"},
            "keys": [agent.key_grant()],
        },
    )


def declaration_body(declared_on: str = "2024-06-01") -> dict[str, Any]:
    return {"declared_on": declared_on, "target": "WBK", "units": [], "place": "Aula"}


class Harness:
    """Drives a `Registry` the way clients do: sign, submit, track the chain."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self.registrar = load_private_key(registry.instance.registrar_key_path())

    def register(self, agent: Agent, **kw: Any) -> Any:
        payload = registration(agent, **kw)
        receipt = self.registry.submit(envelope_bytes(payload, self.registrar))
        agent.accepted(payload)
        return receipt

    def post(
        self, agent: Agent, type_: str, body: dict[str, Any], *keys: Ed25519PrivateKey, **kw: Any
    ) -> Any:
        payload = agent.statement(type_, body, **kw)
        receipt = self.registry.submit(envelope_bytes(payload, *(keys or (agent.key,))))
        agent.accepted(payload)
        return receipt


class LiveServer:
    """A real HTTP server for a Flask app on 127.0.0.1 (port chosen by the OS), in a thread."""

    def __init__(self, app: Any) -> None:
        import threading

        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def pact_body(day: str = "2024-06-01") -> dict[str, Any]:
    return {"signed_on": day, "signatories": 9, "staff_total": 10, "scope": "Seluruh pegawai"}


PACT_DOCUMENT = {
    "name": "pakta.pdf",
    "sha256": "sha256:" + "a" * 64,
    "media_type": "application/pdf",
}


def pact_envelope(agent: Agent) -> bytes:
    """The agent's next pact, signed, as the bytes a client posts (the agent moves on)."""
    payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    agent.accepted(payload)
    return envelope_bytes(payload, agent.key)


def append_pacts(registry: Any, agency: str, key: Ed25519PrivateKey, count: int) -> int:
    """Append `count` pacts for `agency`, rebuilding on every conflict as a real client does.

    Returns how many conflicts it met. Used by threads and by worker processes.
    """
    from events import build_statement
    from registry.rules.errors import ConflictError

    conflicts = 0
    done = 0
    while done < count:
        head = registry.head(agency)
        payload = build_statement(
            "integrity_pact.signed",
            agency,
            head.seq + 1,
            head.hash,
            datetime.now(UTC),
            pact_body(),
            documents=[PACT_DOCUMENT],
        )
        try:
            registry.submit(envelope_bytes(payload, key))
            done += 1
        except ConflictError:
            conflicts += 1
    return conflicts


def worker_process(instance_dir: str, agency: str, key_file: str, count: int) -> int:
    """Entry point of a separate process appending to a shared registry."""
    from pathlib import Path

    from registry.service import open_service
    from registry.write.instance import load_instance

    service = open_service(load_instance(Path(instance_dir)))
    try:
        return append_pacts(service.registry, agency, load_private_key(Path(key_file)), count)
    finally:
        service.close()


@contextmanager
def served(instance_path: Any) -> Iterator[LiveServer]:
    """The site and API of the instance at `instance_path`, on a real HTTP server."""
    from web import close_app, create_app

    app = create_app({"PAKTA_INSTANCE": str(instance_path)})
    server = LiveServer(app)
    try:
        yield server
    finally:
        server.close()
        close_app(app)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def held(instance: Any) -> bool:
    """Whether a process holds the folder's writer lock (it leads that host's writes)."""
    with open(instance.path / "run" / "writer.lock", "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False

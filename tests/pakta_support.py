"""Test helpers: real Ed25519 keys that build, sign and track an agency's chain."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events import build_statement, sha256_ref
from keys.dsse import sign
from keys.ed25519 import b64, generate, load_private_key, public_bytes

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


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

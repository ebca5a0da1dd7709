"""The instance folder: configuration, trust anchors and private keys of one registry.

Layout: `config.json` (database URL, origin, the registrar public keys that anchor all trust,
the log's verifier key), `keys/registrar.key` and `keys/log.key` (PKCS8, mode 0600) and, by
default, the SQLite database `pakta.sqlite3`. `pakta init` writes it once; nothing here ever
overwrites an existing key.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keys.ed25519 import b64, generate, key_id, load_private_key, public_bytes, unb64
from keys.ed25519 import write_private_key as _write_private_key
from keys.errors import PaktaError
from keys.note import NoteSigner, verifier_key

DEFAULT_ORIGIN = "pakta.localhost/log"


class InstanceError(PaktaError):
    """The instance folder is missing, incomplete or already initialised."""


@dataclass
class Instance:
    """A registry's folder and what `config.json` says."""

    path: Path
    database_url: str
    origin: str
    registrar_keys: dict[str, bytes]
    log_vkey: str
    witnesses: list[dict[str, str]] = field(default_factory=list)  # [{"url", "vkey"}]
    witness_quorum: int = 0

    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    @property
    def lock_path(self) -> Path | None:
        """The `flock` file that serialises SQLite writers across processes."""
        return self.path / "append.lock" if self.database_url.startswith("sqlite") else None

    def log_signer(self) -> NoteSigner:
        return NoteSigner(self.origin, load_private_key(self.path / "keys" / "log.key"))

    def registrar_key_path(self) -> Path:
        return self.path / "keys" / "registrar.key"

    def to_json(self) -> dict[str, Any]:
        return {
            "database_url": self.database_url,
            "origin": self.origin,
            "registrar_keys": {k: b64(v) for k, v in self.registrar_keys.items()},
            "log_vkey": self.log_vkey,
            "witnesses": self.witnesses,
            "witness_quorum": self.witness_quorum,
        }

    def save(self) -> None:
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.config_path)


def default_database_url(path: Path) -> str:
    return f"sqlite:///{(path / 'pakta.sqlite3').resolve()}"


def init_instance(
    path: Path, *, database_url: str | None = None, origin: str = DEFAULT_ORIGIN
) -> Instance:
    """Create the folder, the registrar and log keys and `config.json`; refuse to redo it."""
    if (path / "config.json").exists():
        raise InstanceError(f"{path} is already initialised (config.json exists)")
    if not origin or any(c.isspace() or c == "+" for c in origin):
        raise InstanceError(f"origin {origin!r} must be non-empty without spaces or '+'")
    (path / "keys").mkdir(parents=True, exist_ok=True)
    registrar = generate()
    log_key = generate()
    _write_private_key(path / "keys" / "registrar.key", registrar)
    _write_private_key(path / "keys" / "log.key", log_key)
    instance = Instance(
        path=path,
        database_url=database_url or default_database_url(path),
        origin=origin,
        registrar_keys={key_id(public_bytes(registrar)): public_bytes(registrar)},
        log_vkey=verifier_key(origin, public_bytes(log_key)),
    )
    instance.save()
    return instance


def load_instance(path: Path) -> Instance:
    config = path / "config.json"
    if not config.exists():
        raise InstanceError(f"{path} is not a Pakta instance: run 'pakta init' first")
    try:
        data = json.loads(config.read_text())
        return Instance(
            path=path,
            database_url=data["database_url"],
            origin=data["origin"],
            registrar_keys={k: unb64(v) for k, v in data["registrar_keys"].items()},
            log_vkey=data["log_vkey"],
            witnesses=list(data.get("witnesses", [])),
            witness_quorum=int(data.get("witness_quorum", 0)),
        )
    except (ValueError, KeyError, TypeError) as e:
        raise InstanceError(f"{config} is not valid: {e}") from None

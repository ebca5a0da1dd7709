"""The instance folder: configuration, trust anchors and private keys of one registry.

Layout: `config.json` (database URL, origin, the registrar public keys that anchor all trust,
the log's verifier key, the site's public URL), `keys/registrar.key` and `keys/log.key` (PKCS8)
and, by default, the SQLite database `pakta.sqlite3`. `pakta init` writes it once, the folder
and `keys/` mode 0700 and every file in it 0600 (the SQLite file is created here, before the
schema, so it is never readable by others, and SQLite gives its journal the same mode);
`check_private_files` refuses an instance whose keys or database file others can read.
Nothing here ever overwrites an existing key.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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
    public_url: str | None = None  # where citizens reach the site; links are built on it

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
            "public_url": self.public_url,
        }

    def save(self) -> None:
        tmp = self.config_path.with_suffix(".tmp")
        text = json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), 0o600)  # also when an old .tmp had another mode
            f.write(text)
        os.replace(tmp, self.config_path)

    def sqlite_file(self) -> Path | None:
        """The SQLite database file, if the database is one (not in memory)."""
        return sqlite_file(self.database_url)

    def create_private_database(self) -> None:
        """Create the SQLite file (if it is one and missing) with mode 0600 before SQLite does:
        SQLite would create it with the umask's mode (0644), and its journal and WAL copy
        the database file's mode."""
        database = self.sqlite_file()
        if database is not None and not database.exists():
            database.parent.mkdir(parents=True, exist_ok=True)
            _private_file(database)

    def check_private_files(self) -> None:
        """Refuse (InstanceError) if others than the owner can read a private key or the SQLite
        database (it holds the whole log, and a copy would let anyone serve a fork of it)."""
        files = [self.path / "keys" / "log.key", self.registrar_key_path()]
        database = self.sqlite_file()
        if database is not None:
            files.append(database)
        for path in files:
            if not path.exists():
                continue
            mode = stat.S_IMODE(path.stat().st_mode)
            if os.name == "posix" and mode & 0o077:
                raise InstanceError(
                    f"{path} is readable by others (mode {mode:04o}); run: chmod 600 {path}"
                )


def default_database_url(path: Path) -> str:
    return f"sqlite:///{(path / 'pakta.sqlite3').resolve()}"


def sqlite_file(database_url: str) -> Path | None:
    """The file a SQLite URL names; None for another database or an in-memory one."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):  # a URI filename (?uri=true): its path part
        return Path(urlsplit(url.database).path) if url.query.get("uri") else None
    return Path(url.database)


def check_public_url(url: str | None) -> str | None:
    """An http(s) URL with a host and neither query nor fragment (a base for links), or None."""
    if url is None:
        return None
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(c.isspace() or ord(c) < 0x20 or c in "\"'<>\\" for c in url)
    ):
        raise InstanceError(
            f"public URL {url!r} must be http(s)://host[:port][/path] without query or fragment"
        )
    return url.rstrip("/")


def _private_file(path: Path) -> None:
    """Create `path` empty with mode 0600, or make an existing one 0600."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    os.chmod(path, 0o600)  # the umask cannot widen 0600, but an existing file may be wider


def init_instance(
    path: Path,
    *,
    database_url: str | None = None,
    origin: str = DEFAULT_ORIGIN,
    public_url: str | None = None,
) -> Instance:
    """Create the folder, the registrar and log keys and `config.json`; refuse to redo it."""
    if (path / "config.json").exists():
        raise InstanceError(f"{path} is already initialised (config.json exists)")
    if not origin or any(c.isspace() or c == "+" for c in origin):
        raise InstanceError(f"origin {origin!r} must be non-empty without spaces or '+'")
    public_url = check_public_url(public_url)
    (path / "keys").mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    os.chmod(path / "keys", 0o700)
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
        public_url=public_url,
    )
    database = instance.sqlite_file()
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
        _private_file(database)  # an existing file named by --database-url is made 0600 too
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
            public_url=check_public_url(data.get("public_url")),
        )
    except (ValueError, KeyError, TypeError) as e:
        raise InstanceError(f"{config} is not valid: {e}") from None

"""Helpers for the audit and mirror tests: logs of real signed statements, grown fast with
`submit_many`, copies that fork them, and exports forged by a registry that signs what it likes.
"""

from __future__ import annotations

import gzip
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pakta_support import PACT_DOCUMENT, Agent, envelope_bytes, pact_body, registration

from keys.ed25519 import load_private_key
from keys.note import NoteSigner, sign_note
from registry.service import Service, open_service
from registry.tlog import merkle, tiles
from registry.tlog.checkpoint import Checkpoint
from registry.write.instance import Instance

Fetch = Callable[[str], bytes]


def register(service: Service, agents: list[Agent]) -> None:
    registrar = load_private_key(service.instance.registrar_key_path())
    batch = []
    for agent in agents:
        payload = registration(agent)
        batch.append(envelope_bytes(payload, registrar))
        agent.accepted(payload)
    for result in service.registry.submit_many(batch):
        assert not isinstance(result, Exception), result


def grow(service: Service, agents: list[Agent], count: int, batch: int = 100) -> None:
    """Append `count` integrity pacts, round robin over `agents`, in groups of `batch`."""
    turn = 0
    while count > 0:
        envelopes = []
        for _ in range(min(batch, count)):
            agent = agents[turn % len(agents)]
            turn += 1
            agent.clock += timedelta(seconds=1)
            payload = agent.statement(
                "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT]
            )
            envelopes.append(envelope_bytes(payload, agent.key))
            agent.accepted(payload)
        for result in service.registry.submit_many(envelopes):
            assert not isinstance(result, Exception), result
        count -= len(envelopes)


def copy_instance(instance: Instance, folder: Path) -> Instance:
    """The same registry (keys and SQLite log) in another folder, writing to its own copy."""
    shutil.copytree(instance.path, folder)
    database = instance.database_url.removeprefix("sqlite:///")
    target = folder / Path(database).name
    if not target.exists():
        shutil.copy(database, target)
    return replace(instance, path=folder, database_url=f"sqlite:///{target}")


class Counting:
    """A fetch that records every path asked for (from any thread)."""

    def __init__(self, fetch: Fetch) -> None:
        self.fetch = fetch
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, path: str) -> bytes:
        with self._lock:
            self.paths.append(path)
        return self.fetch(path)

    def bundles(self) -> list[str]:
        return sorted(p for p in self.paths if p.startswith("tile/entries/"))


def entries_of(folder: Path) -> list[bytes]:
    """Every entry of an export folder, from its entry bundles, in order."""
    size = Checkpoint.parse((folder / "checkpoint").read_text().split("\n\n")[0] + "\n").size
    out: list[bytes] = []
    for tile in tiles.entry_tiles_for_size(size):
        out += tiles.decode_entry_bundle((folder / tile.path()).read_bytes(), tile.width)
    return out


def forge(source: Path, target: Path, entries: list[bytes], instance: Instance) -> None:
    """An export of `entries` signed with the instance's own log key: what a registry that
    rewrote its log would serve. Anchors and histories are copied from `source`."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("tile", "checkpoint*"))
    stored = merkle.build_stored_hashes(merkle.leaf_hash(e) for e in entries)
    reader = merkle.ListHashReader(stored)
    size = len(entries)
    for tile in tiles.tiles_for_size(size):
        _write(target / tile.path(), tiles.read_tile_data(tile, reader))
    for tile in tiles.entry_tiles_for_size(size):
        first = tile.index * tiles.TILE_WIDTH
        _write(target / tile.path(), tiles.encode_entry_bundle(entries[first : first + tile.width]))
    root = merkle.tree_hash(size, reader)
    signer = NoteSigner(instance.origin, load_private_key(instance.path / "keys" / "log.key"))
    note = sign_note(Checkpoint(instance.origin, size, root).to_text(), [signer])
    _write(target / "checkpoint", note.encode())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def with_entry(entries: list[bytes], index: int, change: Callable[[dict[str, Any]], None]) -> bytes:
    entry = json.loads(entries[index])
    change(entry)
    return json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()


class _Quiet(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as nginx serves

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Gzipped(_Quiet):
    """Every file gzipped for a client that accepts it (as `gzip_static` or a CDN does)."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().do_GET()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def static_server(folder: Path, gzipped: bool = False) -> Iterator[str]:
    """`folder` served by a plain `http.server` on 127.0.0.1, as a static host would."""
    handler = _Gzipped if gzipped else _Quiet
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def export_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def fresh(instance: Instance) -> Service:
    return open_service(instance)

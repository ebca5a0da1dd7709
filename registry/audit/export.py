"""Writing the log as static files: the C2SP tiles, checkpoints and the auditor's anchors.

The layout is the one the web server serves (`checkpoint`, `tile/...`, `log-key`,
`registrar-keys.json`, `agencies.json`, `checkpoints/<size>`), so `pakta audit DIR` and
`pakta audit URL` run the same code, and any static host can mirror the log.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from keys.ed25519 import b64
from registry.tlog import tiles
from registry.write import storage
from registry.write.app import Registry
from registry.write.instance import Instance


def read_tile(registry: Registry, tile: tiles.Tile, size: int) -> bytes | None:
    """The bytes of `tile` in the tree of `size`, or None if that tree does not have it."""
    first = tile.index * tiles.TILE_WIDTH
    if tile.is_entries:
        if first + tile.width > size:
            return None
        entries = [e.encode() for _, e in registry.entries(first, first + tile.width)]
        return tiles.encode_entry_bundle(entries)
    if (first + tile.width) << (tiles.TILE_HEIGHT * tile.level) > size:
        return None
    return tiles.read_tile_data(tile, registry.hash_reader())


def registrar_keys_json(instance: Instance) -> dict[str, str]:
    return {kid: b64(raw) for kid, raw in instance.registrar_keys.items()}


def agency_histories(registry: Registry) -> dict[str, list[dict[str, Any]]]:
    """Every agency's stored events (their effects): the auditor recomputes each from the log."""
    with registry.engine.connect() as conn:
        names = conn.execute(select(storage.statement_index.c.agency).distinct()).scalars()
        agencies = sorted(set(names))
    return {agency: registry.agency_effects(agency) for agency in agencies}


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def export(registry: Registry, folder: Path) -> int:
    """Write the latest checkpoint's tree as tiles into `folder`; return its size."""
    import json

    note = registry.checkpoint()
    if note is None:
        return 0
    size = int(note.split("\n")[1])
    for tile in [*tiles.tiles_for_size(size), *tiles.entry_tiles_for_size(size)]:
        data = read_tile(registry, tile, size)
        assert data is not None
        _write(folder / tile.path(), data)
    with registry.engine.connect() as conn:
        for row in conn.execute(select(storage.checkpoints)):
            _write(folder / "checkpoints" / str(row.size), row.note.encode())
    _write(folder / "checkpoint", note.encode())
    _write(folder / "log-key", (registry.instance.log_vkey + "\n").encode())
    keys_json = json.dumps(registrar_keys_json(registry.instance), indent=2, sort_keys=True)
    _write(folder / "registrar-keys.json", keys_json.encode())
    histories = json.dumps(agency_histories(registry), sort_keys=True)
    _write(folder / "agencies.json", histories.encode())
    return size

"""Writing the log as static files, incrementally: the C2SP tiles, checkpoints, histories and
the auditor's anchors, in the layout the web server serves.

`pakta export DIR` (`checkpoint`, `checkpoints/<size>`, `tile/...`, `log-key`,
`registrar-keys.json`, `histories/<agency>/...`) lets `pakta audit DIR` and `pakta audit URL`
run the same code and any static host mirror the log. Run again on the same folder, it writes
only what changed since the checkpoint the folder holds: the tiles that gained hashes, the
partial tiles of every checkpoint published since (tlog-tiles: served until the full tile
exists, then deleted), the new checkpoints (and the last one exported, which witnesses may
have cosigned since), the history pages of the agencies the new entries touched, and anything
else whose bytes differ. Every file is written to a temporary name, flushed and renamed, and
the `checkpoint` file last, so a reader or a sync job never sees a half-written mirror. The
result is byte for byte what a full export into an empty folder writes. A folder holding
another log, or a longer or different history of this one, is refused.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import TopicError
from sqlalchemy import select

from events.statement import load_statement
from keys.dsse import Envelope
from keys.ed25519 import b64
from keys.errors import PaktaError
from keys.note import parse_note
from registry.audit import histories
from registry.rules.changes import current_form
from registry.rules.types import rules_for
from registry.tlog import tiles
from registry.tlog.checkpoint import Checkpoint
from registry.write import storage
from registry.write.app import Registry
from registry.write.domain import agency_uuid
from registry.write.instance import Instance
from registry.write.storage import StoreError


class ExportError(PaktaError):
    """The folder cannot take this registry's export."""


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
    """Every agency's stored events (their effects), all at once (the web's `/agencies.json`;
    exports and audits use the pages of `registry.audit.histories`)."""
    return {agency: registry.agency_effects(agency) for agency in _agencies(registry, None)}


def history_effects(
    registry: Registry, agency: str, first: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """An agency's stored effects from effect `first` on (its aggregate's versions after it),
    at most `limit` of them."""
    try:
        found = list(registry.events.get(agency_uuid(agency), gt=first or None, limit=limit))
    except (MapperDeserialisationError, TopicError) as e:
        raise StoreError(f"a stored event of agency {agency!r} cannot be read: {e}") from None
    return [current_form(getattr(event, "effect")) for event in found]  # noqa: B009


def _agencies(registry: Registry, below: int | None) -> list[str]:
    t = storage.statement_index
    query = select(t.c.agency).distinct()
    if below is not None:
        query = query.where(t.c.idx < below)
    with registry.engine.connect() as conn:
        return sorted(set(conn.execute(query).scalars()))


class _Folder:
    """Atomic writes into the export folder, skipping files whose bytes are already there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written = 0

    def write(self, path: str, data: bytes) -> None:
        target = self.root / path
        try:
            if target.read_bytes() == data:
                return
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        self.written += 1

    def remove(self, path: str) -> None:
        target = self.root / path
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)


def _size_of(note: str) -> int:
    return Checkpoint.parse(parse_note(note.encode()).text).size


def _exported(registry: Registry, folder: Path) -> int:
    """The size of the tree the folder holds, after checking it is this log's."""
    try:
        note = (folder / "checkpoint").read_text()
    except FileNotFoundError:
        return 0
    except (OSError, UnicodeDecodeError) as e:
        raise ExportError(f"{folder / 'checkpoint'} cannot be read: {e}") from None
    try:
        size = _size_of(note)
    except PaktaError as e:
        raise ExportError(f"{folder / 'checkpoint'} is not a checkpoint: {e}") from None
    ours = registry.checkpoint(size)
    if ours is None or parse_note(ours.encode()).text != parse_note(note.encode()).text:
        raise ExportError(
            f"{folder} holds a checkpoint of size {size} that this registry never signed: "
            "another log, or a history this one no longer has; export into an empty folder"
        )
    return size


def export(registry: Registry, folder: Path) -> int:
    """Bring `folder` up to the registry's published checkpoint; return its size."""
    note = registry.checkpoint(quorum=registry.instance.witness_quorum)
    if note is None:
        return 0
    size = _size_of(note)
    old = _exported(registry, folder)
    if old > size:
        raise ExportError(f"{folder} holds {old} entries, the registry publishes {size}")
    out = _Folder(folder)
    notes = _checkpoints(registry, old, size)
    new_tiles = [*tiles.tiles_for_size(size, old), *tiles.entry_tiles_for_size(size, old)]
    partials = {t for s in notes if s > old for t in _partial_tiles(s, size)}
    for tile in sorted({*new_tiles, *partials}, key=lambda t: (t.level, t.index, t.width)):
        data = read_tile(registry, tile, size)  # a partial tile's hashes are in any larger tree
        assert data is not None
        out.write(tile.path(), data)
    for agency, effects, first in _touched(registry, folder, old, size):
        for path, data in histories.pages(agency, effects, first):
            out.write(path, data)
        if first < histories.last_page(first * histories.PAGE + len(effects)):
            out.remove(histories.page_path(agency, first, partial=True))  # page `first` filled
    out.write("log-key", (registry.instance.log_vkey + "\n").encode())
    keys_json = json.dumps(registrar_keys_json(registry.instance), indent=2, sort_keys=True)
    out.write("registrar-keys.json", keys_json.encode())
    for s, text in notes.items():
        out.write(f"checkpoints/{s}", text.encode())
    for tile in new_tiles:
        if not tile.is_partial:  # tlog-tiles: its partial tiles may go once it is full
            out.remove(tile.path() + ".p")
    out.write("checkpoint", note.encode())
    for leftover in folder.rglob("*.tmp"):  # of an export that was interrupted
        leftover.unlink(missing_ok=True)
    return size


def _checkpoints(registry: Registry, old: int, size: int) -> dict[int, str]:
    """Every checkpoint from the last exported one (`old`, which may have gained cosignatures)
    to `size`."""
    t = storage.checkpoints
    query = select(t.c.size, t.c.note).where(t.c.size >= old, t.c.size <= size)
    with registry.engine.connect() as conn:
        return {int(r.size): r.note for r in conn.execute(query.order_by(t.c.size))}


def _partial_tiles(checkpoint_size: int, size: int) -> list[tiles.Tile]:
    """The partial tiles of a published tree that are still partial in the tree of `size`."""
    edge = [*tiles.tiles_for_size(checkpoint_size), *tiles.entry_tiles_for_size(checkpoint_size)]
    return [
        t
        for t in edge
        if t.is_partial
        and ((t.index + 1) * tiles.TILE_WIDTH) << (tiles.TILE_HEIGHT * max(t.level, 0)) > size
    ]


def _touched(
    registry: Registry, folder: Path, old: int, size: int
) -> Iterable[tuple[str, list[dict[str, Any]], int]]:
    """(agency, its effects from page `first` on, first) for every agency whose history the
    entries `old`..`size - 1` changed, up to those of the tree of `size`."""
    if old == 0:
        agencies = _agencies(registry, size)
    else:
        agencies = sorted(_affected(registry, old, size))
    for agency in agencies:
        first = _exported_page(folder / "histories" / agency) if old else 0
        effects = history_effects(registry, agency, first * histories.PAGE)
        effects = [e for e in effects if not _after(e, size)]
        if first or effects:
            yield agency, effects, first


def _after(effect: Any, size: int) -> bool:
    """An effect of an entry the exported tree does not have yet (a stored effect that is
    not even that is published as it is: the audit will say what is wrong with it)."""
    index = effect.get("index") if isinstance(effect, dict) else None
    return isinstance(index, int) and index >= size


def _affected(registry: Registry, old: int, size: int) -> set[str]:
    """The agencies the entries `old`..`size - 1` gave an effect: each statement's own, and
    those its type's rules note it in (`registry.rules.replay`)."""
    found: set[str] = set()
    for index, text in registry.entries(old, size):
        statement = load_statement(Envelope.from_json(json.loads(text)["envelope"]).payload)
        found.add(statement.agency)
        found.update(a for a, _ in rules_for(statement.type).changes(statement, index))
    return found


def _exported_page(folder: Path) -> int:
    """The page an agency's exported history was being filled at (0 if none was exported)."""
    pages = [histories.parse_page_name(p.name) for p in folder.glob("*.p.json")]
    return max((page for page, partial in filter(None, pages) if partial), default=0)

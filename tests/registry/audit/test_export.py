"""`pakta export DIR` run again and again on the same folder writes what a full export into an
empty folder writes, byte for byte, every file, while writing only what changed; it keeps the
partial tiles of every published checkpoint until their tile fills (C2SP tlog-tiles); and it
refuses a folder that holds another history."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_support import copy_instance, export_files, grow, register
from pakta_support import Agent, new_instance

from registry.audit.export import ExportError, export
from registry.audit.histories import PAGE
from registry.service import Service, open_service
from registry.tlog import tiles
from registry.tlog.checkpoint import Checkpoint


def full_export(service: Service, folder: Path) -> dict[str, bytes]:
    export(service.registry, folder)
    return export_files(folder)


def test_incremental_exports_equal_full_ones_at_every_step(tmp_path: Path) -> None:
    service = open_service(new_instance(tmp_path / "i", f"sqlite:///{tmp_path / 'db'}"))
    try:
        busy, other = Agent("pemkab-sibuk"), Agent("pemkab-lain")
        register(service, [busy, other])
        mirror = tmp_path / "mirror"
        steps = [(3, 7), (250, 1), (10, 3), (1, 300), (0, 0)]  # crosses 256 and 512 entries
        for n, (busy_pacts, other_pacts) in enumerate(steps):
            grow(service, [busy], busy_pacts, batch=37)
            grow(service, [other], other_pacts)
            before = {p: p.stat().st_mtime_ns for p in mirror.rglob("*") if p.is_file()}
            export(service.registry, mirror)
            got = export_files(mirror)
            assert got == full_export(service, tmp_path / f"full{n}"), f"step {n}"
            assert not [p for p in got if p.endswith(".tmp")]
            after = {p: p.stat().st_mtime_ns for p in mirror.rglob("*") if p.is_file()}
            if (busy_pacts, other_pacts) == (0, 0):
                assert after == before  # nothing new: nothing written
            else:  # a tile (full, or partial at its width) once written is never rewritten
                written = [p for p in before if "tile" in p.relative_to(mirror).parts]
                assert all(after[p] == before[p] for p in written if p in after)
        # The busy agency's history spans full pages and the page being filled.
        pages = sorted(p.name for p in (mirror / "histories" / "pemkab-sibuk").iterdir())
        effects = 1 + 3 + 250 + 10 + 1
        assert pages == ["0.json", f"{effects // PAGE}.p.json"]
    finally:
        service.close()


def test_every_published_checkpoint_has_its_partial_tiles_until_they_fill(tmp_path: Path) -> None:
    service = open_service(new_instance(tmp_path / "i", f"sqlite:///{tmp_path / 'db'}"))
    try:
        agent = Agent("pemkab-a")
        register(service, [agent])
        grow(service, [agent], 300, batch=41)
        export(service.registry, tmp_path / "m")
    finally:
        service.close()
    folder = tmp_path / "m"
    size = Checkpoint.parse((folder / "checkpoint").read_text().split("\n\n")[0] + "\n").size
    published = sorted(int(p.name) for p in (folder / "checkpoints").iterdir())
    assert len(published) > 5 and published[-1] == size
    for n in published:
        for tile in [*tiles.tiles_for_size(n), *tiles.entry_tiles_for_size(n)]:
            full = tiles.Tile(tile.level, tile.index)
            if (folder / full.path()).exists():
                assert not (folder / (full.path() + ".p")).exists()  # deleted once full
            else:
                assert (folder / tile.path()).is_file(), (n, tile.path())


def test_a_folder_holding_another_history_is_refused(tmp_path: Path) -> None:
    instance = new_instance(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}")
    service = open_service(instance)
    agent = Agent("pemkab-a")
    register(service, [agent])
    grow(service, [agent], 5)
    service.close()
    twin = open_service(copy_instance(instance, tmp_path / "b"))
    service = open_service(instance)
    try:
        grow(service, [agent], 3)
        export(service.registry, tmp_path / "mirror")
        other = Agent("pemkab-b")
        register(twin, [other])  # the same keys, another history from entry 6 on
        grow(twin, [other], 4)
        before = export_files(tmp_path / "mirror")
        with pytest.raises(ExportError, match="never signed"):
            export(twin.registry, tmp_path / "mirror")
        assert export_files(tmp_path / "mirror") == before
        foreign = open_service(new_instance(tmp_path / "c", f"sqlite:///{tmp_path / 'c.db'}"))
        register(foreign, [Agent("pemkab-c")])
        with pytest.raises(ExportError):
            export(foreign.registry, tmp_path / "mirror")
        foreign.close()
    finally:
        service.close()
        twin.close()

"""The demo loaded deterministically (fixed keys, fixed clock), and its golden `pakta export`.

Ed25519 signatures are deterministic, so with every key derived from a fixed seed and the
registry's clock fixed, loading the demo always gives the same log, byte for byte. The golden
export in tests/vectors/demo-export/ was written by this module before registry/ was split
into subpackages (issue 8); the test compares a fresh export with it, so a refactor that
changes a single byte of the log fails. Issue 9 rewrote it once for the export's new layout
only: `/agencies.json` became the pages under `histories/` (the same effects), and the partial
tiles of every published checkpoint are kept; the entries, tiles and checkpoints are the bytes
written before.

    .venv/bin/python tests/golden_demo.py           # rewrite tests/vectors/demo-export
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from keys.ed25519 import key_id, public_bytes, write_private_key  # noqa: E402
from keys.note import verifier_key  # noqa: E402
from registry.audit.export import export  # noqa: E402
from registry.demo.loader import DemoLoader  # noqa: E402
from registry.migration import migrate  # noqa: E402
from registry.service import Service, open_service  # noqa: E402
from registry.write.instance import Instance, default_database_url  # noqa: E402

GOLDEN = HERE / "vectors" / "demo-export"
ORIGIN = "golden.pakta/log"
START = datetime(2026, 11, 1, tzinfo=UTC)


def fixed_key(name: str) -> Ed25519PrivateKey:
    """The same Ed25519 key for the same name, every time (test use only)."""
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"pakta-golden-key:" + name.encode()).digest()
    )


class FixedClock:
    """A registry clock that starts at `START` and moves one second per append."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def fixed_instance(folder: Path, database_url: str | None = None) -> Instance:
    """An initialised instance whose registrar and log keys are `fixed_key`s."""
    (folder / "keys").mkdir(parents=True)
    registrar, log_key = fixed_key("registrar"), fixed_key("log")
    write_private_key(folder / "keys" / "registrar.key", registrar)
    write_private_key(folder / "keys" / "log.key", log_key)
    instance = Instance(
        path=folder,
        database_url=database_url or default_database_url(folder),
        origin=ORIGIN,
        registrar_keys={key_id(public_bytes(registrar)): public_bytes(registrar)},
        log_vkey=verifier_key(ORIGIN, public_bytes(log_key)),
    )
    instance.save()
    migrate(instance)
    return instance


def load_fixed_demo(folder: Path, database_url: str | None = None) -> Service:
    """A running registry at `folder` holding the whole demo, loaded deterministically."""
    instance = fixed_instance(folder, database_url)
    service = open_service(instance, clock=FixedClock())
    DemoLoader(service.registry, folder, new_key=fixed_key).load()
    return service


def export_files(folder: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of an export folder as (relative path, bytes), in path order."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        yield path.relative_to(folder).as_posix(), path.read_bytes()


def write_golden(scratch: Path) -> int:
    service = load_fixed_demo(scratch / "instance")
    try:
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        return export(service.registry, GOLDEN)
    finally:
        service.close()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        size = write_golden(Path(tmp))
    print(f"wrote {GOLDEN} ({size} entries)")

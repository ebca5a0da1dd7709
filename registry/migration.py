"""Bringing a database up to what this Pakta writes: `pakta init` and `pakta migrate`.

An instance an older Pakta set up can be behind in three ways, and `migrate` brings each up
to date without touching a log entry:
- the log's tables: created if missing; a log of another schema version is refused (entries
  are never converted);
- the subject chains (`pakta_subject_links`, which came after schema 2): when a non-empty log
  has none recorded for its last entry, or they were recorded by an older map version's rule
  (before the years' window subjects, docs/subject-map.md), they are recorded from the log,
  with everything else that is derived (what `pakta fsck --repair` does);
- the read model: the layout of its tables is recorded as a fingerprint; when the tables this
  Pakta defines differ, they are dropped, created again and filled from the log.

A server refuses to open a database whose read model has another fingerprint
(registry/read/layout.py), rather than fail on a missing column in the middle of a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from registry.audit.fsck import repair
from registry.read import tables
from registry.read.layout import READ_MODEL, read_model_fingerprint, record, stored
from registry.read.projector import Projector
from registry.service import open_service
from registry.write import storage, subjects
from registry.write.app import Registry
from registry.write.instance import Instance, InstanceError


@dataclass(frozen=True)
class Migrated:
    """What `migrate` did."""

    schema: str
    read_model_rebuilt: bool
    chains_recorded: bool


def _chains_behind(registry: Registry) -> bool:
    size = registry.size()
    if size == 0:
        return False
    with registry.engine.connect() as conn:
        last = conn.execute(select(func.max(subjects.links.c.idx))).scalar_one()
        newest = conn.execute(select(func.max(storage.checkpoints.c.size))).scalar_one()
        current = newest is None or subjects.chains_current(conn, int(newest))
    return last is None or int(last) < size - 1 or not current


def migrate(instance: Instance) -> Migrated:
    """Create or update every table (idempotent); rebuild what is derived where it is behind."""
    instance.create_private_database()
    registry = Registry(instance)
    try:
        found = storage.schema_version(registry.engine)
        if found is not None and found != storage.SCHEMA_VERSION:
            raise InstanceError(
                f"the database holds Pakta schema {found}; this Pakta writes schema "
                f"{storage.SCHEMA_VERSION} and cannot convert it"
            )
        registry.recorder.create_table()  # type: ignore[attr-defined]
        storage.metadata.create_all(registry.engine)
        projector = Projector(registry)
        fingerprint = read_model_fingerprint()
        rebuild = stored(registry.engine, READ_MODEL) != fingerprint
        if rebuild:
            tables.metadata.drop_all(registry.engine)
        projector.create_tables()
        if rebuild:
            projector.clear()  # the position too: the next open replays the whole log
            record(registry.engine, READ_MODEL, fingerprint)
        storage.record_schema_version(registry.engine)
        chains = _chains_behind(registry)
        empty = registry.size() == 0
    finally:
        registry.close()
        registry.engine.dispose()
    if not empty and (chains or rebuild):
        _derive(instance, chains)
    return Migrated(storage.SCHEMA_VERSION, rebuild, chains)


def _derive(instance: Instance, chains: bool) -> None:
    """Fill what `migrate` emptied or found missing, from the log (opening the service
    replays the log into an empty read model)."""
    service = open_service(instance, check=False)
    try:
        if chains:
            repair(service)
    finally:
        service.close()

"""One running registry: the write side, its read model and its witnesses, wired together.

`migrate(instance)` (registry/migration.py) creates or updates the database schema (what
`pakta init` and `pakta migrate` run, once, before any server starts); `open_service(instance)`
opens a registry on a database at the current schema and read-model layout (refusing an
instance whose private keys or SQLite file others can read), makes the `Projector` its read
side, brings the read model up to date, and returns a `Service`. Read queries live in
`registry.read` and take a connection (`Service.read()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from registry.read.layout import check_read_model
from registry.read.projector import Projector
from registry.tlog import merkle
from registry.write import storage
from registry.write.app import Registry
from registry.write.instance import Instance, InstanceError, load_instance
from registry.write.witnessing import Witnessing


@dataclass
class Service:
    registry: Registry
    projector: Projector
    witnessing: Witnessing
    _stamp: int = 0  # the config file's mtime as last read

    @property
    def instance(self) -> Instance:
        return self.registry.instance

    def current(self) -> Instance:
        """The instance's config as it is on disk now (`pakta witness-add` changes it while
        servers run); read again only when the file changed."""
        path = self.instance.config_path
        stamp = path.stat().st_mtime_ns
        if stamp != self._stamp:
            fresh = load_instance(self.instance.path)
            self.instance.witnesses = fresh.witnesses
            self.instance.witness_quorum = fresh.witness_quorum
            self._stamp = stamp
        return self.instance

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for read queries (`registry.read.*`)."""
        with self.registry.engine.connect() as conn:
            yield conn

    def published_checkpoint(self) -> str | None:
        """The newest checkpoint that meets the witness policy (k-of-n cosignatures)."""
        return self.registry.checkpoint(quorum=self.current().witness_quorum)

    def close(self) -> None:
        self.witnessing.stop()
        self.registry.close()
        self.registry.engine.dispose()


def open_service(
    instance: Instance,
    *,
    clock: Callable[[], datetime] | None = None,
    check: bool = True,
    connections: int | None = None,
) -> Service:
    """A running registry. With `check` (servers), it refuses a log whose newest checkpoint
    does not match the stored tree hashes (`pakta fsck` opens it without, to say why)."""
    instance.check_private_files()  # before anything opens the keys or the database
    registry = Registry(instance, clock=clock, connections=connections)
    found = storage.schema_version(registry.engine)
    if found != storage.SCHEMA_VERSION:
        registry.close()
        registry.engine.dispose()
        raise InstanceError(
            f"the database of {instance.path} is at schema {found or 'none'}, not "
            f"{storage.SCHEMA_VERSION}: run 'pakta migrate' (or 'pakta init' for a new one)"
        )
    try:
        check_read_model(registry.engine, instance.path)
    except InstanceError:
        registry.close()
        registry.engine.dispose()
        raise
    if check:
        try:
            size = registry.size()
            with registry.datastore.transaction(commit=False) as session:
                reader = storage.SessionHashReader(session, merkle.stored_hash_count(size), {})
                storage.check_tree(session, size, reader)
        except Exception:
            registry.close()
            registry.engine.dispose()
            raise
    projector = Projector(registry)
    registry.read_side = projector
    projector.catch_up()
    service = Service(registry, projector, Witnessing(registry, lambda: service.current()))
    registry.after_append.append(service.witnessing.poke)
    return service

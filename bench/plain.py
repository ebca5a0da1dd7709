"""Bench: plain eventsourcing against Pakta's append, 1 and 100 statements a save, interleaved.

The plain side is what eventsourcing does with no registry around it: an aggregate event and an
`EventSourcedLog` entry per statement, of the same sizes as Pakta's (measured from a real Pakta
append), saved with the library's own recorder (`eventsourcing.sqlite` on a file,
`eventsourcing.postgres`) one save per statement or per 100. The Pakta side is
`Registry.submit` and `submit_many(100)` of real signed envelopes, built beforehand. Rounds
alternate plain and Pakta so that a neighbour's load slows both alike; each figure is the
median of the rounds, and each ratio is Pakta/plain of the same round's medians.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from eventsourcing.application import Application, EventSourcedLog
from eventsourcing.domain import Aggregate, DomainEvent, event
from eventsourcing.utils import register_topic

from .common import Client, fresh_service, median, pg_exec, postgres_server, ratio


class PlainAgency(Aggregate):
    """An agency as plain eventsourcing would keep it: one event per statement."""

    @event("Registered")
    def __init__(self, effect: dict[str, Any]) -> None:
        self.effect = effect

    @event("Accepted")
    def accept(self, effect: dict[str, Any]) -> None:
        self.effect = effect


class PlainEntry(DomainEvent):
    TOPIC = "bench:PlainEntry"
    entry: str


register_topic(PlainEntry.TOPIC, PlainEntry)


class Plain:
    """Plain eventsourcing with the library's own recorder for `backend`."""

    def __init__(self, backend: str, folder: str, entry_size: int, effect_size: int) -> None:
        env = {"AGGREGATE_CACHE_MAXSIZE": "10000"}
        self.database: str | None = None
        if backend == "sqlite":
            env |= {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": f"{folder}/plain.sqlite3",
            }
        else:
            server = postgres_server()
            assert server is not None
            self.database = f"pakta_bench_plain_{uuid.uuid4().hex[:8]}"
            pg_exec(f'CREATE DATABASE "{self.database}"')
            parts = urlsplit(server)
            env |= {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": self.database,
                "POSTGRES_HOST": parts.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": parts.username or "postgres",
                "POSTGRES_PASSWORD": parts.password or "",
            }
        self.app: Application[Any] = Application(env)
        self.log = EventSourcedLog(self.app.events, uuid.uuid4(), PlainEntry)
        self.entry = "e" * entry_size
        self.effect = {"effect": "f" * max(1, effect_size - 14)}
        self.agencies = [PlainAgency(effect=self.effect) for _ in range(100)]
        self.app.save(*self.agencies)
        self.turn = 0
        self.version = 0  # the log's last version, kept here as Pakta keeps its size

    def save(self, count: int) -> None:
        changed = []
        entries = []
        for _ in range(count):
            agency = self.agencies[self.turn % len(self.agencies)]
            self.turn += 1
            agency.accept(effect=self.effect)
            changed.append(agency)
            self.version += 1
            entries.append(
                self.log.trigger_event(entry=self.entry, next_originator_version=self.version)
            )
        self.app.save(*changed, *entries)

    def close(self) -> None:
        self.app.close()
        if self.database is not None:
            pg_exec(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@contextmanager
def timed(runs: dict[str, list[float]], name: str, count: int) -> Iterator[None]:
    """Time a block of `count` statements: statements/s, and this process's CPU us/statement."""
    start, cpu = time.perf_counter(), time.process_time()
    yield
    runs.setdefault(name, []).append(count / (time.perf_counter() - start))
    runs.setdefault(f"{name}_cpu_us", []).append((time.process_time() - cpu) * 1e6 / count)


def run(backends: list[str], rounds: int, singles: int, groups: int) -> dict[str, Any]:
    """Per backend: plain and Pakta statements/s at 1 and 100 a save, and the ratios."""
    out: dict[str, Any] = {}
    for backend in backends:
        with fresh_service(backend) as service, tempfile.TemporaryDirectory() as tmp:
            client = Client(service, agencies=100)
            client.submit([client.next()])
            registry = service.registry
            entry_size = len(registry.entry(registry.size() - 1) or "")
            effect_size = len(str(registry.agency_effects(client.names[0])[-1]))
            plain = Plain(backend, tmp, entry_size, effect_size)
            runs: dict[str, list[float]] = {}
            try:
                for _ in range(rounds):
                    with timed(runs, "plain_1", singles):
                        for _ in range(singles):
                            plain.save(1)
                    envelopes = client.many(singles)
                    with timed(runs, "pakta_1", singles):
                        for envelope in envelopes:
                            registry.submit(envelope)
                    with timed(runs, "plain_100", 100 * groups):
                        for _ in range(groups):
                            plain.save(100)
                    batches = [client.many(100) for _ in range(groups)]
                    with timed(runs, "pakta_100", 100 * groups):
                        for batch in batches:
                            client.submit(batch)
            finally:
                plain.close()
            figures: dict[str, Any] = {k: round(median(v), 1) for k, v in runs.items()}
            # CPU of this process per statement: steadier than wall clock on a shared machine
            # (it leaves out the database server's share).
            figures["ratio_1"] = ratio(figures["pakta_1"], figures["plain_1"])
            figures["ratio_100"] = ratio(figures["pakta_100"], figures["plain_100"])
            figures["entry_bytes"] = entry_size
            figures["effect_bytes"] = effect_size
            figures["rounds"] = {k: [round(x, 1) for x in v] for k, v in runs.items()}
            out[backend] = figures
            print(f"  {backend}: {figures}", flush=True)
    return out


if __name__ == "__main__":
    import json

    backends = ["sqlite"] + (["postgres"] if os.environ.get("PAKTA_TEST_POSTGRES") else [])
    print(json.dumps(run(backends, 2, 50, 2), indent=2))

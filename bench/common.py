"""Bench building blocks: signed statements in chain order, fresh or cached databases, a real
`pakta serve` in a subprocess, and the small statistics every section uses.

Nothing here is used outside `make bench`. Every statement is a real signed DSSE envelope that
goes through the registry's full path; envelopes are built before a timed block starts, so the
client's signing never counts against the registry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events import build_statement, sha256_ref
from keys.dsse import sign
from keys.ed25519 import b64, generate, load_private_key, public_bytes
from registry.migration import migrate
from registry.service import Service, open_service
from registry.write.instance import Instance, init_instance, load_instance

PACT = {"signed_on": "2024-06-01", "signatories": 9, "staff_total": 10, "scope": "Semua"}
DOCS = [{"name": "pakta.pdf", "sha256": "sha256:" + "a" * 64, "media_type": "application/pdf"}]
CACHE = Path(".bench")  # `python -m bench --cache DIR` moves it (the harness test does)


class Client:
    """Many agencies posting pacts: registers them, then builds valid envelopes in chain order
    (round robin, or for one agency)."""

    def __init__(self, service: Service, agencies: int, prefix: str = "bench") -> None:
        self.registry = service.registry
        registrar = load_private_key(service.instance.registrar_key_path())
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.heads: dict[str, tuple[int, str]] = {}
        self.names = [f"{prefix}-{i}" for i in range(agencies)]
        batch = []
        for i, agency in enumerate(self.names):
            key = generate()
            body = {
                "name": f"Bench {prefix} {i}",
                "kind": "perangkat_daerah",
                "parent": None,
                "region": None,
                "keys": [
                    {
                        "public_key": b64(public_bytes(key)),
                        "role": "agency_head",
                        "holder": "Kepala",
                    }
                ],
            }
            payload = build_statement(
                "agency.registered", agency, 0, None, "2024-01-01T00:00:00Z", body
            )
            batch.append(self.envelope(payload, registrar))
            self.keys[agency] = key
            self.heads[agency] = (0, sha256_ref(payload))
        for start in range(0, len(batch), 500):
            self.submit(batch[start : start + 500])
        self.turn = 0

    @staticmethod
    def envelope(payload: bytes, key: Ed25519PrivateKey) -> bytes:
        return json.dumps(sign(payload, [key]).to_json()).encode()

    def next_for(self, agency: str) -> bytes:
        seq, prev = self.heads[agency]
        payload = build_statement(
            "integrity_pact.signed",
            agency,
            seq + 1,
            prev,
            datetime.now(UTC),
            PACT,
            documents=DOCS,
        )
        self.heads[agency] = (seq + 1, sha256_ref(payload))
        return self.envelope(payload, self.keys[agency])

    def next(self) -> bytes:
        agency = self.names[self.turn % len(self.names)]
        self.turn += 1
        return self.next_for(agency)

    def many(self, count: int) -> list[bytes]:
        return [self.next() for _ in range(count)]

    def submit(self, batch: list[bytes]) -> None:
        for result in self.registry.submit_many(batch):
            if isinstance(result, Exception):
                raise result


def postgres_server() -> str | None:
    """PAKTA_TEST_POSTGRES as a libpq URL, or None."""
    url = os.environ.get("PAKTA_TEST_POSTGRES")
    return url.replace("postgresql+psycopg://", "postgresql://") if url else None


def pg_url(name: str) -> str:
    server = postgres_server()
    assert server is not None
    return server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


def pg_exec(sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    server = postgres_server()
    assert server is not None
    with psycopg.connect(server, autocommit=True) as conn:
        cur = conn.execute(sql)
        return list(cur.fetchall()) if cur.description else []


@contextmanager
def fresh_instance(backend: str) -> Iterator[Instance]:
    """A new, migrated instance on a fresh SQLite file or PostgreSQL database (dropped after)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        name = None
        if backend == "postgres":
            name = f"pakta_bench_{uuid.uuid4().hex[:8]}"
            pg_exec(f'CREATE DATABASE "{name}"')
            url = pg_url(name)
        instance = init_instance(Path(tmp) / "inst", database_url=url)
        migrate(instance)
        try:
            yield instance
        finally:
            if name is not None:
                pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_service(backend: str) -> Iterator[Service]:
    with fresh_instance(backend) as instance:
        service = open_service(instance)
        try:
            yield service
        finally:
            service.close()


def cached_instance(entries: int, agencies: int = 100) -> Instance:
    """An instance on PostgreSQL holding at least `entries` real statements, kept under
    .bench/ (folder and database) between runs: built once with `submit_many`, then reused."""
    folder = CACHE / f"pg-{entries}"
    name = cache_database(entries)
    marker = folder / "built.json"
    if marker.exists() and pg_exec(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        instance = load_instance(folder / "inst")
        migrate(instance)  # a log an older Pakta cached is upgraded, as an operator would
        return instance
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_exec(f'CREATE DATABASE "{name}"')
    instance = init_instance((folder / "inst").resolve(), database_url=pg_url(name))
    migrate(instance)
    service = open_service(instance)
    start = time.perf_counter()
    try:
        client = Client(service, agencies)
        while (size := service.registry.size()) < entries:
            client.submit(client.many(min(500, entries - size)))
            if size // 10_000 != service.registry.size() // 10_000:
                print(f"    built {service.registry.size()} entries", flush=True)
        size = service.registry.size()
    finally:
        service.close()
    seconds = time.perf_counter() - start
    marker.write_text(json.dumps({"entries": size, "seconds": round(seconds, 1)}) + "\n")
    print(f"    cached a {size}-entry log in {seconds:.0f} s under {folder}", flush=True)
    return instance


def cache_database(entries: int) -> str:
    """The PostgreSQL database of the cached log of `entries` (one per cache folder)."""
    where = hashlib.sha256(str(CACHE.resolve()).encode()).hexdigest()[:8]
    return f"pakta_bench_cache_{where}_{entries}"


def drop_cache_databases(sizes: list[int]) -> None:
    for entries in sizes:
        pg_exec(f'DROP DATABASE IF EXISTS "{cache_database(entries)}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`pakta serve` (gunicorn, the production server) on an instance, in a subprocess."""

    def __init__(self, instance: Instance, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        command = [sys.executable, "-m", "web", "--instance", str(instance.path), "serve"]
        self.process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{self.port}", *extra],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/checkpoint", timeout=2):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.log.seek(0)
                    output = self.log.read().decode()
                    raise RuntimeError("pakta serve did not start:\n" + output) from None
                time.sleep(0.2)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _proc_stats() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds so far) of every process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                text = f.read()
        except OSError:
            continue  # gone meanwhile
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        out[int(name)] = (int(fields[1]), comm, (int(fields[11]) + int(fields[12])) / tick)
    return out


def cpu_seconds(root: int) -> tuple[float, float]:
    """(CPU seconds of process `root` and its descendants, of every PostgreSQL process)."""
    stats = _proc_stats()
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, (parent, _, _) in stats.items() if parent in tree} - tree
        grew = bool(found)
        tree |= found
    mine = sum(stats[pid][2] for pid in tree if pid in stats)
    database = sum(cpu for _, comm, cpu in stats.values() if comm.startswith("postgres"))
    return mine, database


def steal_seconds() -> float:
    """CPU time the hypervisor gave to other machines so far (/proc/stat's steal; 0 where
    the kernel does not count it): the share of a run's stalls that no code here caused."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    return int(fields[7]) / os.sysconf("SC_CLK_TCK") if len(fields) > 7 else 0.0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0

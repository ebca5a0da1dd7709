"""`make bench`: append throughput, per-append cost as the log grows, proof latency, audit speed.

Every number comes from the real code path (signed DSSE envelopes through `Registry`), on a
fresh SQLite file and, when `PAKTA_TEST_POSTGRES` is set, a fresh PostgreSQL database. The
per-append cost is measured at several log sizes with the SQL statements counted, to show
that an append does O(1) database reads and O(log n) hashing whatever the size.

    python -m bench [--sizes 1000,100000] [--backends sqlite,postgres] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event

from events import build_statement, sha256_ref
from keys.dsse import sign
from keys.ed25519 import b64, generate, load_private_key, public_bytes
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.service import Service, migrate, open_service
from registry.tlog import merkle
from registry.write.instance import init_instance

from .bulk import grow

PACT = {"signed_on": "2024-06-01", "signatories": 9, "staff_total": 10, "scope": "Semua"}
DOCS = [{"name": "pakta.pdf", "sha256": "sha256:" + "a" * 64, "media_type": "application/pdf"}]


class Client:
    """Many agencies posting pacts: builds valid, signed envelopes in chain order."""

    def __init__(self, service: Service, agencies: int) -> None:
        self.registry = service.registry
        registrar = load_private_key(service.instance.registrar_key_path())
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.heads: dict[str, tuple[int, str]] = {}
        batch = []
        for i in range(agencies):
            agency = f"bench-{i}"
            key = generate()
            body = {
                "name": f"Bench {i}",
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
        self.submit(batch)
        self.turn = 0

    @staticmethod
    def envelope(payload: bytes, key: Ed25519PrivateKey) -> bytes:
        return json.dumps(sign(payload, [key]).to_json()).encode()

    def next(self) -> bytes:
        agency = f"bench-{self.turn % len(self.keys)}"
        self.turn += 1
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

    def submit(self, batch: list[bytes]) -> None:
        for result in self.registry.submit_many(batch):
            if isinstance(result, Exception):
                raise result


@contextmanager
def counting(engine: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


@contextmanager
def fresh_service(backend: str) -> Iterator[Service]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        name = None
        if backend == "postgres":
            import psycopg

            server = os.environ["PAKTA_TEST_POSTGRES"].replace("postgresql+psycopg", "postgresql")
            name = f"pakta_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            url = f"{url}/{name}"
        instance = init_instance(Path(tmp) / "inst", database_url=url)
        migrate(instance)
        service = open_service(instance)
        try:
            yield service
        finally:
            service.close()
            if name is not None:
                with psycopg.connect(server, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def bench_backend(backend: str, sizes: list[int], real_up_to: int) -> dict[str, Any]:
    out: dict[str, Any] = {"backend": backend}
    with fresh_service(backend) as service:
        client = Client(service, agencies=100)
        registry = service.registry
        by_size = []
        for size in sizes:
            if size > real_up_to:
                grow(service, size - 100)  # synthetic prefill: see bench/bulk.py
            while registry.size() < size:
                client.submit([client.next() for _ in range(min(500, size - registry.size()))])
            times = []
            with counting(registry.engine) as statements:
                for _ in range(100):
                    envelope = client.next()
                    t = time.perf_counter()
                    client.submit([envelope])
                    times.append(time.perf_counter() - t)
            selects = sum(1 for s in statements if s == "SELECT") / 100
            writes = sum(1 for s in statements if s in ("INSERT", "UPDATE")) / 100
            reader = registry.hash_reader()
            n = registry.size()
            proof_times = []
            for i in range(0, n, max(1, n // 100)):
                t = time.perf_counter()
                merkle.inclusion_proof(i, n, reader)
                proof_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            merkle.consistency_proof(n // 2, n, reader)
            consistency_ms = (time.perf_counter() - t) * 1000
            by_size.append(
                {
                    "entries": n,
                    "append_ms_median": round(statistics.median(times) * 1000, 2),
                    "selects_per_append": selects,
                    "writes_per_append": writes,
                    "inclusion_proof_ms_median": round(statistics.median(proof_times) * 1000, 2),
                    "consistency_proof_ms": round(consistency_ms, 2),
                }
            )
            print(f"  {backend} at {n} entries: {by_size[-1]}", flush=True)
        out["by_size"] = by_size
        # Throughput at the largest size: one statement a transaction, then 100.
        start = time.perf_counter()
        for _ in range(300):
            client.submit([client.next()])
        out["append_per_s_single"] = rate(300, time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(20):
            client.submit([client.next() for _ in range(100)])
        out["append_per_s_group100"] = rate(2000, time.perf_counter() - start)
        if backend == "sqlite" and max(sizes) <= real_up_to:
            out["audit"] = bench_audit(service)
    return out


def bench_audit(service: Service) -> dict[str, Any]:
    registry = service.registry
    with tempfile.TemporaryDirectory() as tmp:
        export(registry, Path(tmp))
        start = time.perf_counter()
        report = audit(
            source_fetch(tmp),
            NoteVerifier.parse(service.instance.log_vkey),
            service.instance.registrar_keys,
        )
        seconds = time.perf_counter() - start
    key = generate()
    message = b"x" * 600
    sig = key.sign(message)
    public = key.public_key()
    start = time.perf_counter()
    for _ in range(5000):
        public.verify(sig, message)
    raw = rate(5000, time.perf_counter() - start)
    return {
        "entries": report.size,
        "audit_entries_per_s": rate(report.size, seconds),
        "ed25519_verify_per_s": raw,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sizes", default="1000,100000")
    default_backends = "sqlite,postgres" if os.environ.get("PAKTA_TEST_POSTGRES") else "sqlite"
    parser.add_argument("--backends", default=default_backends)
    parser.add_argument("--out", default=".bench/results.json")
    parser.add_argument(
        "--real-up-to",
        type=int,
        default=100_000,
        help="larger sizes are prefilled with synthetic entries (bench/bulk.py)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for backend in args.backends.split(","):
        print(f"{backend}:", flush=True)
        results.append(bench_backend(backend, sizes, args.real_up_to))
        print(json.dumps(results[-1], indent=2), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

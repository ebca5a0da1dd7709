"""Bench: HTTP POSTs from 16 clients against `pakta serve` on PostgreSQL with the default
workers (one per core, 8 threads each) and `pakta writer` beside them, without the writer
process (a worker appends for the others), and as one worker of 16 threads, alternating on one
database, with every process's CPU per statement (`bench.http`). `python -m bench.http_workers
[ROUNDS [PER_CLIENT]]` (3 and 25 by default)."""

from __future__ import annotations

import sys

from registry.service import open_service

from . import http
from .common import Client, Server, fresh_instance, median

SETUPS = {
    "default (2 workers, a writer process)": (),
    "2 workers, no writer process": ("--no-writer-process",),
    "1 worker of 16 threads, no writer process": (
        *("--workers", "1", "--threads", "16", "--no-writer-process"),
    ),
}


def run(rounds: int = 3, per_client: int = 25) -> dict[str, dict[str, float]]:
    found: dict[str, list[tuple[float, dict[str, float]]]] = {}
    with fresh_instance("postgres") as instance:
        service = open_service(instance)
        client = Client(service, agencies=64)
        try:
            for _ in range(rounds):
                for name, extra in SETUPS.items():
                    with Server(instance, *extra) as server:
                        work = http.envelopes(client, 16, per_client)
                        used = http._cpu(server.process.pid)
                        seconds, ok, bad = http.post_all(server.port, work)
                        assert bad == 0, f"{bad} POSTs refused"
                        cpu = http._per_statement(used, server.process.pid, ok)
                        found.setdefault(name, []).append((ok / seconds, cpu))
                        print(f"    {name}: {ok / seconds:.0f}/s, CPU us {cpu}", flush=True)
        finally:
            service.close()
    return {
        name: {
            "per_s": round(median([rate for rate, _ in runs]), 1),
            **{f"{part}_cpu_us": round(median([c[part] for _, c in runs])) for part in runs[0][1]},
        }
        for name, runs in found.items()
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    for name, figures in run(*args).items():
        print(name, figures)

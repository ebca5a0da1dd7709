"""Bench: HTTP POSTs from 1, 4 and 16 concurrent clients against `pakta serve` on PostgreSQL,
and the same work in process (the registry's group-commit writer, no HTTP) for the ratio.

Each client thread owns a share of the agencies, so its statements extend their chains in the
order it sends them; all envelopes are signed before the clock starts. Rounds alternate the
client counts and the in-process run, on one database, so the figures share the machine's
load. A POST answered with anything but 201 is counted as an error (there should be none).
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from registry.service import open_service
from registry.write.batcher import GroupCommit

from .common import Client, Server, cpu_seconds, fresh_instance, median, ratio

PATH = "/api/v1/statements"


def envelopes(client: Client, threads: int, per_thread: int) -> list[list[bytes]]:
    """`per_thread` envelopes for each thread, each thread on its own agencies."""
    out: list[list[bytes]] = [[] for _ in range(threads)]
    for t in range(threads):
        mine = client.names[t::threads]
        for i in range(per_thread):
            out[t].append(client.next_for(mine[i % len(mine)]))
    return out


def post_all(port: int, work: list[list[bytes]]) -> tuple[float, int, int]:
    """Post every thread's envelopes on its own keep-alive connection: (seconds, ok, errors)."""
    ok = [0] * len(work)
    errors = [0] * len(work)
    barrier = threading.Barrier(len(work) + 1)

    def poster(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for body in work[t]:
            conn.request("POST", PATH, body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status == 201:
                ok[t] += 1
            else:
                errors[t] += 1
        conn.close()

    return _timed(poster, barrier, len(work)), sum(ok), sum(errors)


def in_process(writer: GroupCommit, work: list[list[bytes]]) -> float:
    """The same work through one process's group-commit writer: statements/s."""
    barrier = threading.Barrier(len(work) + 1)

    def poster(t: int) -> None:
        barrier.wait()
        for body in work[t]:
            writer.submit(body)

    return sum(len(w) for w in work) / _timed(poster, barrier, len(work))


def _timed(poster: Callable[[int], None], barrier: threading.Barrier, clients: int) -> float:
    """Seconds for `clients` threads running `poster(t)`, timed from the moment all of them
    (and this thread) pass `barrier` until the last one ends."""
    threads = [threading.Thread(target=poster, args=(t,)) for t in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def _cpu(server: int) -> tuple[float, float, float]:
    """CPU seconds so far: (the server's processes, this process's clients, PostgreSQL's)."""
    mine, database = cpu_seconds(server)
    return mine, time.process_time(), database


def _per_statement(before: tuple[float, float, float], server: int, count: int) -> dict[str, float]:
    """CPU microseconds per statement since `before`: by the server (the HTTP run's gunicorn
    processes; in process, this whole process), the clients (this process's posting threads;
    0 in process, where they are the server), and PostgreSQL."""
    after = _cpu(server)
    used = [(a - b) * 1e6 / max(count, 1) for a, b in zip(after, before, strict=True)]
    if server == os.getpid():
        return {"server": used[1], "database": used[2]}
    return {"server": used[0], "clients": used[1], "database": used[2]}


def run(rounds: int, per_client: int, clients: tuple[int, ...] = (1, 4, 16)) -> dict[str, Any]:
    runs: dict[str, list[float]] = {}
    errors = 0
    with fresh_instance("postgres") as instance:
        service = open_service(instance)
        client = Client(service, agencies=max(clients) * 4)
        writer = GroupCommit(service.registry)
        try:
            with Server(instance) as server:
                for _ in range(rounds):
                    for n in clients:
                        # The same number of statements at every concurrency, at least
                        # `per_client` per client.
                        each = max(per_client, per_client * max(clients) // (4 * n))
                        work = envelopes(client, n, each)
                        used = _cpu(server.process.pid)
                        seconds, ok, bad = post_all(server.port, work)
                        errors += bad
                        runs.setdefault(f"http_{n}", []).append(ok / seconds)
                        for part, us in _per_statement(used, server.process.pid, ok).items():
                            runs.setdefault(f"http_{n}_{part}_cpu_us", []).append(us)
                    work = envelopes(client, max(clients), per_client)
                    count = sum(len(w) for w in work)
                    used = _cpu(os.getpid())
                    runs.setdefault("in_process_group", []).append(in_process(writer, work))
                    for part, us in _per_statement(used, os.getpid(), count).items():
                        runs.setdefault(f"in_process_{part}_cpu_us", []).append(us)
                    print("    " + ", ".join(f"{k} {v[-1]:.0f}/s" for k, v in runs.items()))
        finally:
            writer.close()
            service.close()
    top = max(clients)
    figures: dict[str, Any] = {k: round(median(v), 1) for k, v in runs.items()}
    figures[f"ratio_http_{top}_to_in_process"] = ratio(
        figures[f"http_{top}"], figures["in_process_group"]
    )
    # What the machine's cores allow each way: cores / all the CPU a statement costs.
    cores = os.cpu_count() or 1
    for name in (f"http_{top}", "in_process"):
        total = sum(
            v for k, v in figures.items() if k.startswith(name + "_") and k.endswith("_cpu_us")
        )
        figures[f"{name}_cpu_bound_per_s"] = round(cores * 1e6 / total, 1) if total else 0.0
    figures["errors"] = errors
    figures["server"] = "pakta serve (gunicorn, default workers and threads), PostgreSQL"
    figures["rounds"] = {k: [round(x, 1) for x in v] for k, v in runs.items()}
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(2, 30), indent=2))

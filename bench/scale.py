"""Bench: what a larger log costs, at two sizes side by side (1k and 100k entries by default).

For each size, a PostgreSQL registry of real signed statements (the large one built once with
`submit_many` and cached under .bench/ between runs, `bench.common.cached_instance`):
- the cost of one append (`submit` of one statement, median) and the SQL statements it sends,
  measured in alternation across the sizes;
- what one request to each page costs with no queue (one client, one request at a time);
- the read latency of the home page, a search, an agency page and an entry page under
  `pakta serve`, at fixed offered rates (open loop: requests are sent on a schedule, and each
  latency counts from the time its request was due, so a server that falls behind is charged
  for the queue it builds). Both servers run at once and each page is loaded at both sizes
  at the same time, each at the offered rate, their schedules interleaved request by request:
  a stall of this shared machine (CPU stolen by the hypervisor, a neighbour's burst) then
  lands on both sizes alike instead of on whichever ran in that second, so the p99 ratio
  compares the log's sizes, not two moments of the machine. `rounds` passes over the pages,
  each point's p50/p99 over the requests of all its passes, with each pass's own p99 and the
  CPU time the hypervisor stole meanwhile (`steal_ms`, the same for both sizes) beside it.
"""

from __future__ import annotations

import http.client
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from sqlalchemy import event

from registry.service import Service, open_service
from registry.write import pipe as pipe_module
from registry.write.instance import Instance
from registry.write.pipe import Pipe

from .common import (
    Client,
    Server,
    cached_instance,
    median,
    percentile,
    ratio,
    steal_seconds,
)

SENDERS = 48  # client connections: more than the server's threads, so the server queues


@contextmanager
def counting(engine: Any) -> Iterator[list[str]]:
    """The first word of every SQL statement sent while it lasts: SQLAlchemy's, and those the
    append's pipe sends on the driver's connection itself (registry/write/pipe.py)."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    sent = Pipe.send
    # bench.ab runs this harness on older trees too: before the pipe shared statements
    # (`statements`), each queued write was sent as a statement of its own.
    shared = getattr(pipe_module, "statements", None)

    # And since the append sends its rows ahead (`send_ahead`, on PostgreSQL; on SQLite it
    # calls `send`), what that sends too.
    ahead = getattr(Pipe, "send_ahead", None)

    def count(self: Pipe) -> None:
        queued = self.queued
        sent_now = shared(queued, self.postgres) if shared is not None else queued
        seen.extend(row[0].split(None, 1)[0].upper() for row in sent_now)

    def send(self: Pipe, *, commit: bool = False) -> None:
        count(self)
        if commit and self.postgres and (self.queued or getattr(self, "_open", None)):
            seen.append("COMMIT")
        sent(self, commit=commit)

    def send_ahead(self: Pipe) -> None:
        if self.postgres:
            count(self)
        assert ahead is not None
        ahead(self)

    event.listen(engine, "before_cursor_execute", before)
    Pipe.send = send  # type: ignore[method-assign]
    if ahead is not None:
        Pipe.send_ahead = send_ahead  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Pipe.send = sent  # type: ignore[method-assign]
        if ahead is not None:
            Pipe.send_ahead = ahead  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", before)


def append_costs(services: dict[int, Service], rounds: int, count: int) -> dict[int, Any]:
    """Median ms of one append and SQL statements per append, sizes alternating."""
    clients = {
        n: Client(s, agencies=10, prefix=f"a{uuid.uuid4().hex[:8]}") for n, s in services.items()
    }
    times: dict[int, list[float]] = {n: [] for n in services}
    sql: dict[int, list[str]] = {n: [] for n in services}
    for _ in range(rounds):
        for n, service in services.items():
            envelopes = clients[n].many(count)
            with counting(service.registry.engine) as seen:
                for envelope in envelopes:
                    start = time.perf_counter()
                    service.registry.submit(envelope)
                    times[n].append(time.perf_counter() - start)
            sql[n].extend(seen)
    out = {}
    for n in services:
        appends = rounds * count
        out[n] = {
            "append_ms_median": round(median(times[n]) * 1000, 2),
            "sql_per_append": round(len(sql[n]) / appends, 1),
            "selects_per_append": round(sum(s == "SELECT" for s in sql[n]) / appends, 1),
        }
    return out


def offered_load(port: int, path: str, rate: float, seconds: float) -> dict[str, float]:
    """Send GET `path` at `rate` per second for `seconds`: p50/p99 ms from when each was due."""
    return summary(*offered_latencies(port, path, rate, seconds))


def summary(latencies: list[float], failures: int) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "requests": len(latencies),
        "failures": failures,
    }


def offered_latencies(
    port: int, path: str, rate: float, seconds: float, start: float | None = None
) -> tuple[list[float], int]:
    """`offered_load`'s latencies in seconds (from when each request was due), and failures;
    the first request is due at `start` (a `time.perf_counter()` time; default: now)."""
    due: queue.Queue[float | None] = queue.Queue()
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (when := due.get()) is not None:
            delay = when - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            ok = False
            for _attempt in range(2):  # the server may have closed an idle keep-alive link
                try:
                    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            done = time.perf_counter()
            with lock:
                latencies.append(done - when)
                failures[0] += not ok
        conn.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    if start is None:
        start = time.perf_counter() + 0.05
    total = max(1, round(rate * seconds))
    for i in range(total):
        due.put(start + i / rate)
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def offered_together(
    targets: list[tuple[int, str]], rate: float, seconds: float
) -> list[tuple[list[float], int]]:
    """`offered_latencies` for each (port, path) at once, each at `rate` with its own senders
    (a slow server holds none of the others' connections), the schedules staggered so that
    the targets' requests alternate: each target's latencies and failures, in order."""
    start = time.perf_counter() + 0.1
    found: list[tuple[list[float], int]] = [([], 0)] * len(targets)

    def load(k: int) -> None:
        port, path = targets[k]
        found[k] = offered_latencies(port, path, rate, seconds, start + k / (rate * len(targets)))

    threads = [threading.Thread(target=load, args=(k,)) for k in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def service_time(port: int, path: str, count: int) -> float:
    """Median ms of `count` requests one after another on one connection: what one request
    costs the server with no queue (two cores serve at most about 2000 / this per second)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
    conn.close()
    return round(median(times) * 1000, 1)


def pages(instance: Instance, size: int) -> dict[str, str]:
    return {
        "home": "/",
        "search": "/agencies?q=Bench+bench+7",
        "agency": "/agencies/bench-7",
        "entry": f"/entries/{size // 2}",
    }


def run(
    sizes: list[int],
    rounds: int,
    appends: int,
    rates: list[float],
    seconds: float,
    one_at_a_time: int = 30,
) -> dict[str, Any]:
    instances = {n: cached_instance(n) for n in sizes}
    out: dict[str, Any] = {"sizes": sizes, "rates": rates, "seconds_per_point": seconds}
    services = {n: open_service(i) for n, i in instances.items()}
    try:
        actual = {n: s.registry.size() for n, s in services.items()}
        out["entries"] = {str(n): actual[n] for n in sizes}
        costs = append_costs(services, rounds, appends)
    finally:
        for service in services.values():
            service.close()
    out["append"] = {str(n): c for n, c in costs.items()}
    small, large = sizes[0], sizes[-1]
    out["append_ratio_large_to_small"] = ratio(
        costs[large]["append_ms_median"], costs[small]["append_ms_median"]
    )
    reads: dict[str, Any] = {}
    with ExitStack() as stack:
        servers = {n: stack.enter_context(Server(i)) for n, i in instances.items()}
        for n, server in servers.items():  # warm each page once (templates, caches)
            for path in pages(instances[n], actual[n]).values():
                offered_load(server.port, path, 20, 0.25)
        costs_ms: dict[str, dict[str, float]] = {}
        for page in ("home", "search", "agency", "entry"):
            for n, server in servers.items():
                path = pages(instances[n], actual[n])[page]
                costs_ms.setdefault(page, {})[str(n)] = service_time(
                    server.port, path, one_at_a_time
                )
        out["service_ms"] = costs_ms
        print(f"    one request at a time, median ms: {costs_ms}", flush=True)
        for rate in rates:
            # `rounds` passes over the pages and sizes, each point's requests pooled: one
            # stall of the machine (a few dozen slow requests) is under 1% of three passes.
            pooled: dict[tuple[str, int], tuple[list[float], list[float], list[float]]] = {}
            failed: dict[tuple[str, int], int] = {}
            for _ in range(rounds):
                for page in ("home", "search", "agency", "entry"):
                    sizes_now = list(servers)
                    targets = [
                        (servers[n].port, pages(instances[n], actual[n])[page]) for n in sizes_now
                    ]
                    stolen = steal_seconds()
                    found = offered_together(targets, rate, seconds)
                    stolen = steal_seconds() - stolen
                    for n, (latencies, failures) in zip(sizes_now, found, strict=True):
                        all_of, passes, steal = pooled.setdefault((page, n), ([], [], []))
                        all_of.extend(latencies)
                        passes.append(round(percentile(latencies, 99) * 1000, 1))
                        steal.append(stolen)
                        failed[page, n] = failed.get((page, n), 0) + failures
            for (page, n), (all_of, passes, steal) in pooled.items():
                point: dict[str, Any] = dict(summary(all_of, failed[page, n]))
                point |= {"p99_ms_by_pass": passes, "steal_ms": round(sum(steal) * 1000)}
                reads.setdefault(f"{rate:g}/s", {}).setdefault(page, {})[str(n)] = point
                print(f"    {rate:g}/s {page} at {n}: {point}", flush=True)
    out["reads"] = reads
    return out

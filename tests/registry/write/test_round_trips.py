"""The round trips of an append on PostgreSQL, counted at the driver, are the README's figure.

libpq's own protocol trace (`PQtrace`, which psycopg exposes as `PGconn.trace`) of every
connection the append takes from the engine's pool records each message sent and received. A
round trip is a turn the driver waits for: each ends with the server's ReadyForQuery, the answer
to a Sync (the end of a pipeline, or of one statement in the extended protocol) or to a simple
Query. The COMMIT rides in the last pipeline (registry/write/pipe.py `_send_before_commit`),
so no turn of its own is sent for it; a batch of statements (group commit) takes no more turns
than one statement.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pakta_support import PACT_DOCUMENT, Agent, Harness, database, envelope_bytes, pact_body
from sqlalchemy import event

from registry.service import Service, open_service

pytestmark = pytest.mark.postgres
README = Path(__file__).parents[3] / "README.md"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    from pakta_support import new_instance

    with database("postgres", tmp_path) as url:
        svc = open_service(new_instance(tmp_path / "instance", url))
        yield svc
        svc.close()


class Trace:
    """libpq's trace of the connections the engine hands out while it is entered."""

    def __init__(self, service: Service) -> None:
        self.engine = service.registry.engine
        self.file = tempfile.TemporaryFile()
        self.traced: list[Any] = []
        self.connections: list[Any] = []  # the driver's connections, as the pool hands them
        self.messages: list[tuple[str, str, str]] = []  # (F or B, message type, its fields)

    def _checkout(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        import psycopg

        pgconn = dbapi_connection.pgconn
        pgconn.trace(self.file.fileno())
        pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        self.traced.append(pgconn)
        self.connections.append(dbapi_connection)

    def __enter__(self) -> Trace:
        event.listen(self.engine, "checkout", self._checkout)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        for pgconn in self.traced:
            pgconn.untrace()  # flushes libpq's buffered trace
        self.file.seek(0)
        with self.file:
            text = self.file.read().decode("utf-8", "replace")
        # One message a line, "F|B <tab> length <tab> type <tab> fields"; a statement's text
        # may hold newlines, which continue the line before.
        for line in re.split(r"\n(?=[FB]\t)", text.strip()):
            direction, _, kind, *fields = line.split("\t", 3) + [""]
            self.messages.append((direction, kind, fields[0].strip()))

    def round_trips(self) -> int:
        answered = sum(1 for d, kind, _ in self.messages if (d, kind) == ("B", "ReadyForQuery"))
        asked = sum(1 for d, kind, _ in self.messages if d == "F" and kind in ("Sync", "Query"))
        assert asked == answered, self.messages  # every turn the driver took was answered
        return answered

    def turns(self) -> list[list[str]]:
        """The statements (their first words) sent in each round trip, in order."""
        out: list[list[str]] = [[]]
        for direction, kind, fields in self.messages:
            if direction == "F" and kind in ("Parse", "Query"):
                text = fields.split('"')[3] if kind == "Parse" else fields.strip('"')
                out[-1].append(" ".join(text.split()[:3]))
            elif (direction, kind) == ("B", "ReadyForQuery"):
                out.append([])
        return out[:-1]


def documented(what: str = "round trips") -> int:
    """The round trips (or statements) per append that the README's Performance section
    states."""
    text = README.read_text("utf-8")
    performance = text[text.index("## Performance") :]
    # However the lines wrap, and "1 round trip" as well as "2 round trips".
    words = r"\s+".join([*(w.removesuffix("s") + "s?" for w in what.split()), "per", "append"])
    found = re.findall(rf"(\d+)\s+{words}", performance)
    assert found, f"the README's Performance section names no 'N {what} per append'"
    return int(found[-1])


def pacts(agent: Agent, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        payload = agent.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        agent.accepted(payload)
        out.append(envelope_bytes(payload, agent.key))
    return out


def test_one_append_takes_the_documented_round_trips(service: Service) -> None:
    registry = service.registry
    h = Harness(registry)
    agent = Agent("pemkab-rt")
    h.register(agent)
    registry.submit(pacts(agent, 1)[0])  # caches warm: the append as it runs all day
    with Trace(service) as trace:
        receipt = registry.submit(pacts(agent, 1)[0])
    assert receipt.seq == 2 and registry.size() == 3
    assert len(trace.traced) == 1  # one connection, one transaction
    assert trace.round_trips() == documented() == 1
    turns = trace.turns()
    # The BEGIN opens the pipeline (psycopg's own would be a turn of its own: psycopg 3.3's
    # `_start_query` syncs the pipeline after it), the lock goes with it, so the lock is the
    # transaction's, and the check that the log is as this process left it right after the
    # lock (registry/write/loghead.py `LogHead.remembered`), before any write; the COMMIT goes
    # last, and nothing is sent after it.
    assert turns[0][:2] == ["BEGIN", "SELECT pg_advisory_xact_lock($1)"]
    assert turns[0][2].startswith("SELECT CAST(CASE WHEN")
    assert sum(t == "BEGIN" for turn in turns for t in turn) == 1
    assert turns[-1][-1] == "COMMIT"
    assert all("COMMIT" not in t for turn in turns[:-1] for t in turn)
    # The connection went back to the pool as it came: not in autocommit.
    assert [c.autocommit for c in trace.connections] == [False]
    # The dozen writes of the read model and the log's tables go as a few statements of
    # data-modifying WITH queries (pipe.py `statements`), not one statement each.
    assert sum(len(turn) for turn in turns) == documented("statements")
    # After the check: the events' insert, then shared statements and the counts' totals
    # (they read the counts written just before them), then the COMMIT.
    assert turns[0][3].startswith("INSERT INTO pakta_events")
    assert all(t.startswith(("WITH w0", "UPDATE rm_agencies")) for t in turns[0][4:-1])


def test_an_append_that_cannot_trust_its_memory_reads_the_log_under_the_lock_first(
    service: Service,
) -> None:
    """A process's first append (or one after another writer's) knows nothing it may trust:
    the lock and the log's last entry first, in a round trip of their own, then what it must
    check (the tree's right edge, the subject map's line), then the writes and the COMMIT.
    The next append, finding the log as that one left it, still reads the last entry under the
    lock (2 round trips); from the one after, an append is one round trip."""
    registry = service.registry
    h = Harness(registry)
    agent = Agent("pemkab-rt-dingin")
    h.register(agent)
    registry.forget()  # as a process that has just started
    counted = []
    for envelope in pacts(agent, 3):
        with Trace(service) as trace:
            registry.submit(envelope)
        turns = trace.turns()
        counted.append(trace.round_trips())
        assert turns[0][:2] == ["BEGIN", "SELECT pg_advisory_xact_lock($1)"]
        assert turns[-1][-1] == "COMMIT"
        if len(turns) > 1:
            assert turns[0][2].startswith("SELECT pakta_events.originator_version")
            assert turns[-1][0].startswith("INSERT INTO pakta_events")
    assert counted[0] > 2 and counted[1:] == [2, 1]


def test_a_group_commit_takes_no_more_round_trips_than_one_append(service: Service) -> None:
    registry = service.registry
    h = Harness(registry)
    agent = Agent("pemkab-grup")
    h.register(agent)
    registry.submit(pacts(agent, 1)[0])
    with Trace(service) as trace:
        results = registry.submit_many(pacts(agent, 25))
    assert not any(isinstance(r, Exception) for r in results)
    assert registry.size() == 27
    assert trace.round_trips() == documented()


def test_a_rolled_back_pipe_leaves_its_connection_out_of_autocommit(service: Service) -> None:
    """The BEGIN the pipe sends itself puts the driver in autocommit for that transaction; a
    transaction that ends in a rollback (no COMMIT in the pipe) is still one transaction, and
    its connection goes back to the pool as it came, or the next reader would run without a
    transaction."""
    from psycopg.pq import TransactionStatus
    from sqlalchemy.orm import Session

    from registry.write.pipe import pipe

    with Session(service.registry.engine) as session:
        raw = session.connection().connection.driver_connection
        assert pipe(session).ask("SELECT 1", {}).rows() == [(1,)]
        assert raw.autocommit  # the pipe's own BEGIN
        assert raw.pgconn.transaction_status == TransactionStatus.INTRANS  # in a transaction
        session.rollback()
    assert raw.pgconn.transaction_status == TransactionStatus.IDLE
    assert raw.autocommit is False

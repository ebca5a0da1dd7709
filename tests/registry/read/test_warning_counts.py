"""The agencies' warning counts, worked out by the database from what the append queues
(registry/read/table_rows.py `warning_counts`), on SQLite and PostgreSQL alike: each code's
count, the total and the codes in code order (byte order, as Python sorts them, whatever the
database's collation), a subject that is not an agency left out, an agency registered in the
same transaction counted, and a count that falls to zero dropped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pakta_support import Agent, Harness
from sqlalchemy import select

from registry.read import tables as t
from registry.read.table_rows import warning_counts
from registry.service import Service, open_service
from registry.write.instance import Instance
from registry.write.pipe import pipe
from registry.write.pipe_sql import Write


@pytest.fixture
def service(instance: Instance) -> Iterator[Service]:
    svc = open_service(instance)
    yield svc
    svc.close()


def warned(agency: str, code: str, subject: str | None = None) -> dict[str, Any]:
    return {"agency": agency, "subject": subject or agency, "code": code}


def registered(service: Service, *names: str) -> None:
    """Register these agencies, then forget the warnings their registrations drew (posted
    late by the test's clock), so that the counts start from none."""
    h = Harness(service.registry)
    for name in names:
        h.register(Agent(name))
    with service.registry.datastore.transaction(commit=True) as session:
        session.execute(t.agency_warnings.delete())
        session.execute(t.agencies.update().values(warnings=0, warning_kinds=""))


def counts(service: Service) -> tuple[dict[str, tuple[int, str]], dict[tuple[str, str], int]]:
    """(agency -> (total, codes) for the agencies with any, (agency, code) -> n)."""
    with service.read() as db:
        totals = {
            r.agency: (r.warnings, r.warning_kinds)
            for r in db.execute(select(t.agencies))
            if r.warnings or r.warning_kinds
        }
        kinds = {(r.agency, r.code): r.n for r in db.execute(select(t.agency_warnings))}
    return totals, kinds


def apply(
    service: Service, added: list[dict[str, Any]], new: list[dict[str, Any]] | None = None
) -> None:
    """`warning_counts` in a transaction of its own, after queueing `new` agencies' rows."""
    with service.registry.datastore.transaction(commit=True) as session:
        pipe(session).add(Write(t.agencies), new or [])
        warning_counts(session, added, set())


def test_the_database_counts_each_code_and_orders_them_by_their_bytes(service: Service) -> None:
    registered(service, "dinas-a", "dinas-b")
    # "a-c" sorts before "ab" by bytes (as Python sorts), after it in a natural-language
    # collation that skips the hyphen.
    apply(
        service,
        [
            warned("dinas-a", "ab"),
            warned("dinas-a", "a-c"),
            warned("dinas-a", "ab"),
            warned("dinas-a", "zz", subject="dinas-b"),  # counts for both
            warned("dinas-b", "key", subject="ed25519-kunci"),  # a key: not an agency
        ],
    )
    totals, kinds = counts(service)
    assert totals == {"dinas-a": (4, "a-c ab zz"), "dinas-b": (2, "key zz")}
    assert kinds == {
        ("dinas-a", "ab"): 2,
        ("dinas-a", "a-c"): 1,
        ("dinas-a", "zz"): 1,
        ("dinas-b", "zz"): 1,
        ("dinas-b", "key"): 1,
    }
    # A later batch adds to what is stored.
    apply(service, [warned("dinas-b", "aa")])
    totals, kinds = counts(service)
    assert totals["dinas-b"] == (3, "aa key zz") and kinds["dinas-b", "aa"] == 1


def test_an_agency_registered_in_the_same_transaction_is_counted(service: Service) -> None:
    registered(service, "dinas-lama")
    with service.read() as db:
        row = dict(db.execute(select(t.agencies)).one()._mapping)
    new = row | {"agency": "dinas-baru", "name": "Dinas Baru"}
    apply(service, [warned("dinas-baru", "late")], new=[new])
    totals, kinds = counts(service)
    assert totals == {"dinas-baru": (1, "late")} and kinds == {("dinas-baru", "late"): 1}


def test_a_count_that_falls_to_zero_is_dropped(service: Service) -> None:
    """A compromise voids warnings already counted: the voided entries' warnings come off."""
    registered(service, "dinas-a")
    apply(service, [warned("dinas-a", "x"), warned("dinas-a", "y"), warned("dinas-a", "y")])
    words = {"message": "Uji", "facts": "{}"}
    with service.registry.datastore.transaction(commit=True) as session:
        session.execute(
            t.warnings.insert(),
            [
                {"idx": i, "code": c, "subject": "dinas-a", "agency": "dinas-a", **words}
                for i, c in ((7, "x"), (8, "y"))
            ],
        )
        warning_counts(session, [], {7, 8})
    totals, kinds = counts(service)
    assert totals == {"dinas-a": (1, "y")} and kinds == {("dinas-a", "y"): 1}


def test_the_counts_are_queued_as_writes_and_nothing_is_read_for_them(service: Service) -> None:
    """The append reads nothing for the counts (on PostgreSQL that would be a round trip in
    the middle of it): `warning_counts` queues its writes in the pipe (the counts, then the
    totals; the counts that fell to zero are dropped only when some came off), sends
    nothing, and what they do shows once the transaction commits."""
    registered(service, "dinas-a")
    apply(service, [warned("dinas-a", "x")])
    with service.registry.datastore.transaction(commit=True) as session:
        p = pipe(session)
        sent = p.send
        p.send = lambda **kw: pytest.fail("warning_counts sent the pipe")  # type: ignore[method-assign]
        warning_counts(session, [warned("dinas-a", "x"), warned("dinas-a", "w")], set())
        queued = p.queued
        p.send = sent  # type: ignore[method-assign]
        assert [found for _, _, found, *_ in queued] == [None, None]
        assert [table for *_, table, _ in queued] == ["rm_agency_warnings", "rm_agencies"]
    totals, kinds = counts(service)
    assert totals == {"dinas-a": (3, "w x")} and kinds == {("dinas-a", "x"): 2, ("dinas-a", "w"): 1}

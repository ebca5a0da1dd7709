"""One writer per host (`registry.write.relay`): the processes serving one instance folder hand
their submissions to the one holding `run/writer.lock`, get back their own receipt or their own
error (its class, code, field and head intact), take over when the leader goes, and refuse a
peer that does not know the instance's key."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path

import pytest
from pakta_support import Agent, Harness, pact_envelope

from keys.errors import EnvelopeError
from registry.rules.errors import ConflictError
from registry.service import Service
from registry.write.relay import Relay, socket_address


@pytest.fixture
def service(sqlite_service: Service) -> Service:
    return sqlite_service


def relay(service: Service) -> Relay:
    return Relay.open(service.registry)


def leads(r: Relay, within: float = 3.0) -> bool:
    return r.leading.wait(within)


@contextmanager
def leader_and_follower(service: Service, agency: str) -> Iterator[tuple[Agent, Relay, Relay]]:
    """A registered agency, a relay that leads and a second that follows, on one folder."""
    agent = Agent(agency)
    Harness(service.registry).register(agent)
    first = relay(service)
    assert leads(first)
    second = relay(service)
    try:
        yield agent, first, second
    finally:
        second.close()
        first.close()


def test_a_second_relay_forwards_to_the_leader_and_gets_its_own_answers(
    service: Service,
) -> None:
    with leader_and_follower(service, "pemkab-relay") as (agent, first, second):
        assert not leads(second, 0.3)  # the lock is taken: it follows
        data = pact_envelope(agent)
        receipt = second.submit(data)
        assert second.forwarded == 1 and receipt.agency == "pemkab-relay"
        assert service.registry.entry(receipt.index) is not None
        with pytest.raises(ConflictError) as duplicate:
            second.submit(data)
        assert duplicate.value.code == "duplicate"
        assert duplicate.value.head is not None and duplicate.value.head.seq == receipt.seq
        with pytest.raises(EnvelopeError) as bad:
            second.submit(b'{"payloadType": "text/plain", "payload": "", "signatures": []}')
        assert bad.value.field is not None and bad.value.code
        assert second.forwarded == 3
        # The leader's own submissions never touch the socket.
        first.submit(pact_envelope(agent))
        assert first.forwarded == 0


def test_the_next_process_leads_when_the_leader_closes(service: Service) -> None:
    with leader_and_follower(service, "pemkab-handover") as (agent, first, second):
        second.submit(pact_envelope(agent))  # through the first, so the second holds a connection
        first.close()
        assert leads(second)
        size = service.registry.size()
        receipt = second.submit(pact_envelope(agent))
        assert receipt.index == size and second.forwarded == 1


def test_a_leader_shutting_down_sends_the_submission_on_not_back(service: Service) -> None:
    """A leader whose writer has closed refuses as ShuttingDown (it appended nothing); the
    follower does not hand that to its client: it tries again, and with no other leader to
    reach, appends the submission itself."""
    with leader_and_follower(service, "pemkab-shutdown") as (agent, first, second):
        first.local.close()  # closing: its listener still answers for a moment
        size = service.registry.size()
        receipt = second.submit(pact_envelope(agent))
        assert receipt.index == size and second.forwarded == 0


def test_a_peer_without_the_instance_key_is_refused(service: Service) -> None:
    agent = Agent("pemkab-auth")
    Harness(service.registry).register(agent)
    leader = relay(service)
    try:
        assert leads(leader)
        size = service.registry.size()
        with pytest.raises(AuthenticationError, match="digest"):
            Client(leader.address, family="AF_UNIX", authkey=b"not the instance key")
        assert service.registry.size() == size
        other = relay(service)  # who knows the key is still served
        try:
            other.submit(pact_envelope(agent))
            assert other.forwarded == 1 and service.registry.size() == size + 1
        finally:
            other.close()
    finally:
        leader.close()


def test_a_long_folder_path_gets_a_socket_in_a_private_folder(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    address = Path(socket_address(deep))
    assert len(str(address)) < 100 and address == Path(socket_address(deep))
    assert address != Path(socket_address(tmp_path / ("x" * 60) / ("z" * 60)))
    assert address.parent.stat().st_mode & 0o777 == 0o700
    assert socket_address(tmp_path / "run") == str(tmp_path / "run" / "writer.sock")


LEADER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from registry.service import open_service
    from registry.write.instance import load_instance
    from registry.write.relay import Relay
    service = open_service(load_instance(Path(sys.argv[1])))
    relay = Relay.open(service.registry)
    relay.leading.wait()
    print("leading", flush=True)
    sys.stdin.read()
    """
)


@pytest.mark.slow
def test_another_process_appends_what_this_one_forwards(service: Service) -> None:
    agent = Agent("pemkab-process")
    Harness(service.registry).register(agent)
    with subprocess.Popen(
        [sys.executable, "-c", LEADER, str(service.instance.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as leader:
        try:
            assert leader.stdout is not None and leader.stdout.readline() == "leading\n"
            follower = relay(service)
            try:
                receipts = [follower.submit(pact_envelope(agent)) for _ in range(3)]
                assert follower.forwarded == 3 and not follower.leading.is_set()
                assert [r.seq for r in receipts] == [1, 2, 3]
                leader.kill()  # a crash: the kernel drops its lock
                leader.wait(timeout=10)
                started = time.monotonic()
                receipt = follower.submit(
                    pact_envelope(agent)
                )  # its connection is dead: it appends
                assert receipt.seq == 4 and time.monotonic() - started < 5
                assert leads(follower)
            finally:
                follower.close()
        finally:
            leader.kill()

"""The audit's parallel half: check entry bundles on every core, in log order.

Everything about an entry that needs no state runs here, in worker processes: the bundle
against the hashes the verified tiles give, each entry's JSON, its DSSE envelope, the strict
parse of its statement (schema included), and each signature against the public key its key
id names (libsodium through PyNaCl when installed, else `cryptography`). Key ids are derived
from public keys, so a worker learns keys from the registrar anchors and from the identity
statements it and its peers parse; the main process passes on what peers learned. What a
worker verified is handed back as (key id, public key) pairs and the rules accept them
(`registry.rules.signing.Verified`) only if they chose that key themselves; a signature no
worker could pre-verify is verified by the rules as usual. Every error keeps its stage, so
the main process raises it where the sequential order would have. Both verifiers put
`keys.strict` first (refusing the Ed25519 edge cases on which OpenSSL and libsodium disagree),
so they give one verdict: tests/keys/test_ed25519_edge_cases.py holds them to it.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from events import Statement, parse_statement
from keys.dsse import Envelope, pae
from keys.ed25519 import unb64, verify_libsodium
from keys.ed25519 import verify as verify_with_cryptography
from keys.errors import PaktaError, VerificationError
from registry.rules import table as _table  # noqa: F401  (registers the types' rules here too)
from registry.rules.types import rules_for
from registry.tlog import merkle, tiles

Keys = tuple[tuple[str, bytes], ...]
_ENTRY_ERRORS = (PaktaError, ValueError, KeyError, TypeError, AttributeError)


VERIFIERS: dict[str, Callable[[bytes, bytes, bytes], bool]] = {
    "cryptography": verify_with_cryptography
}
if verify_libsodium is not None:
    VERIFIERS["pynacl"] = verify_libsodium
DEFAULT_VERIFIER = "pynacl" if "pynacl" in VERIFIERS else "cryptography"


@dataclass(frozen=True)
class Task:
    """One entry bundle to check: from `start`, `width` entries; those before `skip` were
    replayed by an earlier run and are only hashed. A full bundle is checked against its
    subtree hash (`root`), a partial one against its leaf hashes."""

    path: str
    start: int
    width: int
    data: bytes
    skip: int
    root: bytes | None = None
    leaves: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Parsed:
    """One entry as far as it parsed: `error` is (stage, message) of the first failure, the
    stage being "json", "received" or "statement" (the main process checks index and links
    between them)."""

    leaf: bytes
    index: object = None
    prev: object = None
    received: datetime | None = None
    envelope: Envelope | None = None
    statement: Statement | None = None
    verified: Keys = ()
    error: tuple[str, str] | None = None


@dataclass(frozen=True)
class Checked:
    """A bundle's outcome: its entries (up to the first failing one), the keys its identity
    statements introduced, or the bundle's own failure ("root" means: look closer)."""

    path: str
    start: int
    entries: tuple[Parsed, ...] = ()
    learned: Keys = ()
    bundle_error: tuple[str, int] | None = None


def parse_entry(raw: bytes, leaf: bytes) -> Parsed:
    """Parse one log entry as far as it goes (its signatures are verified afterwards)."""
    stage, index, prev, received = "json", None, None, None
    try:
        entry = json.loads(raw)
        if not isinstance(entry, dict):
            raise TypeError("a log entry is a JSON object")
        index, prev = entry.get("index"), entry.get("prev")
        stage = "received"
        received = datetime.fromisoformat(entry["received_at"])
        stage = "statement"
        envelope = Envelope.from_json(entry["envelope"])
        statement = parse_statement(envelope.payload)
        statement.hash  # noqa: B018  (cached in the statement, so the replay never hashes it)
    except _ENTRY_ERRORS as e:
        return Parsed(leaf, index, prev, received, error=(stage, str(e) or type(e).__name__))
    return Parsed(leaf, index, prev, received, envelope, statement)


def _preverified(parsed: Parsed, keys: Mapping[str, bytes], verify: Any) -> Parsed:
    """The entry with the signatures that verify with the keys `keys` has for their ids (a
    key id names one public key, so a key the bundle introduces later is as good)."""
    envelope = parsed.envelope
    if envelope is None:
        return parsed
    message = pae(envelope.payload_type, envelope.payload)
    verified = []
    for signature in envelope.signatures:
        public = keys.get(signature.keyid)
        if public is not None and verify(public, message, signature.sig):
            verified.append((signature.keyid, public))
    p = parsed
    return Parsed(p.leaf, p.index, p.prev, p.received, envelope, p.statement, tuple(verified))


def _added_keys(statement: Statement) -> Keys:
    identity = rules_for(statement.type).identity
    if identity is None:
        return ()
    try:
        return tuple((k.keyid, unb64(k.public_key)) for k in identity(statement).keys_added)
    except _ENTRY_ERRORS:
        return ()  # not for this pass to judge: the rules will


class _Known:
    """A HashReader over the leaf hashes the main process read from verified tiles."""

    def __init__(self, start: int, leaves: Iterable[bytes]) -> None:
        self._by_index = {merkle.stored_hash_index(0, start + i): h for i, h in enumerate(leaves)}

    def read_hashes(self, indexes: Iterable[int]) -> list[bytes]:
        return [self._by_index[i] for i in indexes]


def check_bundle(task: Task, keys: dict[str, bytes], verifier: str = DEFAULT_VERIFIER) -> Checked:
    """Check one bundle; `keys` (key id -> public key) grows with the keys it introduces."""
    tile = tiles.Tile(tiles.ENTRIES, task.start // tiles.TILE_WIDTH, task.width)
    try:
        if task.root is None:
            raws = tiles.verify_entry_bundle(tile, task.data, _Known(task.start, task.leaves))
            leaves = [merkle.leaf_hash(r) for r in raws]
        else:
            raws = tiles.decode_entry_bundle(task.data, task.width)
            leaves = [merkle.leaf_hash(r) for r in raws]
            if merkle.root_from_leaf_hashes(leaves) != task.root:
                return Checked(task.path, task.start, bundle_error=("root", task.start))
    except (PaktaError, VerificationError) as e:
        return Checked(task.path, task.start, bundle_error=(str(e), bad_entry(e, task.start)))
    verify = VERIFIERS[verifier]
    out: list[Parsed] = []
    learned: list[tuple[str, bytes]] = []
    for offset, (raw, leaf) in enumerate(zip(raws, leaves, strict=True)):
        if task.start + offset < task.skip:
            out.append(Parsed(leaf))
            continue
        parsed = parse_entry(raw, leaf)
        out.append(parsed)
        if parsed.error is not None:
            break
        assert parsed.statement is not None
        for kid, public in _added_keys(parsed.statement):
            keys.setdefault(kid, public)
            learned.append((kid, public))
    # Then every signature of the bundle in one pass: verifies one after another cost less
    # here than each between two parses (x0.88 of check_bundle, libsodium's code stays warm).
    checked = tuple(_preverified(p, keys, verify) for p in out)
    return Checked(task.path, task.start, checked, tuple(learned))


def bad_entry(error: Exception, first: int) -> int:
    """The entry a tile error names ("entry 12 does not match ..."), else the bundle's first."""
    words = str(error).split()
    if len(words) > 1 and words[0] == "entry" and words[1].isascii() and words[1].isdigit():
        return int(words[1])
    return first


def serve(inbox: Connection, outbox: Connection) -> None:
    """A worker's loop: the anchors first, then (task, keys learned elsewhere) until None."""
    registrar_keys, verifier = inbox.recv()
    keys = dict(registrar_keys)
    while True:
        try:
            message = inbox.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task, learned = message
        keys.update(learned)
        try:
            checked = check_bundle(task, keys, verifier)
        except Exception as e:  # a worker bug must reach the main process, not hang it
            checked = Checked(
                task.path, task.start, bundle_error=(f"audit worker failed: {e!r}", task.start)
            )
        try:
            outbox.send(checked)
        except OSError:
            return  # the main process stopped listening (it met a failure, or was stopped)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start(jobs: int) -> tuple[subprocess.Popen[bytes], list[tuple[Connection, Connection]]]:
    """`python -m registry.audit.worker` with a pipe each way per worker: a fresh interpreter
    that imports only the audit, once, then forks the other workers (multiprocessing's
    "spawn" would re-run the parent's main script, the whole web app when that is `pakta`;
    forking this process would copy its threads and connections). The workers share a
    process group, so that `kill` stops them all."""
    ends: list[int] = []  # the child's (read, write) pair of each worker
    pipes: list[tuple[Connection, Connection]] = []
    for _ in range(jobs):
        from_parent, to_child = os.pipe()  # (read end, write end)
        from_child, to_parent = os.pipe()
        ends += [from_parent, to_parent]
        pipes.append((Connection(to_child, readable=False), Connection(from_child, writable=False)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "registry.audit.worker", *map(str, ends)],
            pass_fds=ends,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    finally:
        for fd in ends:
            os.close(fd)
    return process, pipes


class _Worker:
    """One worker's pipes, and a thread sending it its tasks."""

    def __init__(self, send: Connection, recv: Connection, first: Any) -> None:
        self.send, self.recv = send, recv
        self.outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.outbox.put(first)
        self.sender = threading.Thread(target=self._send_all, daemon=True)
        self.sender.start()

    def _send_all(self) -> None:
        while True:
            message = self.outbox.get()
            try:
                self.send.send(message)
            except OSError:
                return  # the worker is gone: the main process learns it from the pipe
            if message is None:
                return

    def close(self) -> None:
        self.sender.join(timeout=10)
        self.send.close()
        self.recv.close()


class Pool:
    """`jobs` worker processes checking bundles; results come back in the order given.

    Bundle n goes to worker n mod jobs, at most `depth` per worker in flight, each with the
    keys the others learned since that worker's last task. A thread per worker sends its
    tasks, so the replay never waits on a pipe while a worker is busy (and a worker sending
    a result never waits on one sending it a task)."""

    def __init__(
        self,
        registrar_keys: Mapping[str, bytes],
        jobs: int,
        verifier: str = DEFAULT_VERIFIER,
        depth: int = 2,
    ) -> None:
        self.depth = depth
        self.pending = 0
        self.process, pipes = _start(jobs)
        first = (dict(registrar_keys), verifier)
        self.workers = [_Worker(send, recv, first) for send, recv in pipes]

    def check(self, tasks: Iterable[Task]) -> Iterator[Checked]:
        jobs = len(self.workers)
        learned: list[tuple[str, bytes]] = []
        sent = [0] * jobs
        pending: deque[int] = deque()  # worker of each task in flight, oldest first
        source = iter(tasks)
        n = 0

        def dispatch() -> bool:
            nonlocal n
            task = next(source, None)
            if task is None:
                return False
            w = n % jobs
            self.workers[w].outbox.put((task, learned[sent[w] :]))
            sent[w] = len(learned)
            pending.append(w)
            self.pending += 1
            n += 1
            return True

        while len(pending) < self.depth * jobs and dispatch():
            pass
        while pending:
            w = pending.popleft()
            try:
                checked: Checked = self.workers[w].recv.recv()
            except (EOFError, OSError):
                raise VerificationError("an audit worker process died") from None
            self.pending -= 1
            learned += checked.learned
            dispatch()
            yield checked

    def close(self) -> None:
        """Stop the workers: politely when idle, at once when work is still in flight (the
        audit stopped at a failure, and what they would send back no longer matters)."""
        if self.pending > 0:
            _kill_group(self.process)
        for worker in self.workers:
            worker.outbox.put(None)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _kill_group(self.process)
            self.process.wait()
        for worker in self.workers:
            worker.close()
        self.workers = []


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # every worker has exited already


def check_inline(
    tasks: Iterable[Task], registrar_keys: Mapping[str, bytes], verifier: str = DEFAULT_VERIFIER
) -> Iterator[Checked]:
    """The same checks in this process (one job, or a log too small to share out)."""
    keys = dict(registrar_keys)
    for task in tasks:
        yield check_bundle(task, keys, verifier)

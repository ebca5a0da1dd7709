"""One writer per host: the group-commit writers of every process serving one instance folder
hand their submissions to the one that holds the host's writer lock.

Each gunicorn worker used to append its own POSTs: with N workers each batch held 1/N of the
load, and each writer found the log moved by the others and re-read what its caches held
(bench.http_workers measured two workers at x3.4 the server CPU per statement of one). Now
every process runs a `Relay`: a thread waits for an exclusive `flock` on `run/writer.lock` in
the instance folder; the process holding it is the host's leader, listens on a Unix socket
beside the lock and appends what it is sent with its own `GroupCommit`. The others send the
submission's bytes there and wait for the answer. When the leader exits (a restart, a crash),
the kernel drops its lock and the next waiting process takes over.

Forwarding is only a saving, never what keeps the log linear: the append lock (an advisory
lock on PostgreSQL, `append.lock` on SQLite) still sequences every writer, so several hosts (one
leader each) share one database, and a process that cannot reach a leader appends itself.

The socket speaks `multiprocessing.connection`: both ends prove they know a key derived from
the instance's private log key file (hmac challenge) before anything else is read; the leader
reads only bytes (the submission), the follower unpickles only the leader's answers.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
import stat
import tempfile
import threading
import time
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

from keys.errors import PaktaError
from registry.write.app import Registry
from registry.write.batcher import GroupCommit, ShuttingDown, WriterError
from registry.write.submission import Receipt

log = logging.getLogger(__name__)
ANSWER_TIMEOUT = 50.0  # seconds a follower waits for the leader (gunicorn's timeout is 60)
CONNECT_FOR = 1.0  # seconds a follower tries to reach a leader before appending itself
ELECT_EVERY = 0.1  # seconds between a follower's tries for the lock (a new leader's delay)
MAX_SOCKET_PATH = 100  # a Unix socket path has at most 107 bytes


def socket_address(run_dir: Path) -> str:
    """The leader's socket, derived from the folder alone: a file beside the lock, or for a
    folder whose path is too long, in a folder of the temporary directory only this user may
    enter (so no other account can even connect)."""
    path = str(run_dir / "writer.sock")
    if len(path.encode()) <= MAX_SOCKET_PATH:
        return path
    private = Path(tempfile.gettempdir()) / f"pakta-{os.getuid()}"
    private.mkdir(mode=0o700, exist_ok=True)
    found = private.lstat()
    if found.st_uid != os.getuid() or found.st_mode & 0o077 or not stat.S_ISDIR(found.st_mode):
        raise WriterError(f"{private} is not a folder only this account may enter")
    return str(private / (hashlib.sha256(str(run_dir.resolve()).encode()).hexdigest()[:32]))


def _pack_error(error: PaktaError) -> tuple[str, type[PaktaError], tuple[Any, ...], dict[str, Any]]:
    # Errors take keyword-only arguments (code=, field=), which plain pickling loses.
    return ("error", type(error), error.args, dict(vars(error)))


def _unpack(answer: Any) -> Receipt | PaktaError:
    if answer[0] == "ok" and isinstance(answer[1], Receipt):
        return answer[1]
    if answer[0] == "error" and issubclass(answer[1], PaktaError):
        error: PaktaError = answer[1].__new__(answer[1])
        error.args = tuple(answer[2])
        vars(error).update(answer[3])
        return error
    raise WriterError("the host's writer sent an answer this process cannot read")


def _wake(conn: Connection) -> None:
    """Shut a connection's reading down, waking a thread waiting in recv on it (a close would
    not). Its writing stays open: a submission already on its way is still read, refused as
    ShuttingDown and answered, and one unread when it closes resets the sender's socket, so
    either way its sender knows nothing was appended and takes it to the next leader."""
    try:
        with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.shutdown(socket.SHUT_RD)
    except OSError:  # already closed
        pass


class Relay:
    """A process's way into the log: through the host's leader, or its own writer if it leads."""

    def __init__(self, run_dir: Path, authkey: bytes, local: GroupCommit) -> None:
        self.local = local
        self.address = socket_address(run_dir)
        self.authkey = authkey
        self.leading = threading.Event()
        self.forwarded = 0  # submissions sent to another process's writer (tests, metrics)
        self._idle: list[Connection] = []
        self._pool_lock = threading.Lock()
        self._closed = threading.Event()
        self._listener: Listener | None = None
        self._served: set[Connection] = set()
        run_dir.mkdir(mode=0o700, exist_ok=True)
        run_dir.chmod(0o700)  # whatever made it before: only this account may reach the socket
        self._lock_file = os.open(run_dir / "writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._thread = threading.Thread(target=self._elect, name="pakta-relay", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, registry: Registry, window_ms: float = 2.0, max_items: int = 200) -> Relay:
        """The relay of the registry's instance folder, with this process's own writer."""
        folder = registry.instance.path
        secret = (folder / "keys" / "log.key").read_bytes()
        authkey = hashlib.sha256(b"pakta writer relay\0" + secret).digest()
        local = GroupCommit(registry, window=window_ms / 1000, max_items=max_items)
        return cls(folder / "run", authkey, local)

    def submit(self, data: bytes) -> Receipt:
        """Append one submission through the host's writer; its receipt, or its error."""
        result = self._forward(data) if not self.leading.is_set() else None
        if result is None:  # leading, or no leader to be reached: this process appends
            return self.local.submit(data)
        if isinstance(result, PaktaError):
            raise result
        return result

    def close(self) -> None:
        """Stop taking submissions, finish those this process's writer holds (their answers
        still go back), then drop the connections and the lock (the next process leads).
        Closing again does nothing."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._thread.join()
        listener, self._listener = self._listener, None
        if listener is not None:
            # The accept thread wakes for one last peer (closing the socket would not wake it),
            # sees the flag and stops.
            try:
                Client(self.address, family="AF_UNIX", authkey=self.authkey).close()
            except (OSError, EOFError):
                pass
            listener.close()  # and removes the socket file
        # What arrives from now on is refused as ShuttingDown, which its sender takes to the
        # next leader.
        self.local.close()
        with self._pool_lock:
            for conn in [*self._idle, *self._served]:
                _wake(conn)
            self._idle.clear()
        os.close(self._lock_file)  # releases the lock: the next process leads

    # The follower's side.

    def _forward(self, data: bytes) -> Receipt | PaktaError | None:
        """The leader's answer; None when no leader took the submission (append it here)."""
        for _ in range(3):
            conn = self._connection()
            if conn is None:
                return None
            try:
                conn.send_bytes(data)
                if not conn.poll(ANSWER_TIMEOUT):
                    raise TimeoutError("no answer from the host's writer")
                answer = _unpack(conn.recv())
            except (BrokenPipeError, ConnectionResetError):
                # That leader was gone before it read this (a Unix socket resets only when
                # its peer closes with data unread), and so are its other connections here.
                conn.close()
                self._drop_idle()
                continue
            except (OSError, EOFError, TimeoutError) as e:
                # It read it, then died or stalled: it may or may not be in the log.
                conn.close()
                log.warning("the host's writer did not answer: %s", e)
                return WriterError(
                    "the registry could not confirm the append; check the log, retry"
                )
            if isinstance(answer, ShuttingDown):  # it read it but appended nothing: go on
                conn.close()
                self._drop_idle()
                time.sleep(ELECT_EVERY)  # the time the next leader takes to get the lock
                continue
            self.forwarded += 1
            with self._pool_lock:
                self._idle.append(conn)
            return answer
        return None

    def _drop_idle(self) -> None:
        with self._pool_lock:
            stale, self._idle = self._idle, []
        for old in stale:
            old.close()

    def _connection(self) -> Connection | None:
        with self._pool_lock:
            if self._idle:
                return self._idle.pop()
        deadline = time.monotonic() + CONNECT_FOR
        while not self.leading.is_set() and not self._closed.is_set():
            try:
                return Client(self.address, family="AF_UNIX", authkey=self.authkey)
            except (OSError, EOFError) as e:
                if time.monotonic() > deadline:
                    log.warning("no writer on this host answers (%s): appending here", e)
                    return None
                time.sleep(0.02)
        return None

    # The leader's side.

    def _elect(self) -> None:
        # Polled, not a blocking flock: close() must not take the descriptor from under it.
        while not self._closed.is_set():
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:  # another process leads
                self._closed.wait(ELECT_EVERY)
        else:
            return
        Path(self.address).unlink(missing_ok=True)  # the last leader's, if it crashed
        self._listener = Listener(self.address, family="AF_UNIX", authkey=self.authkey)
        self.leading.set()
        log.info("this process is the host's writer (%s)", self.address)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: Listener) -> None:
        while True:
            try:
                conn = listener.accept()
            except (OSError, EOFError, AuthenticationError):  # closed, or a peer that failed
                if self._closed.is_set():
                    return
                continue
            except Exception:  # never let the host's followers wait on a dead accept loop
                log.exception("a peer of the host's writer could not be accepted")
                continue
            if self._closed.is_set():
                conn.close()
                return
            with self._pool_lock:
                self._served.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: Connection) -> None:
        with conn:
            while True:
                try:
                    data = conn.recv_bytes(maxlength=1 << 20)
                except (OSError, EOFError):
                    break
                try:
                    answer: tuple[Any, ...] = ("ok", self.local.submit(data))
                except PaktaError as e:
                    answer = _pack_error(e)
                except Exception:  # a bug: the follower's client learns only to retry
                    log.exception("an append for another process failed")
                    answer = _pack_error(WriterError("the registry could not append; try again"))
                try:
                    conn.send(answer)
                except OSError:
                    break
        with self._pool_lock:
            self._served.discard(conn)

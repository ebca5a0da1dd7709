"""The crash drill's parts: a registry server in its own process (`Server`, killed with
SIGKILL and restarted on the same port), a PostgreSQL cluster the drill owns (`Cluster`,
initdb/pg_ctl in a temporary folder, its postmaster and backends killed with SIGKILL), posters
(threads that post signed integrity pacts over HTTP and keep every receipt they are given), and
`check_log`, which verifies from the served files alone that every receipt is in the log at its
index with the same leaf hash, that every checkpoint handed out is a prefix of the final log,
and that the whole log audits clean."""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pakta_support import PACT_DOCUMENT, Agent, envelope_bytes, pact_body, registration

from events import build_statement, sha256_ref
from keys.ed25519 import load_private_key
from keys.note import NoteVerifier, parse_note
from registry.audit.audit import audit, source_fetch
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.merkle import stored_hash_index, tree_hash
from registry.tlog.tiles import TileHashReader

SERVER = Path(__file__).with_name("drill_server.py")
ROOT = Path(__file__).resolve().parents[2]
NETWORK_ERRORS = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def request(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    """One HTTP exchange on a fresh connection (a killed server leaves none to reuse)."""
    host, _, rest = url.removeprefix("http://").partition("/")
    name, port = host.split(":")
    conn = http.client.HTTPConnection(name, int(port), timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, "/" + rest, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """`drill_server.py` for one instance, always on the same port."""

    def __init__(self, instance: Path, log: Path) -> None:
        self.instance, self.log = instance, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(SERVER), str(self.instance), str(self.port)],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if request(self.url + "/api/v1/log")[0] == 200:
                    return
            except NETWORK_ERRORS:
                time.sleep(0.05)
        tail = self.log.read_text(errors="replace")[-3000:]
        self.kill()
        raise RuntimeError(f"the drill server did not start:\n{tail}")

    def kill(self) -> None:
        """SIGKILL, by process id: no shutdown handler, no flush, like a power cut."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        self.process = None


class Cluster:
    """A throwaway PostgreSQL cluster on a free port, owned (and killed) by the drill.

    As root, initdb and the server run as the `postgres` user (PostgreSQL refuses to run as
    root) through runuser; otherwise as the current user. `folder` must be reachable by that
    user (pytest's own temporary folders are private to root), so it is one of its own.
    """

    def __init__(self, folder: Path, bindir: Path) -> None:
        self.folder, self.bindir = folder, bindir
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def find() -> tuple[Path | None, str]:
        """The folder of initdb and pg_ctl, or None and why the drill cannot own a cluster."""
        initdb = shutil.which("initdb") or next(
            (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None
        )
        if initdb is None:
            return None, "no initdb on this machine"
        if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
            return None, "running as root without runuser and a postgres user"
        return Path(os.path.realpath(initdb)).parent, ""

    def _run(self, *argv: str) -> None:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, timeout=120, cwd=self.folder)
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.decode(errors='replace')}")

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()

    def start(self) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=on"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w",
                  "-t", "120", "-o", opts, "start")  # fmt: skip

    def pids(self) -> list[int]:
        """The postmaster and every process it started (its backends and workers)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split("\n")[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def kill(self) -> None:
        """SIGKILL to the postmaster and its children, by id: a crash, then crash recovery."""
        pids = self.pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in pids):
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL processes survived SIGKILL")
            time.sleep(0.05)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@dataclass(eq=False)  # a Thread must stay hashable
class Poster(threading.Thread):
    """Posts integrity pacts for one agency as fast as the server takes them."""

    url: str
    agency: str
    key: Ed25519PrivateKey
    stop: threading.Event
    database_down: threading.Event
    acked: list[dict[str, Any]] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    statuses_database_down: Counter[int] = field(default_factory=Counter)
    unanswered: int = 0

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def _count(self, status: int) -> None:
        if self.database_down.is_set():
            self.statuses_database_down[status] += 1
        else:
            self.statuses[status] += 1

    def run(self) -> None:
        head: dict[str, Any] | None = None
        while not self.stop.is_set():
            try:
                if head is None:
                    status, body = request(f"{self.url}/api/v1/agencies/{self.agency}")
                    if status != 200:
                        self._count(status)
                        time.sleep(0.05)
                        continue
                    head = json.loads(body)["head"]
            except NETWORK_ERRORS:
                time.sleep(0.05)
                continue
            payload = build_statement(
                "integrity_pact.signed", self.agency, head["seq"] + 1, head["hash"],
                datetime.now(UTC), pact_body(), documents=[PACT_DOCUMENT],
            )  # fmt: skip
            try:
                status, body = request(
                    f"{self.url}/api/v1/statements", "POST", envelope_bytes(payload, self.key)
                )
            except NETWORK_ERRORS:
                self.unanswered += 1  # it may or may not be in the log: nothing was promised
                head = None
                time.sleep(0.05)
                continue
            self._count(status)
            if status == 201:
                receipt = json.loads(body)
                assert receipt["statement_hash"] == sha256_ref(payload)
                self.acked.append(receipt)
                head = {"seq": receipt["seq"], "hash": receipt["statement_hash"]}
            else:
                head = None  # a conflict after an unanswered post that was appended after all


@dataclass
class Figures:
    cycles: int = 0
    server_kills: int = 0
    database_kills: int = 0
    receipts_checked: int = 0
    entries_lost: int = 0
    checkpoints_checked: int = 0
    unanswered_posts: int = 0
    log_size: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    statuses_database_down: dict[int, int] = field(default_factory=dict)

    def line(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.__dict__.items())


def register(url: str, registrar: Ed25519PrivateKey, agencies: int) -> list[Agent]:
    agents = []
    for n in range(agencies):
        agent = Agent(f"pemkab-drill-{n}")
        status, body = request(
            f"{url}/api/v1/statements", "POST", envelope_bytes(registration(agent), registrar)
        )
        assert status == 201, body
        agents.append(agent)
    return agents


def check_log(url: str, log_vkey: str, registrar_keys: dict[str, bytes], figures: Figures,
              posters: list[Poster]) -> None:  # fmt: skip
    """Verify the served log against every receipt; fill in the figures; raise if any fails."""
    fetch = source_fetch(url)
    report = audit(fetch, NoteVerifier.parse(log_vkey), registrar_keys)  # the whole log, clean
    reader = TileHashReader(report.size, report.root, fetch)
    acked = [r for p in posters for r in p.acked]
    inside = [r for r in acked if r["index"] < report.size]
    found = reader.read_hashes([stored_hash_index(0, r["index"]) for r in inside])
    lost = len(acked) - sum(h.hex() == r["leaf_hash"] for h, r in zip(found, inside, strict=True))
    # Every checkpoint handed out in a receipt is a prefix of the final log (else: a fork).
    heads = {Checkpoint.parse(parse_note(r["checkpoint"]).text) for r in acked}
    for head in heads:
        assert head.size <= report.size and tree_hash(head.size, reader) == head.root_hash
    figures.receipts_checked, figures.entries_lost = len(acked), lost
    figures.checkpoints_checked, figures.log_size = len(heads), report.size
    figures.unanswered_posts = sum(p.unanswered for p in posters)
    figures.statuses = dict(sum((p.statuses for p in posters), Counter()))
    figures.statuses_database_down = dict(
        sum((p.statuses_database_down for p in posters), Counter())
    )
    assert lost == 0, figures.line()


def run_drill(instance: Any, workdir: Path, cycles: int, *, posters: int = 3,
              cluster: Cluster | None = None, seed: int = 0) -> Figures:  # fmt: skip
    """Serve `instance`, post from `posters` threads, SIGKILL the server (or, every other
    cycle when `cluster` is given, PostgreSQL itself) `cycles` times mid-load, restart it,
    then check the log. After PostgreSQL restarts, the same server must take statements
    again by itself; the answers it gives while the database is down are counted apart."""
    rng = random.Random(seed)
    server = Server(instance.path, workdir / "server.log")
    figures = Figures(cycles=cycles)
    server.start()
    stop, database_down = threading.Event(), threading.Event()
    threads: list[Poster] = []
    try:
        registrar = load_private_key(instance.registrar_key_path())
        agents = register(server.url, registrar, posters)
        threads = [Poster(server.url, a.agency, a.key, stop, database_down) for a in agents]
        for t in threads:
            t.start()
        for cycle in range(cycles):
            _wait_for_load(threads, rng.uniform(0.1, 0.6))
            if cluster is not None and cycle % 2 == 1:
                database_down.set()
                cluster.kill()  # mid-append: the server's transactions die with it
                figures.database_kills += 1
                cluster.start()
                _wait_for_load(threads, 0)  # the server recovers without a restart
                time.sleep(1)  # requests sent while it was down may still be answered
                database_down.clear()
            else:
                server.kill()
                figures.server_kills += 1
                server.start()
        _wait_for_load(threads, 0.3)
        stop.set()
        for t in threads:
            t.join(60)
        check_log(server.url, instance.log_vkey, instance.registrar_keys, figures, threads)
    finally:
        stop.set()
        server.kill()
    return figures


def _wait_for_load(threads: list[Poster], seconds: float) -> None:
    """Sleep `seconds`, and on until posts are being acknowledged again (so each kill lands
    while appends are in flight, not while the posters are still reconnecting)."""
    before = sum(len(t.acked) for t in threads)
    time.sleep(seconds)
    deadline = time.monotonic() + 60
    while sum(len(t.acked) for t in threads) <= before:
        if time.monotonic() > deadline:
            raise RuntimeError("no statement was acknowledged for 60 s")
        time.sleep(0.02)

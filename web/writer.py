"""`pakta writer`: a process that only appends, for every server process of this host.

The server processes of one instance folder hand their POSTs to whichever of them holds the
host's writer lock (`registry.write.relay`). A gunicorn worker that holds it appends between
serving requests of its own, and its request threads and its writer thread take turns on one
interpreter lock. This process holds the lock and does nothing else, so the append runs on its
own core while the workers parse HTTP: x1.17-1.30 the statements per second of a worker
leading, with 16 clients (`python -m bench.http_workers ROUNDS PER_CLIENT`; README). `pakta
serve` starts one beside gunicorn unless told `--no-writer-process`, and so does
deploy/gunicorn.conf.py, both through `WriterHooks`. If it stops, a worker takes the lock
within a tenth of a second: it is a saving, never a single point of failure.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from registry.cli import Extra, instance_path
from registry.service import open_service
from registry.write.instance import load_instance
from registry.write.relay import Relay
from web import freeze_startup

READY = "pakta writer: appending for this host\n"
READY_WITHIN = 30.0  # seconds `start_writer` waits for the line above before going on


def run_writer(folder: Path, window_ms: float, max_items: int, stop: threading.Event) -> None:
    """Append for this host's server processes until `stop` is set or the parent goes."""
    service = open_service(load_instance(folder), connections=8)
    service.witnessing.start()
    relay = Relay.open(service.registry, window_ms, max_items)
    freeze_startup()
    parent = os.getppid()
    try:
        announced = False
        while not stop.wait(0.5 if announced else 0.02):
            if not announced and relay.leading.is_set():
                sys.stdout.write(READY)
                sys.stdout.flush()
                announced = True
            if os.getppid() != parent:  # the server that started it is gone (even killed)
                return
    finally:
        relay.close()
        service.close()


def start_writer(
    folder: Path, window_ms: float = 2.0, max_items: int = 200
) -> subprocess.Popen[str]:
    """Start `pakta writer` for `folder` and wait (at most READY_WITHIN) until it leads; if
    another process leads already, it waits its turn and the server starts anyway."""
    command = [sys.executable, "-m", "web", "--instance", str(folder), "writer"]
    command += ["--batch-window-ms", str(window_ms), "--batch-max", str(max_items)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    ready = threading.Event()

    def read() -> None:  # to the end, so the writer never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            if line == READY:
                ready.set()
        ready.set()  # it has exited

    threading.Thread(target=read, daemon=True).start()
    ready.wait(READY_WITHIN)
    return process


def stop_writer(process: subprocess.Popen[str]) -> None:
    """Stop a writer `start_writer` started: it finishes what it holds first."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# The writer this gunicorn master started. Module-wide, not the hooks' own: a reload reads the
# config file again, and the new file's hooks must stop the writer the old one started.
_running: list[subprocess.Popen[str]] = []


class WriterHooks:
    """gunicorn server hooks keeping one `pakta writer` beside the workers: started with the
    server, started again on a reload (SIGHUP: so new code appends after an upgrade, as the new
    workers serve), stopped on exit. If gunicorn exits without its hook, the writer sees its
    parent go and stops itself."""

    def __init__(self, folder: Path | None = None, window_ms: float = 2.0, max_items: int = 200):
        self.folder = folder
        self.window_ms = window_ms
        self.max_items = max_items

    def on_starting(self, server: object) -> None:
        folder = self.folder or Path(os.environ.get("PAKTA_INSTANCE", "instance"))
        _running.append(start_writer(folder, self.window_ms, self.max_items))

    def on_reload(self, server: object) -> None:
        self.on_exit(server)
        self.on_starting(server)

    def on_exit(self, server: object) -> None:
        while _running:
            stop_writer(_running.pop())

    def options(self) -> dict[str, object]:
        """The hooks as gunicorn settings."""
        return {
            "on_starting": self.on_starting,
            "on_reload": self.on_reload,
            "on_exit": self.on_exit,
        }


def add_batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--batch-window-ms",
        type=float,
        default=2.0,
        help="how long the writer waits to pool concurrent POSTs (default 2 ms)",
    )
    p.add_argument("--batch-max", type=int, default=200, help="statements a batch holds at most")


def add_writer(p: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    add_batch_options(p)

    def writer(args: argparse.Namespace) -> int:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        run_writer(instance_path(args), args.batch_window_ms, args.batch_max, stop)
        return 0

    return writer


COMMANDS: tuple[Extra, ...] = (
    ("writer", "append for this host's server processes (pakta serve starts one)", add_writer),
)

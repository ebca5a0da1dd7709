"""Collecting witness cosignatures for the registry's checkpoints (C2SP tlog-witness), in the
background.

A `Witnessing` thread per process wakes after each append (or every few seconds) and offers the
newest checkpoint to every witness the instance's config lists now (so `pakta witness-add`
takes effect without a restart), with a consistency proof from the size that witness last
cosigned (learnt from its 409 answer, `text/x.tlog.size`). Each witness is asked once per
checkpoint, across processes and restarts: the ask is claimed in `pakta_witness_asks` first.
A checkpoint keeps at most one cosignature per witness. The request path never waits for a
witness: a slow, broken or refusing witness delays or fails nothing, and its refusals are kept
in `refusals` for the operator.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from keys.errors import PaktaError
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureVerifier, add_cosignatures, count_cosigners
from registry.witness.protocol import request_cosignature
from registry.write import storage
from registry.write.app import Registry
from registry.write.instance import Instance

log = logging.getLogger(__name__)
_SIZE = re.compile(rb"[0-9]{1,19}\n?")  # a 409 body: ASCII digits only


@dataclass
class Witnessing:
    registry: Registry
    instance: Callable[[], Instance]  # the instance's config as it is now
    interval: float = 5.0
    known: dict[str, int] = field(default_factory=dict)  # the size each witness last cosigned
    refusals: list[tuple[str, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pakta-witnessing", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """A new checkpoint: collect soon (never waits)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.collect()
            except Exception:  # a witness or the database failing must not end the thread
                log.exception("collecting cosignatures failed")

    def collect(self) -> int:
        """One round: ask each configured witness, once, to cosign the newest checkpoint;
        return how many trusted cosignatures it now has."""
        with self._lock:
            witnesses = self.instance().witnesses
            if not witnesses:  # nothing to ask: no read of the newest checkpoint either
                return 0
            note = self.registry.checkpoint()
            if note is None:
                return 0
            size = Checkpoint.parse(note[: note.index("\n\n") + 1]).size
            verifiers = {w["url"]: CosignatureVerifier.parse(w["vkey"]) for w in witnesses}
            lines = []
            for url, verifier in verifiers.items():
                if count_cosigners(note, [verifier]) or not self._claim(url, size):
                    continue  # cosigned already, or asked already (here or by another process)
                line = self._ask(url, note, size, verifier)
                if line is not None:
                    lines.append(line)
            return self._store(size, lines, list(verifiers.values()))

    def _claim(self, url: str, size: int) -> bool:
        try:
            with self.registry.engine.begin() as conn:
                conn.execute(storage.witness_asks.insert().values(url=url, size=size))
        except IntegrityError:
            return False
        return True

    def _ask(self, url: str, note: str, size: int, verifier: CosignatureVerifier) -> str | None:
        old = self.known.get(url, 0)
        reader = self.registry.hash_reader()
        for _ in range(2):
            proof = merkle.consistency_proof(old, size, reader) if 0 < old < size else []
            try:
                status, body = request_cosignature(url, old, proof, note)
            except PaktaError as e:
                self._refused(url, size, str(e))
                return None
            if status == 409 and _SIZE.fullmatch(body):
                old = int(body.strip())  # the witness told us its size
                if old <= size:
                    continue
            if status == 200:
                try:
                    cosigned = add_cosignatures(note, [body.decode()])
                except (PaktaError, UnicodeDecodeError) as e:
                    self._refused(url, size, f"unusable cosignature: {e}")
                    return None
                if not count_cosigners(cosigned, [verifier]):
                    self._refused(url, size, "the cosignature does not verify")
                    return None
                self.known[url] = size
                return body.decode()
            self._refused(url, size, f"HTTP {status}: {body.decode(errors='replace')[:200]}")
            return None
        return None

    def _refused(self, url: str, size: int, why: str) -> None:
        log.warning("witness %s did not cosign checkpoint %d: %s", url, size, why)
        self.refusals.append((url, size, why))
        del self.refusals[:-100]

    def _store(self, size: int, lines: list[str], verifiers: list[CosignatureVerifier]) -> int:
        c = storage.checkpoints.c
        with self.registry.engine.begin() as conn:
            note = conn.execute(select(c.note).where(c.size == size)).scalar_one()
            for line in lines:  # another process may have stored its witnesses' lines meanwhile
                one = [v for v in verifiers if count_cosigners(note + line, [v])]
                if one and not count_cosigners(note, one):
                    note = add_cosignatures(note, [line])
            count = len(count_cosigners(note, verifiers))
            table = storage.checkpoints
            conn.execute(update(table).where(c.size == size).values(note=note, cosigners=count))
        return count

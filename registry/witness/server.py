"""A C2SP tlog-witness (c2sp.org/tlog-witness) for Pakta and any checkpoint-signing log: the
`Witness` core that answers `POST /add-checkpoint` bodies with the spec's status codes (400
malformed, 404 unknown origin, 403 not signed by the log, 409 with the stored size as
`text/x.tlog.size`, 422 inconsistent, forked or a bad empty tree) and cosigns a checkpoint only
once it is proven consistent with the last one it cosigned for that origin; its per-origin state
files (size, root hash, the signed checkpoint and the cosigned one served at
`GET /<origin hash>/checkpoint`), replaced atomically under a thread lock and a file lock so no
two requests advance from the same size; and a standard-library HTTP server around it (`serve`,
`witness_main`). The wire format and the log's client are `protocol`. No Flask, no database.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from keys.ed25519 import b64, load_private_key, unb64
from keys.errors import EncodingError, NoteError, PaktaError, VerificationError
from keys.note import NoteVerifier, open_note, parse_note
from registry.tlog.checkpoint import MAX_TREE_SIZE, Checkpoint, CheckpointError
from registry.tlog.cosignature import CosignatureSigner
from registry.tlog.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from registry.witness.protocol import (
    MAX_PROOF_LINES,
    MAX_REQUEST_BYTES,
    SIZE_CONTENT_TYPE,
    TEXT,
    WitnessError,
    format_add_checkpoint,
    logs_from_vkeys,
    parse_add_checkpoint,
    request_cosignature,
)

__all__ = [  # the protocol helpers are re-exported: the registry's client imports them here
    "MAX_PROOF_LINES",
    "MAX_REQUEST_BYTES",
    "SIZE_CONTENT_TYPE",
    "LogState",
    "Witness",
    "WitnessError",
    "format_add_checkpoint",
    "logs_from_vkeys",
    "parse_add_checkpoint",
    "request_cosignature",
    "serve",
    "witness_main",
]

if sys.platform != "win32":
    import fcntl

_LENGTH = re.compile(r"[0-9]{1,19}")  # a Content-Length in ASCII digits (int() takes "٣")
_MONITOR_PATH = re.compile(r"/([0-9a-f]{64})/checkpoint")
_SIG_PREFIX = "\u2014 "  # em dash, space (signed-note §Format)
_log = logging.getLogger("pakta.witness")


class _Reject(Exception):
    def __init__(self, status: int, message: str, content_type: str = TEXT) -> None:
        super().__init__(message)
        self.status, self.content_type = status, content_type


@dataclass(frozen=True)
class LogState:
    """What the witness last cosigned for one log: size, root hash, the signed note as it
    came, and (for the monitoring API) that note with the log's verified signatures and this
    witness's cosignature (None in state written before it was kept)."""

    origin: str
    size: int
    root_hash: bytes
    checkpoint: str
    cosigned: str | None = None


class Witness:
    """Cosigns checkpoints of known logs (origin -> trusted log key or keys), never forks."""

    def __init__(
        self,
        signer: CosignatureSigner,
        state_dir: Path,
        logs: Mapping[str, NoteVerifier | Sequence[NoteVerifier]],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signer, self.state_dir, self._clock = signer, Path(state_dir), clock
        self._logs = {o: (v,) if isinstance(v, NoteVerifier) else tuple(v) for o, v in logs.items()}
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _path(self, origin: str) -> Path:
        # tlog-witness §Monitor Retrieval: the origin hash is SHA-256 of the origin, lowercase hex.
        return self.state_dir / (hashlib.sha256(origin.encode("utf-8")).hexdigest() + ".json")

    def state(self, origin: str) -> LogState | None:
        """The stored state for `origin`, None if nothing was cosigned for it yet."""
        try:
            data = json.loads(self._path(origin).read_text(encoding="utf-8"))
            state = LogState(
                data["origin"],
                data["size"],
                unb64(data["root_hash"]),
                data["checkpoint"],
                data.get("cosigned"),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError, EncodingError) as e:
            raise WitnessError(f"unreadable witness state for {origin!r}: {e}") from None
        if (
            state.origin != origin
            or type(state.size) is not int
            or not 0 <= state.size <= MAX_TREE_SIZE
            or len(state.root_hash) != HASH_SIZE
            or type(state.checkpoint) is not str
            or type(state.cosigned) not in (str, type(None))
        ):
            raise WitnessError(f"witness state for {origin!r} is corrupt")
        return state

    def latest(self, origin_hash: str) -> str | None:
        """The cosigned checkpoint served at `GET /<origin hash>/checkpoint`, if there is one.

        tlog-witness §Monitor Retrieval: it "MUST include the cosignature(s) from the witness's
        key(s) that were returned from add-checkpoint and the cosignature from the log key(s)
        that the witness verified"; 404 (None) if the witness never cosigned for that log.
        """
        for origin in self._logs:
            if self._path(origin).stem == origin_hash:
                state = self.state(origin)
                return state.cosigned if state is not None else None
        return None

    def _store(self, state: LogState) -> None:
        # Write a temporary file, fsync it, rename over the old state, fsync the folder: a
        # crash leaves either the old state or the new one, never a torn or empty file.
        root = base64.b64encode(state.root_hash).decode("ascii")
        data = json.dumps(
            {
                "origin": state.origin,
                "size": state.size,
                "root_hash": root,
                "checkpoint": state.checkpoint,
                "cosigned": state.cosigned,
            },
            sort_keys=True,
        ).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=self.state_dir, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path(state.origin))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if sys.platform != "win32":
            dir_fd = os.open(self.state_dir, os.O_RDONLY)
            os.fsync(dir_fd)
            os.close(dir_fd)

    @contextmanager
    def _locked(self, origin: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        # The thread lock orders this process's requests; the file lock keeps a second witness
        # process on the same folder out (tlog-witness: check and persist atomically).
        with lock, open(self._path(origin).with_suffix(".lock"), "ab") as f:
            if sys.platform != "win32":
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            yield

    def _keep_evidence(self, body: bytes) -> None:
        # tlog-witness: the witness "MAY log the request even if the consistency proof doesn't
        # verify ... as it might be proof of log misbehavior". Only validly signed ones get here.
        folder = self.state_dir / "evidence"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            (folder / (hashlib.sha256(body).hexdigest() + ".txt")).write_bytes(body)
        except OSError as e:  # the refusal matters more than the record of it
            _log.error("cannot keep evidence: %s", e)

    def add_checkpoint(self, body: bytes) -> tuple[int, bytes, str]:
        """Handle one add-checkpoint request body: (HTTP status, response body, content type)."""
        try:
            line = self._add(body)
        except _Reject as e:
            return e.status, f"{e}\n".encode(), e.content_type
        except (WitnessError, OSError) as e:
            _log.error("add-checkpoint failed: %s", e)
            return 500, b"internal witness error\n", TEXT
        return 200, line.encode("utf-8"), TEXT

    def _add(self, body: bytes) -> str:
        try:
            old_size, proof, signed = parse_add_checkpoint(body)
            note = parse_note(signed)
            checkpoint = Checkpoint.parse(note.text)
        except (WitnessError, NoteError, CheckpointError) as e:
            raise _Reject(400, f"bad request: {e}") from None
        trusted = self._logs.get(checkpoint.origin)
        if trusted is None:
            raise _Reject(404, "unknown log origin")  # tlog-witness: "404 Not Found"
        try:
            # tlog-witness: verify against the trusted keys, ignore unknown ones; 403 if none
            # verifies, or if a trusted key's signature fails.
            _, signers = open_note(signed, trusted)
        except (NoteError, VerificationError) as e:
            raise _Reject(403, f"checkpoint not signed by the log: {e}") from None
        if old_size > checkpoint.size:
            raise _Reject(400, "old size is larger than the checkpoint size")
        with self._locked(checkpoint.origin):
            state = self.state(checkpoint.origin)
            size, root = (state.size, state.root_hash) if state else (0, EMPTY_ROOT)
            # tlog-witness: old size must match the latest cosigned size, else 409 with it.
            if old_size != size:
                raise _Reject(409, str(size), SIZE_CONTENT_TYPE)
            self._check_consistent(body, checkpoint, root, old_size, proof)
            timestamp = int(self._clock())
            if timestamp < 1:  # tlog-witness: "the timestamp MUST NOT be zero"
                raise WitnessError(f"the witness clock reads {timestamp}")
            cosignature = self.signer.cosign(note.text, timestamp)
            log_lines = "".join(
                f"{_SIG_PREFIX}{s.name} {b64(s.key_hash + s.sig)}\n"
                for s in note.signatures
                if any((v.name, v.key_hash) == (s.name, s.key_hash) for v in signers)
            )
            cosigned = f"{note.text}\n{log_lines}{cosignature}"
            # tlog-witness: "The witness MUST persist the new checkpoint before responding".
            self._store(
                LogState(checkpoint.origin, checkpoint.size, checkpoint.root_hash, signed, cosigned)
            )
        return cosignature

    def _check_consistent(
        self, body: bytes, checkpoint: Checkpoint, root: bytes, old_size: int, proof: list[bytes]
    ) -> None:
        """422 unless the checkpoint extends the cosigned tree (kept as evidence if not)."""
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            # tlog-witness: "A checkpoint of size zero MUST have the root hash of the empty
            # tree ... Otherwise, the witness MUST respond with a 422 Unprocessable Entity".
            self._keep_evidence(body)
            raise _Reject(422, "a tree of size 0 has the empty root hash")
        if old_size == checkpoint.size and checkpoint.root_hash != root:
            # tlog-witness: same size, other root hash: "422 Unprocessable Entity". Two roots
            # for one size, both signed by the log, is a fork.
            self._keep_evidence(body)
            raise _Reject(422, "a different root hash was cosigned for this size")
        try:
            # tlog-witness: the proof "MUST be empty if the old size is zero", else RFC 6962
            # §2.1.2; a proof that does not verify is "422 Unprocessable Entity".
            verify_consistency(old_size, checkpoint.size, root, checkpoint.root_hash, proof)
        except VerificationError as e:
            self._keep_evidence(body)
            raise _Reject(422, f"consistency proof does not verify: {e}") from None


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    """A bound (not yet serving) HTTP server for `witness`; call `serve_forever()` on it."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # tlog-witness: witnesses SHOULD support keep-alive
        server_version = "pakta-witness"
        timeout = 30  # seconds a client may stall mid-request before its thread gives up

        def _reply(self, status: int, body: bytes, content_type: str = TEXT) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def _refuse(self, status: int, message: str) -> None:
            self.close_connection = True  # an unread body makes the connection unusable
            self._reply(status, message.encode() + b"\n")

        def do_POST(self) -> None:
            if self.path != "/add-checkpoint":
                self._refuse(404, "not found")
                return
            lengths = self.headers.get_all("Content-Length") or []
            if "Transfer-Encoding" in self.headers or len(lengths) != 1:
                # One Content-Length and no transfer coding: anything else could frame the body
                # two ways (RFC 9112 §6.3), so it is refused rather than guessed at.
                self._refuse(411, "send the body with exactly one Content-Length")
                return
            if _LENGTH.fullmatch(lengths[0].strip()) is None:
                self._refuse(400, "Content-Length is not a decimal number")
                return
            length = int(lengths[0])
            if length > MAX_REQUEST_BYTES:
                self._refuse(413, f"a request body is at most {MAX_REQUEST_BYTES} bytes")
                return
            body = self.rfile.read(length)  # a stalled client times out (handled by the base)
            if len(body) != length:
                self._refuse(400, "the body is shorter than its Content-Length")
                return
            try:
                status, out, ctype = witness.add_checkpoint(body)
            except Exception:
                _log.exception("add-checkpoint crashed")
                status, out, ctype = 500, b"internal witness error\n", TEXT
            self._reply(status, out, ctype)

        def do_GET(self) -> None:
            monitored = _MONITOR_PATH.fullmatch(self.path)
            if self.path == "/add-checkpoint":
                self._reply(405, b"use POST\n")
            elif monitored is None:
                self._reply(404, b"not found\n")
            else:
                try:
                    note = witness.latest(monitored[1])
                except WitnessError as e:
                    _log.error("checkpoint lookup failed: %s", e)
                    self._reply(500, b"internal witness error\n")
                    return
                if note is None:  # tlog-witness: never cosigned for that log: "404 Not Found"
                    self._reply(404, b"no checkpoint cosigned for this log\n")
                else:
                    self._reply(200, note.encode("utf-8"))

        def log_message(self, format: str, *args: object) -> None:
            _log.info("%s %s", self.address_string(), format % args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def witness_main(
    argv: Sequence[str] | None = None,
    *,
    on_start: Callable[[ThreadingHTTPServer], None] | None = None,
) -> int:
    """`pakta witness`: run a witness until interrupted. `on_start` gets the bound server."""
    parser = argparse.ArgumentParser(prog="pakta witness", description="Run a tlog witness.")
    parser.add_argument("--state", required=True, help="folder of the per-log state files")
    parser.add_argument("--key", required=True, help="Ed25519 private key file (PEM, 0600)")
    parser.add_argument("--name", required=True, help="witness name, e.g. witness.example/w1")
    parser.add_argument(
        "--log",
        action="append",
        required=True,
        metavar="VKEY",
        help="verifier key of a log to witness (repeatable)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7380, help="0 picks a free port")
    args = parser.parse_args(argv)
    try:
        signer = CosignatureSigner(args.name, load_private_key(Path(args.key)))
        witness = Witness(signer, Path(args.state), logs_from_vkeys(args.log))
        server = serve(witness, args.host, args.port)
    except (PaktaError, OSError) as e:
        print(f"pakta witness: error: {e}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"witness key: {signer.verifier_key()}\nlistening on http://{host!s}:{port}", flush=True)
    if on_start is not None:
        on_start(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0

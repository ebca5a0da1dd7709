"""A C2SP tlog-witness (c2sp.org/tlog-witness) for Pakta and any checkpoint-signing log: the
`Witness` core that answers `POST /add-checkpoint` bodies with the spec's status codes and
cosigns a checkpoint only once it is proven consistent with the last one it cosigned for that
origin; its per-origin state files (size, root hash, last signed checkpoint), replaced
atomically under a thread lock and a file lock so no two requests advance from the same size;
a standard-library HTTP server around it (`serve`, `witness_main`); and `request_cosignature`,
the client a log uses to ask a witness for a cosignature. No Flask, no database.
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
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from keys.ed25519 import load_private_key, unb64
from keys.errors import EncodingError, NoteError, PaktaError, VerificationError
from keys.note import MAX_NOTE_BYTES, NoteVerifier, open_note, parse_note
from registry.tlog.checkpoint import MAX_TREE_SIZE, Checkpoint, CheckpointError
from registry.tlog.cosignature import CosignatureSigner
from registry.tlog.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency

if sys.platform != "win32":
    import fcntl

MAX_PROOF_LINES = 63  # tlog-witness: a client "MUST NOT send more than 63 consistency proof lines"
MAX_REQUEST_BYTES = MAX_NOTE_BYTES + 4096
SIZE_CONTENT_TYPE = "text/x.tlog.size"  # tlog-witness: the 409 response's Content-Type
TEXT = "text/plain; charset=utf-8"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_log = logging.getLogger("pakta.witness")


class WitnessError(PaktaError):
    """A malformed add-checkpoint request, unusable witness state, or an unreachable witness."""


class _Reject(Exception):
    def __init__(self, status: int, message: str, content_type: str = TEXT) -> None:
        super().__init__(message)
        self.status, self.content_type = status, content_type


@dataclass(frozen=True)
class LogState:
    """What the witness last cosigned for one log: size, root hash and the signed note."""

    origin: str
    size: int
    root_hash: bytes
    checkpoint: str


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], signed_checkpoint: str) -> bytes:
    """An add-checkpoint request body: "old N", proof lines, an empty line, the note."""
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode("ascii") for h in proof]
    return ("\n".join(lines) + "\n\n" + signed_checkpoint).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> tuple[int, list[bytes], str]:
    """Old size, consistency proof and signed checkpoint of a request body, strictly."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessError("request body is not UTF-8") from None
    # tlog-witness: old size line, proof lines, "and an empty line, followed by a checkpoint".
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise WitnessError("request has no empty line before the checkpoint")
    old_line, *proof_lines = head.split("\n")
    # "the string old, a single space (0x20), and the tree size ... with no leading zeroes".
    size = old_line.removeprefix("old ")
    if size == old_line or not _DECIMAL.fullmatch(size) or int(size) > MAX_TREE_SIZE:
        raise WitnessError(f"bad old size line {old_line[:40]!r}")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise WitnessError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        proof = [unb64(line) for line in proof_lines]  # RFC 4648 §4 base64, canonical
    except EncodingError:
        raise WitnessError("a consistency proof line is not standard base64") from None
    if any(len(h) != HASH_SIZE for h in proof):
        raise WitnessError("a consistency proof line is not a SHA-256 hash")
    return int(size), proof, note


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
        return self.state_dir / (hashlib.sha256(origin.encode("utf-8")).hexdigest() + ".json")

    def state(self, origin: str) -> LogState | None:
        """The stored state for `origin`, None if nothing was cosigned for it yet."""
        try:
            data = json.loads(self._path(origin).read_text(encoding="utf-8"))
            state = LogState(
                data["origin"], data["size"], unb64(data["root_hash"]), data["checkpoint"]
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, EncodingError) as e:
            raise WitnessError(f"unreadable witness state for {origin!r}: {e}") from None
        if state.origin != origin or type(state.size) is not int or len(state.root_hash) != 32:
            raise WitnessError(f"witness state for {origin!r} is corrupt")
        return state

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
            # tlog-witness: verify against the trusted keys, ignore unknown ones; 403 if none.
            open_note(signed, trusted)
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
            if old_size == checkpoint.size and checkpoint.root_hash != root:
                self._keep_evidence(body)  # two roots for one size: a fork, signed by the log
                raise _Reject(409, "a different root hash was cosigned for this size")
            try:
                verify_consistency(old_size, checkpoint.size, root, checkpoint.root_hash, proof)
            except VerificationError as e:
                self._keep_evidence(body)
                raise _Reject(422, f"consistency proof does not verify: {e}") from None
            cosignature = self.signer.cosign(note.text, int(self._clock()))
            # tlog-witness: "The witness MUST persist the new checkpoint before responding".
            self._store(LogState(checkpoint.origin, checkpoint.size, checkpoint.root_hash, signed))
        return cosignature


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

        def do_POST(self) -> None:
            if self.path != "/add-checkpoint":
                self._reply(404, b"not found\n")
                return
            length = self.headers.get("Content-Length", "")
            if not length.isdigit() or int(length) > MAX_REQUEST_BYTES:
                self.close_connection = True  # the unread body makes the connection unusable
                self._reply(411 if not length.isdigit() else 413, b"bad length\n")
                return
            try:
                status, out, ctype = witness.add_checkpoint(self.rfile.read(int(length)))
            except Exception:
                _log.exception("add-checkpoint crashed")
                status, out, ctype = 500, b"internal witness error\n", TEXT
            self._reply(status, out, ctype)

        def do_GET(self) -> None:
            if self.path == "/add-checkpoint":
                self._reply(405, b"use POST\n")
            else:
                self._reply(404, b"not found\n")

        def log_message(self, format: str, *args: object) -> None:
            _log.info("%s %s", self.address_string(), format % args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def request_cosignature(
    url: str, old_size: int, proof: Sequence[bytes], signed_checkpoint: str, *, timeout: float = 10
) -> tuple[int, bytes]:
    """POST to the witness whose submission prefix is `url`; its status and response body.

    On 200 the body holds cosignature lines (see `cosignature.add_cosignatures`); on 409 it is
    the witness's latest size (`text/x.tlog.size`). Network failures raise `WitnessError`.
    """
    if not url.startswith(("http://", "https://")):
        raise WitnessError(f"witness URL must be http(s): {url!r}")
    request = urllib.request.Request(
        url.rstrip("/") + "/add-checkpoint",
        method="POST",
        data=format_add_checkpoint(old_size, proof, signed_checkpoint),
        headers={"Content-Type": TEXT},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read(MAX_REQUEST_BYTES)
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read(MAX_REQUEST_BYTES)
    except (urllib.error.URLError, OSError) as e:
        raise WitnessError(f"witness {url} unreachable: {e}") from None


def logs_from_vkeys(vkeys: Sequence[str]) -> dict[str, list[NoteVerifier]]:
    """Trusted log keys grouped by origin; a log's key name is its checkpoint origin."""
    logs: dict[str, list[NoteVerifier]] = {}
    for vkey in vkeys:
        verifier = NoteVerifier.parse(vkey)
        logs.setdefault(verifier.name, []).append(verifier)
    return logs


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

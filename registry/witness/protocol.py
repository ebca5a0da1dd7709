"""The tlog-witness wire format (c2sp.org/tlog-witness §add-checkpoint) as both sides speak it:
the request body (`format_add_checkpoint`, and `parse_add_checkpoint`, a strict reader that
raises only `WitnessError`), the constants of the exchange, `request_cosignature` (the client
a log uses to ask a witness) and `logs_from_vkeys`. The witness itself is `server`.
"""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.request
from collections.abc import Sequence

from keys.ed25519 import unb64
from keys.errors import EncodingError, PaktaError
from keys.note import MAX_NOTE_BYTES, NoteVerifier
from registry.tlog.checkpoint import MAX_TREE_SIZE
from registry.tlog.merkle import HASH_SIZE

MAX_PROOF_LINES = 63  # tlog-witness: a client "MUST NOT send more than 63 consistency proof lines"
MAX_REQUEST_BYTES = MAX_NOTE_BYTES + 4096
SIZE_CONTENT_TYPE = "text/x.tlog.size"  # tlog-witness: the 409 response's Content-Type
TEXT = "text/plain; charset=utf-8"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")  # ASCII only: str.isdigit() and int() take "٣"


class WitnessError(PaktaError):
    """A malformed add-checkpoint request, unusable witness state, or an unreachable witness."""


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

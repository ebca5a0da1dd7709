"""C2SP tlog-cosignature v1 (c2sp.org/tlog-cosignature, the Ed25519 "cosignature/v1" type): a
witness's timestamped Ed25519 signature over a checkpoint, carried as one more signed-note
signature line. This module owns the witness key forms (the verifier key
``<name>+<hash>+base64(0x04 || public key)`` and key ID ``SHA-256(name || 0x0A || 0x04 ||
public key)[:4]``), the signed message ``cosignature/v1\\ntime <T>\\n`` + checkpoint body, the
72-byte ``timestamp (u64, big-endian) || signature`` that follows the key ID, appending
cosignature lines to a log-signed checkpoint, and the k-of-n witness policy. It imports only
the standard library, `cryptography`, `keys` and `registry.checkpoint`.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.ed25519 import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, b64, public_bytes, unb64, verify
from keys.errors import EncodingError, NoteError, VerificationError
from keys.note import NoteVerifier, open_note, parse_note, verifier_key
from registry.tlog.checkpoint import Checkpoint, CheckpointError

__all__ = [
    "ALG_COSIGNATURE_V1",
    "CosignatureSigner",
    "CosignatureVerifier",
    "add_cosignatures",
    "check_policy",
    "cosigned_message",
    "count_cosigners",
]

ALG_COSIGNATURE_V1 = 0x04  # tlog-cosignature §Format: "signature type 0x04"
MAX_TIMESTAMP = 2**63 - 1  # tlog-cosignature: the timestamp "MUST NOT exceed 2^63 - 1"
TIMESTAMPED_SIGNATURE_SIZE = 8 + SIGNATURE_SIZE  # struct { u64 timestamp; u8 signature[64]; }
_HEADER = b"cosignature/v1\n"
_SIG_PREFIX = "\u2014 "  # em dash, space (signed-note §Format)
_HEX = frozenset("0123456789abcdef")


def _key_hash(name: str, public_key: bytes) -> bytes:
    # tlog-cosignature §Format: SHA-256(<name> || "\n" || 0x04 || 32-byte public key)[:4].
    typed = bytes([ALG_COSIGNATURE_V1]) + public_key
    return hashlib.sha256(name.encode("utf-8") + b"\n" + typed).digest()[:4]


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The bytes a cosignature/v1 signs: header line, time line, the whole checkpoint body."""
    if type(timestamp) is not int or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp {timestamp!r} outside 0..{MAX_TIMESTAMP}")
    # tlog-cosignature §Signed message: "time", one space, ASCII decimal, no leading zeroes.
    return _HEADER + b"time %d\n" % timestamp + checkpoint_text.encode("utf-8")


@dataclass(frozen=True)
class CosignatureVerifier:
    """A trusted witness: its name, 4-byte cosignature key ID and 32-byte Ed25519 public key."""

    name: str
    key_hash: bytes
    public_key: bytes

    def __post_init__(self) -> None:
        verifier_key(self.name, self.public_key)  # the signed-note name and key-length rules
        if self.key_hash != _key_hash(self.name, self.public_key):
            raise NoteError("cosignature key ID does not match the witness name and key")

    @classmethod
    def parse(cls, vkey: str) -> CosignatureVerifier:
        """Read a witness verifier key ``<name>+<hash>+<base64(0x04 || key)>``."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise NoteError("witness verifier key must be <name>+<hash>+<key>")
        name, hash_hex, key64 = parts
        try:
            name.encode("utf-8")  # the key ID hashes the name; a lone surrogate has no UTF-8
        except UnicodeEncodeError:
            raise NoteError("witness name is not valid Unicode text") from None
        if len(hash_hex) != 8 or not set(hash_hex) <= _HEX:
            raise NoteError(f"key hash {hash_hex!r} is not 8 lowercase hex digits")
        try:
            typed = unb64(key64)
        except EncodingError:
            raise NoteError("witness verifier key data is not standard base64") from None
        if not typed or typed[0] != ALG_COSIGNATURE_V1:
            raise NoteError("not a cosignature/v1 key (signature type must be 0x04)")
        if len(typed) != 1 + PUBLIC_KEY_SIZE:
            raise NoteError(f"an Ed25519 key is 32 bytes, got {len(typed) - 1}")
        verifier = cls(name, _key_hash(name, typed[1:]), typed[1:])
        if verifier.key_hash.hex() != hash_hex:
            raise NoteError(f"verifier key hash {hash_hex} does not match its name and key")
        return verifier

    def verify(self, checkpoint_text: str, sig: bytes) -> int | None:
        """The timestamp of `sig` (the 72 bytes after the key ID) if it cosigns this text."""
        if len(sig) != TIMESTAMPED_SIGNATURE_SIZE:
            return None
        (timestamp,) = struct.unpack(">Q", sig[:8])
        if timestamp > MAX_TIMESTAMP:
            return None
        try:
            msg = cosigned_message(checkpoint_text, timestamp)
        except UnicodeEncodeError:
            return None
        return timestamp if verify(self.public_key, msg, sig[8:]) else None

    def __str__(self) -> str:
        typed = bytes([ALG_COSIGNATURE_V1]) + self.public_key
        return f"{self.name}+{self.key_hash.hex()}+{b64(typed)}"


@dataclass(frozen=True)
class CosignatureSigner:
    """A witness's named Ed25519 private key. Use it for cosignatures only (tlog-cosignature:
    one key per cosigner, since the v1 message does not commit to the name)."""

    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        verifier_key(self.name, public_bytes(self.private_key))

    def verifier(self) -> CosignatureVerifier:
        pub = public_bytes(self.private_key)
        return CosignatureVerifier(self.name, _key_hash(self.name, pub), pub)

    def verifier_key(self) -> str:
        return str(self.verifier())

    def cosign(self, checkpoint_text: str, timestamp: int) -> str:
        """The signature line ``— <name> base64(key ID || timestamp || signature)\\n``."""
        try:
            Checkpoint.parse(checkpoint_text)  # a cosignature applies to a checkpoint
        except CheckpointError as e:
            raise NoteError(f"refusing to cosign: {e}") from None
        msg = cosigned_message(checkpoint_text, timestamp)
        raw = self.verifier().key_hash + struct.pack(">Q", timestamp) + self.private_key.sign(msg)
        return f"{_SIG_PREFIX}{self.name} {b64(raw)}\n"


def add_cosignatures(signed_note: str, lines: Sequence[str]) -> str:
    """`signed_note` with these signature lines appended, skipping lines it already holds.

    Each item is one or more whole signature lines (a witness's 200 response body will do).
    Nothing is verified here; verify with `count_cosigners` or `check_policy`.
    """
    text = parse_note(signed_note).text
    present = set(signed_note[len(text) + 1 :].split("\n"))
    out = signed_note
    for chunk in lines:
        if not chunk.endswith("\n"):
            raise NoteError("signature lines must each end with a newline")
        for line in chunk[:-1].split("\n"):
            # Parsing the line under the note text rejects blank, unprefixed or bad lines.
            if not line or len(parse_note(f"{text}\n{line}\n").signatures) != 1:
                raise NoteError(f"not a single signature line: {line!r}")
            if line not in present:
                present.add(line)
                out += line + "\n"
    parse_note(out)  # the signed-note limits still hold
    return out


def _cosigners(
    signed_note: str, verifiers: Sequence[CosignatureVerifier], *, strict: bool
) -> list[CosignatureVerifier]:
    note = parse_note(signed_note)
    known: dict[tuple[str, bytes], list[CosignatureVerifier]] = {}
    for v in dict.fromkeys(verifiers):
        known.setdefault((v.name, v.key_hash), []).append(v)
    found: list[CosignatureVerifier] = []
    for sig in note.signatures:
        candidates = known.get((sig.name, sig.key_hash), [])
        good = [v for v in candidates if v.verify(note.text, sig.sig) is not None]
        if candidates and not good and strict:
            # signed-note: a known key's signature MUST be verified; a failure taints the note.
            raise VerificationError(
                f"invalid cosignature by {sig.name}+{sig.key_hash.hex()}",
                expected="a cosignature/v1 of the checkpoint",
                found=b64(sig.sig),
            )
        found.extend(v for v in good if v not in found)
    return found


def count_cosigners(signed_note: str, verifiers: Sequence[CosignatureVerifier]) -> list[str]:
    """Names of the trusted witnesses with a valid cosignature on the note, in note order.

    Invalid cosignatures count for nothing here; `check_policy` rejects them.
    """
    return [v.name for v in _cosigners(signed_note, verifiers, strict=False)]


def check_policy(
    signed_note: str,
    log_verifier: NoteVerifier,
    witness_verifiers: Sequence[CosignatureVerifier],
    k: int,
) -> None:
    """Raise `VerificationError` unless the log signed the note and >= k distinct trusted
    witnesses cosigned it (and no trusted witness's cosignature on it is invalid)."""
    if k < 0:
        raise ValueError(f"a witness quorum is at least 0, got {k}")
    try:
        open_note(signed_note, [log_verifier])
    except NoteError as e:
        raise VerificationError(
            f"checkpoint not signed by the log: {e}", expected=str(log_verifier)
        ) from None
    cosigners = _cosigners(signed_note, witness_verifiers, strict=True)
    if len(cosigners) < k:
        raise VerificationError(
            f"checkpoint has {len(cosigners)} of the {k} witness cosignatures it needs",
            expected=k,
            found=[v.name for v in cosigners],
        )

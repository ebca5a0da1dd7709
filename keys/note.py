"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, as checkpoints are signed.

This module owns the note format and its keys: the verifier key string
``<name>+<hash>+<base64(0x01 || public key)>`` and the signer key string
``PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`` (the forms of golang.org/x/mod/sumdb/note),
the key ID ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``, signing a text, and a strict
parser and opener. Only signature type 0x01 (plain Ed25519 over the note text) is supported;
signatures of other types or unknown keys are parsed and kept, never verified. Limits, after
note.go: at most 100 signature lines, and at most 1 MiB in all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.ed25519 import PUBLIC_KEY_SIZE, b64, public_bytes, unb64, verify
from keys.errors import EncodingError, NoteError, VerificationError

__all__ = [
    "ALG_ED25519",
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "NoteError",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "SignedNote",
    "open_note",
    "parse_note",
    "sign_note",
    "verifier_key",
]

ALG_ED25519 = 0x01  # signed-note §Signature types
MAX_SIGNATURES = 100  # note.go's limit; the spec demands at least 16 be accepted
MAX_NOTE_BYTES = 1 << 20
_SIG_PREFIX = "\u2014 "  # em dash, space (signed-note §Format)
_HEX = frozenset("0123456789abcdef")
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # ASCII controls but newline
# Unicode White_Space (PropList.txt), the set Go's unicode.IsSpace tests; signed-note §Format:
# "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus".
_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _key_hash(name: str, typed_key: bytes) -> bytes:
    # signed-note §Signatures: key ID = SHA-256(key name || 0x0A || signature type || key)[:4]
    return hashlib.sha256(name.encode("utf-8") + b"\n" + typed_key).digest()[:4]


def _check_name(name: str) -> None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError("key name is not valid UTF-8 text") from None
    if not name or "+" in name or any(c in _SPACES or c < " " for c in name):
        raise NoteError(f"invalid key name {name!r}: non-empty, no spaces, '+' or controls")


def _parse_hash(text: str) -> bytes:
    # Always 8 lowercase hex digits, as written, so a key string has one spelling.
    if len(text) != 8 or not set(text) <= _HEX:
        raise NoteError(f"key hash {text!r} is not 8 lowercase hex digits")
    return bytes.fromhex(text)


def _parse_typed_key(text: str, what: str) -> bytes:
    try:
        data = unb64(text)
    except EncodingError:
        raise NoteError(f"{what} is not standard base64") from None
    if not data:
        raise NoteError(f"{what} is empty")
    return data


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted Ed25519 note key: its name, 4-byte key hash and 32-byte public key."""

    name: str
    key_hash: bytes
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.key_hash) != 4 or len(self.public_key) != PUBLIC_KEY_SIZE:
            raise NoteError("a note verifier has a 4-byte key hash and a 32-byte public key")

    @classmethod
    def parse(cls, vkey: str) -> NoteVerifier:
        """Read a verifier key string ``<name>+<hash>+<base64(0x01 || key)>``."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise NoteError("verifier key must be <name>+<hash>+<key>")
        name, hash_hex, key64 = parts
        _check_name(name)
        key_hash = _parse_hash(hash_hex)
        typed_key = _parse_typed_key(key64, "verifier key data")
        if _key_hash(name, typed_key) != key_hash:
            raise NoteError(f"verifier key hash {hash_hex} does not match its name and key")
        if typed_key[0] != ALG_ED25519:
            raise NoteError(f"unsupported signature type 0x{typed_key[0]:02x} (want 0x01)")
        if len(typed_key) != 1 + PUBLIC_KEY_SIZE:
            raise NoteError(f"an Ed25519 key is 32 bytes, got {len(typed_key) - 1}")
        return cls(name=name, key_hash=key_hash, public_key=typed_key[1:])

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Whether `sig` (without the key hash) is this key's Ed25519 signature of `msg`."""
        return verify(self.public_key, msg, sig)

    def __str__(self) -> str:
        return f"{self.name}+{self.key_hash.hex()}+{b64(bytes([ALG_ED25519]) + self.public_key)}"


def verifier_key(name: str, public_key_raw: bytes) -> str:
    """The verifier key string of an Ed25519 public key under `name`."""
    _check_name(name)
    if len(public_key_raw) != PUBLIC_KEY_SIZE:
        raise NoteError(f"an Ed25519 public key is 32 bytes, got {len(public_key_raw)}")
    typed_key = bytes([ALG_ED25519]) + bytes(public_key_raw)
    return str(NoteVerifier(name, _key_hash(name, typed_key), bytes(public_key_raw)))


@dataclass(frozen=True)
class NoteSigner:
    """A named Ed25519 private key that signs notes. Keep `to_skey()` output secret."""

    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.key_hash(), public_bytes(self.private_key))

    def key_hash(self) -> bytes:
        # Kept after the first call: deriving the public key costs more than signing a note.
        found: bytes | None = self.__dict__.get("_key_hash_memo")
        if found is None:
            typed_key = bytes([ALG_ED25519]) + public_bytes(self.private_key)
            found = _key_hash(self.name, typed_key)
            object.__setattr__(self, "_key_hash_memo", found)
        return found

    def sign(self, msg: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of `msg` (no key hash)."""
        return self.private_key.sign(msg)

    @classmethod
    def parse(cls, skey: str) -> NoteSigner:
        """Read a signer key string ``PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>``."""
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError("signer key must be PRIVATE+KEY+<name>+<hash>+<key>")
        name, hash_hex, key64 = parts[2:]
        _check_name(name)
        key_hash = _parse_hash(hash_hex)
        typed_key = _parse_typed_key(key64, "signer key data")
        if typed_key[0] != ALG_ED25519:
            raise NoteError(f"unsupported signature type 0x{typed_key[0]:02x} (want 0x01)")
        if len(typed_key) != 1 + PUBLIC_KEY_SIZE:  # an Ed25519 seed is as long as a key
            raise NoteError(f"an Ed25519 seed is 32 bytes, got {len(typed_key) - 1}")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(typed_key[1:]))
        # The hash names the public key, so it can only be checked once that is derived.
        if signer.key_hash() != key_hash:
            raise NoteError(f"signer key hash {hash_hex} does not match its name and key")
        return signer

    def to_skey(self) -> str:
        seed = self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        typed = b64(bytes([ALG_ED25519]) + seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_hash().hex()}+{typed}"


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key hash, and the signature bytes after it."""

    name: str
    key_hash: bytes
    sig: bytes


@dataclass(frozen=True)
class SignedNote:
    """A note's text (ending in newline) and its signature lines, verified or not."""

    text: str
    signatures: tuple[NoteSignature, ...]


def _check_text(text: str) -> bytes:
    # signed-note §Format: valid UTF-8, no ASCII control characters other than newline.
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError("note is not valid UTF-8 text") from None
    if _CONTROL.search(text):
        raise NoteError("note contains a control character other than newline")
    return data


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """`text` followed by a blank line and one signature line per signer, in order."""
    data = _check_text(text)
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if not signers or len(signers) > MAX_SIGNATURES:
        raise NoteError(f"a note needs 1 to {MAX_SIGNATURES} signers, got {len(signers)}")
    lines: list[str] = []
    seen: set[tuple[str, bytes]] = set()
    for signer in signers:
        key_hash = signer.key_hash()
        if (signer.name, key_hash) in seen:
            raise NoteError(f"key {signer.name}+{key_hash.hex()} is given twice")
        seen.add((signer.name, key_hash))
        lines.append(f"{_SIG_PREFIX}{signer.name} {b64(key_hash + signer.sign(data))}\n")
    note = text + "\n" + "".join(lines)
    if len(note.encode("utf-8")) > MAX_NOTE_BYTES:
        raise NoteError(f"signed note would exceed {MAX_NOTE_BYTES} bytes")
    return note


def parse_note(msg: str | bytes) -> SignedNote:
    """Split a signed note into text and signatures, strictly; verifies nothing.

    Exact duplicate signature lines are kept once, as note.go does.
    """
    if isinstance(msg, bytes):
        if len(msg) > MAX_NOTE_BYTES:
            raise NoteError(f"note exceeds {MAX_NOTE_BYTES} bytes")
        try:
            msg = msg.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    # Every character is at least one byte: a longer text is refused before it is encoded.
    if len(msg) > MAX_NOTE_BYTES or len(_check_text(msg)) > MAX_NOTE_BYTES:
        raise NoteError(f"note exceeds {MAX_NOTE_BYTES} bytes")
    # signed-note §Format: "the text is separated from the signatures by the last empty line".
    split = msg.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note must end with signature lines, each ending in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    signatures: list[NoteSignature] = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(f"signature line {number} does not start with an em dash and space")
        name, _, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
        try:
            _check_name(name)
            raw = unb64(sig64)
        except (NoteError, EncodingError) as e:
            raise NoteError(f"signature line {number} is malformed: {e}") from None
        if len(raw) < 5:
            raise NoteError(f"signature line {number} is too short for a key hash and signature")
        sig = NoteSignature(name=name, key_hash=raw[:4], sig=raw[4:])
        if sig not in signatures:
            signatures.append(sig)
    return SignedNote(text=text, signatures=tuple(signatures))


def open_note(
    msg: str | bytes, verifiers: Sequence[NoteVerifier]
) -> tuple[SignedNote, list[NoteVerifier]]:
    """Parse `msg` and verify every signature by a known key (same name and key hash).

    Returns the note and the verifiers that signed it, in signature order. Signatures by
    unknown keys stay in the note, unverified. Raises `VerificationError` if a known key's
    signature fails (signed-note: clients SHOULD reject the whole note) and `NoteError` if no
    known key signed (MUST reject).
    """
    note = parse_note(msg)
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    ambiguous: set[tuple[str, bytes]] = set()
    for v in verifiers:
        k = (v.name, v.key_hash)
        if k in known and known[k] != v:
            ambiguous.add(k)
        known.setdefault(k, v)
    data = note.text.encode("utf-8")
    verified: list[NoteVerifier] = []
    for sig in note.signatures:
        k = (sig.name, sig.key_hash)
        if k not in known:
            continue
        label = f"{sig.name}+{sig.key_hash.hex()}"
        if k in ambiguous:
            raise NoteError(f"ambiguous key {label}: two trusted keys share name and hash")
        verifier = known[k]
        # Every signature by a known key is checked, repeated ones too (signed-note: "If the
        # key name and ID match a known key, verifiers MUST verify the signature").
        if not verifier.verify(data, sig.sig):
            raise VerificationError(
                f"invalid signature for key {label}",
                expected=f"an Ed25519 signature of the note text by {verifier}",
                found=b64(sig.sig),
            )
        if verifier not in verified:
            verified.append(verifier)
    if not verified:
        raise NoteError("note has no signature from a known key")
    return note, verified

"""Ed25519 key pairs, Pakta key ids, strict base64 and key files.

This module owns the raw key material every other part of Pakta signs and verifies with. A
public key travels as its 32 raw bytes (RFC 8032 §5.1.5). A **key id** names a public key:
``"ed25519:" + hex(SHA-256(b"pakta-keyid-v1\\x00" || raw32)[:16])``, i.e. the prefix
``ed25519:`` and 32 lowercase hex digits (40 characters in all); the versioned, NUL-terminated
domain tag keeps it from colliding with any other hash of the same key. Base64 is RFC 4648 §4
with padding, decoded strictly so that each byte string has exactly one accepted text form.
Private keys are stored as PKCS #8 PEM in files of mode 0600 that are never overwritten,
unencrypted or, with a passphrase, as an RFC 5958 EncryptedPrivateKeyInfo (PBES2:
PBKDF2-HMAC-SHA256 at 600,000 iterations and AES-256-CBC, written by `keys.pbes2`; see
docs/key-files.md for the exact parameters and why a browser can decrypt it too). A public
key file is one line: the base64 of the raw key, a space and its key id (the key id is checked
when the file is read; a line with the key alone, or a PEM SubjectPublicKeyInfo, is read too).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from keys import pbes2
from keys.errors import EncodingError, KeyFileError, PassphraseError
from keys.strict import public_key_refusal, signature_refusal

__all__ = [
    "KEY_ID_PREFIX",
    "MIN_PASSPHRASE_LENGTH",
    "PUBLIC_KEY_SIZE",
    "SIGNATURE_SIZE",
    "EncodingError",
    "KeyFileError",
    "Passphrase",
    "PassphraseError",
    "b64",
    "is_encrypted",
    "generate",
    "key_id",
    "load_private_key",
    "load_public_key",
    "parse_public_key",
    "passphrase_bytes",
    "public_bytes",
    "public_key_from_bytes",
    "unb64",
    "verify",
    "write_private_key",
    "write_public_key",
]

PUBLIC_KEY_SIZE = 32  # RFC 8032 §5.1.5
SIGNATURE_SIZE = 64  # RFC 8032 §5.1.6
KEY_ID_PREFIX = "ed25519:"
_KEY_ID_TAG = b"pakta-keyid-v1\x00"
_KEY_ID_RE = re.compile(r"ed25519:[0-9a-f]{32}")
# A guessed passphrase costs 600,000 PBKDF2 iterations to try (keys/pbes2.py), which slows an
# attacker but does not save a short passphrase: a new encrypted key needs this many characters.
MIN_PASSPHRASE_LENGTH = 12
_ENCRYPTED_PEM = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
# A passphrase, or a function asked for one only when the key file turns out to be encrypted
# (so that a prompt appears only when it is needed).
Passphrase = str | Callable[[], str] | None

# RFC 4648 §4 alphabet, padding only at the end; length and trailing bits are checked by
# re-encoding in unb64.
_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def generate() -> Ed25519PrivateKey:
    """A fresh key pair from the operating system's CSPRNG."""
    return Ed25519PrivateKey.generate()


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public half of `key`."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_bytes(raw: bytes) -> Ed25519PublicKey:
    """The public key whose raw encoding is `raw` (exactly 32 bytes)."""
    if len(raw) != PUBLIC_KEY_SIZE:
        raise KeyFileError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, got {len(raw)}")
    try:
        return Ed25519PublicKey.from_public_bytes(bytes(raw))
    except ValueError:
        raise KeyFileError("not a valid Ed25519 public key") from None


def key_id(public_key_raw: bytes) -> str:
    """The Pakta key id of a raw public key (derivation in the module docstring)."""
    if len(public_key_raw) != PUBLIC_KEY_SIZE:
        raise KeyFileError(
            f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, got {len(public_key_raw)}"
        )
    digest = hashlib.sha256(_KEY_ID_TAG + bytes(public_key_raw)).digest()
    return KEY_ID_PREFIX + digest[:16].hex()


def b64(data: bytes) -> str:
    """Standard, padded base64 (RFC 4648 §4)."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Decode standard padded base64, accepting only the one canonical encoding of the bytes.

    Rejects characters outside the alphabet (including whitespace and the URL-safe `-_`),
    missing or extra padding, and non-zero trailing bits (RFC 4648 §3.5 lets decoders reject
    them; accepting them would give one signature several spellings).
    """
    if not isinstance(text, str):
        raise EncodingError(f"base64 must be a string, got {type(text).__name__}")
    if not text.isascii() or _B64_RE.fullmatch(text) is None or len(text) % 4 != 0:
        raise EncodingError("not standard padded base64 (RFC 4648 §4)")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise EncodingError("not standard padded base64 (RFC 4648 §4)") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise EncodingError("non-canonical base64: padding bits must be zero")
    return data


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    # O_EXCL fails if anything (even a dangling symlink) is at `path`, so an existing key is
    # never replaced and nothing is written through a planted link.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise KeyFileError(f"refusing to overwrite existing file {path}") from None
    except OSError as e:
        raise KeyFileError(f"cannot create {path}: {e.strerror}") from None
    try:
        if os.name == "posix":
            os.fchmod(fd, mode)  # the umask may have removed bits we want, e.g. 0644's 044
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as e:
        os.close(fd)
        path.unlink(missing_ok=True)  # never leave a truncated key behind
        raise KeyFileError(f"cannot write {path}: {e.strerror}") from None
    os.close(fd)


def passphrase_bytes(passphrase: str) -> bytes:
    """The PBES2 password of a passphrase: UTF-8 of its Unicode NFC form (RFC 8018 §3 leaves
    the text encoding to the application; NFC makes the same typed text the same bytes on
    every keyboard, and a browser gets them with `TextEncoder` after `normalize("NFC")`)."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def write_private_key(path: Path, key: Ed25519PrivateKey, passphrase: str | None = None) -> None:
    """Write `key` as PKCS #8 PEM to a new file of mode 0600, encrypted under `passphrase`
    when one is given (PBES2 by `keys.pbes2`, docs/key-files.md)."""
    if passphrase is not None:
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise PassphraseError(
                f"a passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters "
                "(four or more random words are easy to type and hard to guess)"
            )
        pem = pbes2.encrypt(key, passphrase_bytes(passphrase))
    else:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    _create_exclusive(Path(path), pem, 0o600)


def write_public_key(path: Path, key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> None:
    """Write the public key file (mode 0644): ``<base64 of the raw key> <key id>`` and a newline."""
    raw = key if isinstance(key, bytes) else public_bytes(key)
    public_key_from_bytes(raw)  # validates the length
    line = f"{b64(raw)} {key_id(raw)}\n"
    _create_exclusive(Path(path), line.encode("ascii"), 0o644)


def is_encrypted(path: Path) -> bool:
    """Whether the file at `path` is an encrypted PKCS #8 PEM key (it is not decrypted)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(_ENCRYPTED_PEM) + 64).lstrip().startswith(_ENCRYPTED_PEM)
    except OSError:
        return False


def load_private_key(path: Path, passphrase: Passphrase = None) -> Ed25519PrivateKey:
    """Read a PKCS #8 PEM Ed25519 private key that only its owner can read.

    An encrypted file needs `passphrase` (a string, or a function returning one that is called
    only for an encrypted file); a wrong one raises `PassphraseError`. A passphrase given for
    an unencrypted file is not used.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise KeyFileError(f"private key file not found: {path}") from None
    except OSError as e:
        raise KeyFileError(f"cannot open private key file {path}: {e.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        # fstat on the open file, not stat on the name, so the file checked is the file read.
        mode = os.fstat(f.fileno()).st_mode
        if os.name == "posix" and mode & 0o077:
            raise KeyFileError(
                f"private key file {path} is readable by others (mode {mode & 0o777:04o}); "
                f"run: chmod 600 {path}"
            )
        data = f.read()
    password: bytes | None = None
    if data.lstrip().startswith(_ENCRYPTED_PEM):
        if passphrase is None:
            raise PassphraseError(f"private key file {path} is encrypted: give its passphrase")
        password = passphrase_bytes(passphrase() if callable(passphrase) else passphrase)
        if not password:
            raise PassphraseError(f"the passphrase for {path} is empty")
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except TypeError:
        # An encrypted PEM other than PKCS #8's (an OpenSSL "Proc-Type: 4,ENCRYPTED" one).
        raise KeyFileError(
            f"{path} is encrypted in a form Pakta does not read: use encrypted PKCS #8 "
            "(pakta keygen --passphrase)"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        if password is not None:
            # PBES2 has no check value: a wrong passphrase and a damaged file look the same.
            raise PassphraseError(f"wrong passphrase for {path} (or the file is damaged)") from None
        raise KeyFileError(f"{path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def parse_public_key(text: str, where: str = "public key") -> bytes:
    """The raw bytes of a public key written as one line: base64 of the raw key, optionally
    followed by a space and its key id, which must then be that key's id."""
    parts = text.strip().split(" ")
    if not 1 <= len(parts) <= 2:
        raise KeyFileError(f"{where}: expected '<base64 key> [<key id>]' on one line")
    try:
        raw = unb64(parts[0])
    except EncodingError:
        raise KeyFileError(f"{where} is neither base64 of a raw key nor PEM") from None
    if len(raw) != PUBLIC_KEY_SIZE:
        raise KeyFileError(f"{where}: an Ed25519 public key is 32 bytes, got {len(raw)}")
    weak = public_key_refusal(raw)  # no signature by it would verify (keys/strict.py)
    if weak is not None:
        raise KeyFileError(f"{where}: {weak}")
    if len(parts) == 2:
        if _KEY_ID_RE.fullmatch(parts[1]) is None:
            raise KeyFileError(f"{where}: {parts[1]!r} is not a key id (ed25519:<32 hex>)")
        if parts[1] != key_id(raw):
            raise KeyFileError(
                f"{where}: the key id {parts[1]} does not belong to the key (its id is "
                f"{key_id(raw)})"
            )
    return raw


def load_public_key(path: Path) -> bytes:
    """Read a public key file (see the module docstring, or PEM SubjectPublicKeyInfo); return
    the raw bytes."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"public key file not found: {path}") from None
    except OSError as e:
        raise KeyFileError(f"cannot read public key file {path}: {e.strerror}") from None
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm):
            raise KeyFileError(f"{path} is not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
        return public_bytes(key)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is neither base64 of a raw key nor PEM") from None
    if text.count("\n") > 1 or (text.count("\n") == 1 and not text.endswith("\n")):
        raise KeyFileError(f"{path}: a public key file is one line")
    return parse_public_key(text, str(path))


@functools.lru_cache(maxsize=4096)
def _cached_public_key(raw: bytes) -> Ed25519PublicKey:
    # Auditors verify many signatures by few keys; decoding the point once per key saves time.
    return Ed25519PublicKey.from_public_bytes(raw)


def _libsodium_verify() -> Callable[[bytes, bytes, bytes], bool] | None:
    """libsodium's Ed25519 verify through PyNaCl (the `audit` extra), if it is installed."""
    try:
        from nacl.bindings import crypto_sign_open
        from nacl.exceptions import CryptoError
    except ImportError:
        return None

    def verify_libsodium(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
        # The lengths too: libsodium reads exactly 32 and 64 bytes.
        if signature_refusal(public_key_raw, signature) is not None:
            return False
        try:
            crypto_sign_open(signature + message, public_key_raw)
        except (CryptoError, ValueError, TypeError):
            return False
        return True

    return verify_libsodium


# libsodium's verify when PyNaCl is installed (~1.6x `verify` here), else None. Both apply
# `keys.strict` first, so they give the same verdict on every edge case RFC 8032 leaves open
# (tests/keys/test_ed25519_edge_cases.py): either may stand for the other.
verify_libsodium: Callable[[bytes, bytes, bytes], bool] | None = _libsodium_verify()


def verify(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is a valid Ed25519 signature of `message` by a key that may sign
    (`keys.strict`: what both OpenSSL and libsodium accept); never raises."""
    if signature_refusal(public_key_raw, signature) is not None:
        return False
    try:
        _cached_public_key(bytes(public_key_raw)).verify(bytes(signature), bytes(message))
    except (InvalidSignature, ValueError):
        return False
    return True

"""Tests for keys.ed25519: key ids, strict base64, key files, verification."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from keys import ed25519
from keys.errors import EncodingError, KeyFileError, PaktaError

# RFC 8032 §7.1 TEST 1
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIG = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)
# The documented derivation, recomputed here independently of keys.ed25519.
RFC8032_KEY_ID = (
    "ed25519:" + hashlib.sha256(b"pakta-keyid-v1\x00" + RFC8032_PUBLIC).hexdigest()[:32]
)


def test_rfc8032_known_answer() -> None:
    key = Ed25519PrivateKey.from_private_bytes(RFC8032_SEED)
    assert ed25519.public_bytes(key) == RFC8032_PUBLIC
    assert ed25519.public_bytes(key.public_key()) == RFC8032_PUBLIC
    assert key.sign(b"") == RFC8032_SIG
    assert ed25519.verify(RFC8032_PUBLIC, b"", RFC8032_SIG)


def test_key_id_format_and_derivation() -> None:
    kid = ed25519.key_id(RFC8032_PUBLIC)
    assert kid == RFC8032_KEY_ID
    assert kid == "ed25519:b70fb03d98af238f6e81780f7cf53346"
    assert re.fullmatch(r"ed25519:[0-9a-f]{32}", kid)
    assert len(kid) == 40


def test_key_id_is_deterministic_and_distinct() -> None:
    a, b = ed25519.generate(), ed25519.generate()
    raw_a = ed25519.public_bytes(a)
    assert ed25519.key_id(raw_a) == ed25519.key_id(bytes(raw_a))
    assert ed25519.key_id(raw_a) != ed25519.key_id(ed25519.public_bytes(b))


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_wrong_key_length_is_refused(size: int) -> None:
    with pytest.raises(KeyFileError, match="32 bytes"):
        ed25519.public_key_from_bytes(b"\x01" * size)
    with pytest.raises(KeyFileError):
        ed25519.key_id(b"\x01" * size)
    assert not ed25519.verify(b"\x01" * size, b"m", RFC8032_SIG)


def test_public_key_from_bytes_roundtrip() -> None:
    key = ed25519.public_key_from_bytes(RFC8032_PUBLIC)
    assert ed25519.public_bytes(key) == RFC8032_PUBLIC


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"", ""), (b"f", "Zg=="), (b"fo", "Zm8="), (b"foo", "Zm9v"), (b"\xfb\xff\xbf", "+/+/")],
)
def test_b64_roundtrip(data: bytes, text: str) -> None:  # RFC 4648 §10 and the + / alphabet
    assert ed25519.b64(data) == text
    assert ed25519.unb64(text) == data


@pytest.mark.parametrize(
    "text",
    [
        "Zg",  # missing padding
        "Zg=",  # short padding
        "Zg===",  # extra padding
        "Zm8",
        "Zm9v=",
        "Zh==",  # non-zero trailing bits (canonical form is Zg==)
        "Zm9=",  # ditto for Zm8=
        "Zm 9v",
        " Zm9v",
        "Zm9v\n",
        "Zm9v\r\n",
        "-_-_",  # URL-safe alphabet
        "Zm9v!",
        "Zg==Zg==",  # padding in the middle
        "=Zm9",
        "Zm9vé",
        "Ｚｍ９ｖ",  # full-width look-alikes
        "Z",
    ],
)
def test_unb64_is_strict(text: str) -> None:
    with pytest.raises(EncodingError):
        ed25519.unb64(text)


def test_unb64_needs_a_string() -> None:
    with pytest.raises(EncodingError):
        ed25519.unb64(b"Zm9v")  # type: ignore[arg-type]


def test_encoding_error_is_a_pakta_error() -> None:
    assert issubclass(EncodingError, PaktaError)
    assert issubclass(KeyFileError, PaktaError)


def test_private_key_file_is_0600_and_roundtrips(tmp_path: Path) -> None:
    key = ed25519.generate()
    path = tmp_path / "agency.key"
    old = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        ed25519.write_private_key(path, key)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    loaded = ed25519.load_private_key(path)
    assert ed25519.public_bytes(loaded) == ed25519.public_bytes(key)


def test_private_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "agency.key"
    ed25519.write_private_key(path, ed25519.generate())
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        ed25519.write_private_key(path, ed25519.generate())
    assert path.read_bytes() == before


def test_private_key_is_not_written_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    link = tmp_path / "agency.key"
    link.symlink_to(target)
    with pytest.raises(KeyFileError):
        ed25519.write_private_key(link, ed25519.generate())
    assert not target.exists()


def test_write_into_missing_folder_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot create"):
        ed25519.write_private_key(tmp_path / "nope" / "k.key", ed25519.generate())


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_load_refuses_readable_private_key(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "agency.key"
    ed25519.write_private_key(path, ed25519.generate())
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=f"chmod 600 {re.escape(str(path))}") as info:
        ed25519.load_private_key(path)
    assert f"{mode:04o}" in str(info.value)


def test_load_accepts_0400(tmp_path: Path) -> None:
    path = tmp_path / "agency.key"
    ed25519.write_private_key(path, ed25519.generate())
    path.chmod(0o400)
    ed25519.load_private_key(path)


def test_load_missing_private_key(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="not found"):
        ed25519.load_private_key(tmp_path / "absent.key")


def _write_0600(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def test_load_rejects_non_ed25519_private_key(tmp_path: Path) -> None:
    ec = generate_private_key(SECP256R1())
    pem = ec.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = tmp_path / "ec.key"
    _write_0600(path, pem)
    with pytest.raises(KeyFileError, match="not an Ed25519 private key"):
        ed25519.load_private_key(path)


def test_load_rejects_garbage_and_encrypted_keys(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.key"
    _write_0600(garbage, b"hello\n")
    with pytest.raises(KeyFileError, match="not a PEM private key"):
        ed25519.load_private_key(garbage)
    encrypted = tmp_path / "encrypted.key"
    pem = ed25519.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    _write_0600(encrypted, pem)
    with pytest.raises(KeyFileError, match="encrypted"):
        ed25519.load_private_key(encrypted)


def test_public_key_file_roundtrip(tmp_path: Path) -> None:
    key = ed25519.generate()
    raw = ed25519.public_bytes(key)
    forms: list[Ed25519PrivateKey | Ed25519PublicKey | bytes] = [key, key.public_key(), raw]
    for i, form in enumerate(forms):
        path = tmp_path / f"agency{i}.pub"
        ed25519.write_public_key(path, form)
        assert path.read_text() == f"{ed25519.b64(raw)} {ed25519.key_id(raw)}\n"
        assert ed25519.load_public_key(path) == raw
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        ed25519.write_public_key(tmp_path / "agency0.pub", key)


def test_load_public_key_accepts_pem(tmp_path: Path) -> None:
    key = ed25519.generate()
    path = tmp_path / "agency.pem"
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert ed25519.load_public_key(path) == ed25519.public_bytes(key)


def test_load_public_key_rejections(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="not found"):
        ed25519.load_public_key(tmp_path / "absent.pub")
    cases = {
        "short.pub": ed25519.b64(b"\x00" * 31) + "\n",
        "junk.pub": "not base64!\n",
        "pem.pub": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "identity.pub": ed25519.b64(b"\x01" + b"\x00" * 31) + "\n",  # of small order
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(KeyFileError) as caught:
            ed25519.load_public_key(path)
        assert name != "identity.pub" or "small order" in str(caught.value)
    ec_pem = tmp_path / "ec.pem"
    ec_pem.write_bytes(
        generate_private_key(SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(KeyFileError, match="not an Ed25519 key"):
        ed25519.load_public_key(ec_pem)


def test_verify_never_raises() -> None:
    key = ed25519.generate()
    raw = ed25519.public_bytes(key)
    sig = key.sign(b"message")
    assert ed25519.verify(raw, b"message", sig)
    assert not ed25519.verify(raw, b"messagf", sig)
    assert not ed25519.verify(raw, b"message", sig[:-1])
    assert not ed25519.verify(raw, b"message", sig + b"\x00")
    assert not ed25519.verify(raw, b"message", b"")
    assert not ed25519.verify(ed25519.public_bytes(ed25519.generate()), b"message", sig)
    for i in range(len(sig)):
        flipped = bytearray(sig)
        flipped[i] ^= 0x01
        assert not ed25519.verify(raw, b"message", bytes(flipped))

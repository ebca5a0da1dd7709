"""Encrypted private key files and public key files with their key id (docs/key-files.md).

The encrypted format is checked three ways: our own round trip, files written by OpenSSL
(tests/vectors/keys/encrypted-pkcs8.json), and a decryption of our file that uses only
PBKDF2-HMAC-SHA256 and AES-256-CBC, the two primitives a browser's WebCrypto offers, after
reading the RFC 8018 parameters from the DER by hand: if `cryptography` ever writes something
else (keys/pbes2.py), the browser could no longer open the file and this fails.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.padding import PKCS7

from keys import ed25519
from keys.errors import KeyFileError, PassphraseError

VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors" / "keys" / "encrypted-pkcs8.json").read_text()
)
PASSPHRASE = "kunci rahasia kantor imigrasi"
# RFC 8410 §7: an Ed25519 PrivateKeyInfo is this 16-byte header and the 32-byte seed.
ED25519_PKCS8_HEADER = bytes.fromhex("302e020100300506032b657004220420")
OID = {
    "pbes2": "2a864886f70d01050d",  # 1.2.840.113549.1.5.13 (RFC 8018 A.4)
    "pbkdf2": "2a864886f70d01050c",  # 1.2.840.113549.1.5.12 (RFC 8018 A.2)
    "hmac_sha256": "2a864886f70d0209",  # 1.2.840.113549.2.9 (RFC 8018 B.1.2)
    "aes256_cbc": "60864801650304012a",  # 2.16.840.1.101.3.4.1.42 (RFC 8018 B.2.5)
}


def der(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, contents) of each DER TLV in `data`: enough of X.690 to read PBES2."""
    out = []
    i = 0
    while i < len(data):
        tag, length = data[i], data[i + 1]
        i += 2
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(data[i : i + n], "big")
            i += n
        out.append((tag, data[i : i + length]))
        i += length
    return out


def pem_body(pem: bytes) -> bytes:
    import base64

    lines = pem.decode().strip().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED PRIVATE KEY-----"
    assert lines[-1] == "-----END ENCRYPTED PRIVATE KEY-----"
    return base64.b64decode("".join(lines[1:-1]))


def fields(data: bytes, *tags: int) -> list[bytes]:
    """The contents of the TLVs in `data`, which must have exactly these tags."""
    found = der(data)
    assert [tag for tag, _ in found] == list(tags), found
    return [contents for _, contents in found]


def decrypt_like_a_browser(pem: bytes, passphrase: str) -> tuple[bytes, int, int]:
    """The PrivateKeyInfo in an EncryptedPrivateKeyInfo, the PBKDF2 iterations and salt size,
    using only what WebCrypto has (PBKDF2 with SHA-256, AES-CBC with PKCS #7 padding)."""
    sequence, octets, oid, integer = 0x30, 0x04, 0x06, 0x02
    [info] = fields(pem_body(pem), sequence)
    algorithm, ciphertext = fields(info, sequence, octets)
    pbes2, params = fields(algorithm, oid, sequence)
    assert pbes2.hex() == OID["pbes2"]
    kdf, scheme = fields(params, sequence, sequence)
    pbkdf2, kdf_params = fields(kdf, oid, sequence)
    assert pbkdf2.hex() == OID["pbkdf2"]
    # keyLength is optional and left out; the PRF must be named: its default is HMAC-SHA1.
    salt, iterations, prf = fields(kdf_params, octets, integer, sequence)
    assert fields(prf, oid, 0x05)[0].hex() == OID["hmac_sha256"]
    cipher, iv = fields(scheme, oid, octets)
    assert cipher.hex() == OID["aes256_cbc"] and len(iv) == 16
    rounds = int.from_bytes(iterations, "big")
    key = PBKDF2HMAC(hashes.SHA256(), 32, salt, rounds).derive(ed25519.passphrase_bytes(passphrase))
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize(), rounds, len(salt)


def test_an_encrypted_key_round_trips_0600_and_never_overwritten(tmp_path: Path) -> None:
    key = ed25519.generate()
    path = tmp_path / "head.key"
    ed25519.write_private_key(path, key, PASSPHRASE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert ed25519.is_encrypted(path)
    loaded = ed25519.load_private_key(path, PASSPHRASE)
    assert ed25519.public_bytes(loaded) == ed25519.public_bytes(key)
    asked: list[str] = []
    ed25519.load_private_key(path, lambda: asked.append("asked") or PASSPHRASE)
    assert asked == ["asked"]
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        ed25519.write_private_key(path, ed25519.generate(), PASSPHRASE)
    assert ed25519.public_bytes(ed25519.load_private_key(path, PASSPHRASE)) == (
        ed25519.public_bytes(key)
    )


def test_a_plain_key_never_asks_for_a_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "plain.key"
    ed25519.write_private_key(path, ed25519.generate())
    assert not ed25519.is_encrypted(path)

    def never() -> str:
        raise AssertionError("asked for a passphrase of a plain key")

    ed25519.load_private_key(path, never)


def test_a_wrong_or_missing_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "head.key"
    ed25519.write_private_key(path, ed25519.generate(), PASSPHRASE)
    with pytest.raises(PassphraseError, match=r"^wrong passphrase for .*head\.key"):
        ed25519.load_private_key(path, PASSPHRASE + "!")
    with pytest.raises(PassphraseError, match="is encrypted: give its passphrase"):
        ed25519.load_private_key(path)
    with pytest.raises(PassphraseError, match="empty"):
        ed25519.load_private_key(path, "")


def test_a_short_passphrase_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "head.key"
    with pytest.raises(PassphraseError, match="at least 12 characters"):
        ed25519.write_private_key(path, ed25519.generate(), "rahasia")
    assert not path.exists()


def test_the_passphrase_is_nfc_normalised(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    ed25519.write_private_key(path, ed25519.generate(), "kunci kafe\u0301 rahasia")  # e + accent
    ed25519.load_private_key(path, "kunci kaf\u00e9 rahasia")  # the composed é


def test_the_file_is_pbes2_that_webcrypto_primitives_decrypt(tmp_path: Path) -> None:
    key = ed25519.generate()
    path = tmp_path / "head.key"
    ed25519.write_private_key(path, key, PASSPHRASE)
    info, rounds, salt_size = decrypt_like_a_browser(path.read_bytes(), PASSPHRASE)
    # What docs/key-files.md promises about the file (keys/pbes2.py).
    assert (rounds, salt_size) == (600_000, 16)
    assert info[:16] == ED25519_PKCS8_HEADER and len(info) == 48
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert info[16:] == seed


@pytest.mark.parametrize("name", sorted(VECTORS["files"]))
def test_openssl_written_keys_are_read(tmp_path: Path, name: str) -> None:
    vector = VECTORS["files"][name]
    path = tmp_path / "openssl.key"
    path.write_text(vector["pem"])
    path.chmod(0o600)
    key = ed25519.load_private_key(path, VECTORS["passphrase"])
    assert ed25519.public_bytes(key).hex() == VECTORS["public"]
    assert ed25519.key_id(ed25519.public_bytes(key)) == VECTORS["keyid"]
    info, rounds, salt_size = decrypt_like_a_browser(vector["pem"].encode(), PASSPHRASE)
    assert (rounds, salt_size) == (vector["iterations"], vector["salt_bytes"])
    assert info == ED25519_PKCS8_HEADER + bytes.fromhex(VECTORS["seed"])
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        ed25519.load_private_key(path, "kunci rahasia kantor pajak")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command line here")
def test_openssl_decrypts_our_file(tmp_path: Path) -> None:
    key = ed25519.generate()
    path = tmp_path / "head.key"
    ed25519.write_private_key(path, key, PASSPHRASE)
    found = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-passin", f"pass:{PASSPHRASE}", "-pubout"],
        capture_output=True,
        check=True,
    ).stdout
    public = serialization.load_pem_public_key(found)
    assert ed25519.public_bytes(public) == ed25519.public_bytes(key)  # type: ignore[arg-type]


def test_the_pub_file_carries_the_key_id(tmp_path: Path) -> None:
    key = ed25519.generate()
    raw = ed25519.public_bytes(key)
    path = tmp_path / "head.key.pub"
    ed25519.write_public_key(path, key)
    assert path.read_text() == f"{ed25519.b64(raw)} {ed25519.key_id(raw)}\n"
    assert ed25519.load_public_key(path) == raw
    assert ed25519.parse_public_key(path.read_text()) == raw
    legacy = tmp_path / "legacy.pub"
    legacy.write_text(ed25519.b64(raw) + "\n")
    assert ed25519.load_public_key(legacy) == raw


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{key} ed25519:00000000000000000000000000000000\n", "does not belong to the key"),
        ("{key} ed25519:XYZ\n", "is not a key id"),
        ("{key} {kid} comment\n", "on one line"),
        ("{key}  {kid}\n", "on one line"),
        ("{key}\n{kid}\n", "one line"),
    ],
)
def test_a_pub_file_with_a_wrong_or_extra_key_id_is_refused(
    tmp_path: Path, content: str, message: str
) -> None:
    raw = ed25519.public_bytes(ed25519.generate())
    path = tmp_path / "bad.pub"
    path.write_text(content.format(key=ed25519.b64(raw), kid=ed25519.key_id(raw)))
    with pytest.raises(KeyFileError, match=message):
        ed25519.load_public_key(path)

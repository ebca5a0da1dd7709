"""Encrypted PKCS #8 written by Pakta: RFC 5958 EncryptedPrivateKeyInfo under PBES2 (RFC 8018)
with PBKDF2-HMAC-SHA-256 at `ITERATIONS` and AES-256-CBC, the one layout the browser workbench
also reads and writes (web/static/workbench/keys.js, docs/key-files.md).

`cryptography`'s `BestAvailableEncryption` writes the same layout with only 2,048 iterations and
no way to choose more, so the DER around the key is written here; the cryptography is all
`cryptography`'s (PBKDF2HMAC, AES-CBC, PKCS #7 padding). Files are read back by `cryptography`
(OpenSSL), which reads the iteration count from the file, so every earlier file stays readable.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.padding import PKCS7

# OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; about 0.2 s per derivation on a server core.
ITERATIONS = 600_000
SALT_BYTES = 16
_OID_PBES2 = bytes.fromhex("2a864886f70d01050d")  # 1.2.840.113549.1.5.13
_OID_PBKDF2 = bytes.fromhex("2a864886f70d01050c")  # 1.2.840.113549.1.5.12
_OID_HMAC_SHA256 = bytes.fromhex("2a864886f70d0209")  # 1.2.840.113549.2.9
_OID_AES256_CBC = bytes.fromhex("60864801650304012a")  # 2.16.840.1.101.3.4.1.42


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + length + body


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))  # minimal, positive


def encrypt(key: Ed25519PrivateKey, password: bytes, iterations: int = ITERATIONS) -> bytes:
    """The PEM `EncryptedPrivateKeyInfo` of `key` under `password` (already NFC UTF-8)."""
    plain = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    salt, iv = os.urandom(SALT_BYTES), os.urandom(16)
    aes_key = PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(password)
    padder = PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    der = _seq(
        _seq(
            _tlv(0x06, _OID_PBES2),
            _seq(
                _seq(
                    _tlv(0x06, _OID_PBKDF2),
                    _seq(
                        _tlv(0x04, salt),
                        _int(iterations),
                        _seq(_tlv(0x06, _OID_HMAC_SHA256), b"\x05\x00"),
                    ),
                ),
                _seq(_tlv(0x06, _OID_AES256_CBC), _tlv(0x04, iv)),
            ),
        ),
        _tlv(0x04, ciphertext),
    )
    text = base64.b64encode(der).decode("ascii")
    lines = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    pem = f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{lines}\n-----END ENCRYPTED PRIVATE KEY-----\n"
    return pem.encode("ascii")

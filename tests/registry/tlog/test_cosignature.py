"""Tests for registry.tlog.cosignature: spec vectors, keys, the exact signed bytes, tampering,
appending cosignature lines, and the k-of-n witness policy."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys import ed25519
from keys.errors import NoteError, PaktaError, VerificationError
from keys.note import NoteSigner, parse_note, sign_note
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import (
    ALG_COSIGNATURE_V1,
    CosignatureSigner,
    CosignatureVerifier,
    add_cosignatures,
    check_policy,
    cosigned_message,
    count_cosigners,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "vectors" / "witness" / "spec-examples.json").read_text(
        encoding="utf-8"
    )
)
SPEC = VECTORS["tlog_cosignature_example"]
TDEV = VECTORS["transparency_dev_formats"]
ORIGIN = "test.pakta/log"
TEXT = Checkpoint(ORIGIN, 5, hashlib.sha256(b"root").digest()).to_text()
TS = 1_700_000_000


def witness(name: str = "witness.example/w1") -> CosignatureSigner:
    return CosignatureSigner(name, ed25519.generate())


def sig_of(line: str, text: str = TEXT) -> bytes:
    (sig,) = parse_note(text + "\n" + line).signatures
    return sig.sig


def test_spec_example_parses_with_the_signed_message_time() -> None:
    note = parse_note(SPEC["note"])
    assert note.text == SPEC["checkpoint"]
    cosig = note.signatures[1]
    assert (cosig.name, cosig.key_hash.hex()) == (SPEC["witness_name"], SPEC["key_hash"])
    assert len(cosig.sig) == 72
    (timestamp,) = struct.unpack(">Q", cosig.sig[:8])
    assert timestamp == SPEC["timestamp"]
    assert cosigned_message(note.text, timestamp) == SPEC["signed_message"].encode()
    # Unknown key: nothing verifies, nothing counts.
    assert count_cosigners(SPEC["note"], [witness().verifier()]) == []


def test_transparency_dev_vectors() -> None:
    v = CosignatureVerifier.parse(TDEV["cosignature_vkey"])
    assert (v.name, v.key_hash.hex()) == ("remora.n621.de", "da77ade7")
    assert str(v) == TDEV["cosignature_vkey"]
    with pytest.raises(NoteError, match="0x04"):
        CosignatureVerifier.parse(TDEV["ed25519_note_vkey"])
    raw = ed25519.unb64(TDEV["timestamped_signature"])
    assert struct.unpack(">Q", raw[4:12]) == (TDEV["timestamp"],)


def test_roundtrip_and_exact_bytes() -> None:
    signer = witness()
    line = signer.cosign(TEXT, TS)
    assert line.startswith("\u2014 witness.example/w1 ") and line.endswith("\n")
    raw = ed25519.unb64(line.split(" ")[2].strip())
    pub = ed25519.public_bytes(signer.private_key)
    # Key ID, u64 big-endian timestamp, Ed25519 signature: checked without our verifier.
    assert raw[:4] == hashlib.sha256(b"witness.example/w1\n\x04" + pub).digest()[:4]
    assert raw[4:12] == TS.to_bytes(8, "big")
    msg = b"cosignature/v1\ntime 1700000000\n" + TEXT.encode()
    assert ed25519.verify(pub, msg, raw[12:])
    assert signer.verifier().verify(TEXT, sig_of(line)) == TS
    assert signer.cosign(TEXT, TS) == line  # Ed25519 is deterministic


def test_vkey_format_and_algorithm_byte() -> None:
    signer = witness()
    vkey = signer.verifier_key()
    name, hash_hex, key64 = vkey.split("+", 2)
    typed = ed25519.unb64(key64)
    assert name == "witness.example/w1" and typed[0] == ALG_COSIGNATURE_V1 == 0x04
    assert typed[1:] == ed25519.public_bytes(signer.private_key)
    assert bytes.fromhex(hash_hex) == hashlib.sha256(name.encode() + b"\n" + typed).digest()[:4]
    assert CosignatureVerifier.parse(vkey) == signer.verifier()
    # Differs from the plain note key ID of the same key (type 0x01).
    assert NoteSigner(name, signer.private_key).key_hash().hex() != hash_hex


FIXED = CosignatureSigner("w", Ed25519PrivateKey.from_private_bytes(bytes(32)))
NAME, HASH, KEY64 = FIXED.verifier_key().split("+", 2)


@pytest.mark.parametrize(
    "vkey",
    [
        f"{NAME}+{HASH.upper()}+{KEY64}",  # one spelling: lowercase hex
        f"{NAME}+00000000+{KEY64}",
        f"{NAME}x+{HASH}+{KEY64}",
        f"{NAME}+{HASH}+{KEY64}A",
        f"{NAME}+{HASH}",
        f"{NAME}+{HASH}+" + ed25519.b64(b"\x01" + ed25519.unb64(KEY64)[1:]),
        f"{NAME}+{HASH}+" + ed25519.b64(ed25519.unb64(KEY64)[:-1]),
        f"bad name+{HASH}+{KEY64}",
        f"\ud800+{HASH}+{KEY64}",  # a lone surrogate raised UnicodeEncodeError in the key ID
        f"w\udfff+{HASH}+{KEY64}",
        f"{NAME}+{HASH}+{KEY64[:-1]}\ud800",
        f"{NAME}+{HASH[:-1]}\u0663+{KEY64}",  # an Arabic-Indic digit is not hex
    ],
)
def test_bad_vkeys_are_refused(vkey: str) -> None:
    assert HASH != HASH.upper()  # the fixed key's hash has a letter, so the first case bites
    with pytest.raises(NoteError):
        CosignatureVerifier.parse(vkey)


def test_wrong_key_tampered_text_and_timestamp_fail() -> None:
    signer = witness()
    sig = sig_of(signer.cosign(TEXT, TS))
    assert witness().verifier().verify(TEXT, sig) is None
    other = Checkpoint(ORIGIN, 6, hashlib.sha256(b"root").digest()).to_text()
    assert signer.verifier().verify(other, sig) is None
    assert signer.verifier().verify(TEXT + "extension\n", sig) is None
    tampered = (TS + 1).to_bytes(8, "big") + sig[8:]
    assert signer.verifier().verify(TEXT, tampered) is None
    assert signer.verifier().verify(TEXT, sig[:-1]) is None
    assert signer.verifier().verify(TEXT, sig + b"\0") is None
    huge = (2**63).to_bytes(8, "big") + sig[8:]
    assert signer.verifier().verify(TEXT, huge) is None
    for i in range(len(sig)):
        flipped = bytearray(sig)
        flipped[i] ^= 1
        assert signer.verifier().verify(TEXT, bytes(flipped)) is None


def test_extension_lines_are_signed() -> None:
    text = Checkpoint(ORIGIN, 5, bytes(32), ("ext one",)).to_text()
    signer = witness()
    sig = sig_of(signer.cosign(text, TS), text)
    assert signer.verifier().verify(text, sig) == TS
    assert signer.verifier().verify(text.replace("one", "two"), sig) is None


def test_cosign_refuses_non_checkpoints_and_bad_timestamps() -> None:
    signer = witness()
    with pytest.raises(NoteError, match="refusing to cosign"):
        signer.cosign("hello\n", TS)
    for ts in (-1, 2**63):
        with pytest.raises(NoteError):
            signer.cosign(TEXT, ts)
    with pytest.raises(NoteError):
        CosignatureSigner("bad name", ed25519.generate())


def log_note(log: NoteSigner, text: str = TEXT) -> str:
    return sign_note(text, [log])


def test_add_cosignatures_appends_and_skips_duplicates() -> None:
    log = NoteSigner(ORIGIN, ed25519.generate())
    w1, w2 = witness("w1"), witness("w2")
    line1, line2 = w1.cosign(TEXT, TS), w2.cosign(TEXT, TS)
    note = add_cosignatures(log_note(log), [line1, line2, line1])
    assert note == log_note(log) + line1 + line2
    assert add_cosignatures(note, [line1 + line2]) == note
    assert count_cosigners(note, [w1.verifier(), w2.verifier()]) == ["w1", "w2"]
    spec = VECTORS["tlog_witness_example"]
    appended = add_cosignatures(spec["signed_checkpoint"], [spec["response"]])
    assert appended == spec["signed_checkpoint"] + spec["response"]


@pytest.mark.parametrize(
    "bad",
    ["", "no newline", "\n", "x\n", "\u2014 w1 AAAA\n\n\u2014 w1 AAAAAAAA\n", "\u2014 w1 !!\n"],
)
def test_add_cosignatures_rejects_garbage(bad: str) -> None:
    log = NoteSigner(ORIGIN, ed25519.generate())
    with pytest.raises(NoteError):
        add_cosignatures(log_note(log), [bad])


def test_policy_k_of_n() -> None:
    log = NoteSigner(ORIGIN, ed25519.generate())
    w1, w2 = witness("w1"), witness("w2")
    witnesses = [w1.verifier(), w2.verifier()]
    bare = log_note(log)
    check_policy(bare, log.verifier(), witnesses, 0)
    with pytest.raises(VerificationError, match="0 of the 1"):
        check_policy(bare, log.verifier(), witnesses, 1)
    one = add_cosignatures(bare, [w1.cosign(TEXT, TS)])
    check_policy(one, log.verifier(), witnesses, 1)
    with pytest.raises(VerificationError, match="1 of the 2"):
        check_policy(one, log.verifier(), witnesses, 2)
    # The same witness twice is still one witness.
    twice = add_cosignatures(one, [w1.cosign(TEXT, TS + 1)])
    with pytest.raises(VerificationError):
        check_policy(twice, log.verifier(), [*witnesses, w1.verifier()], 2)
    both = add_cosignatures(one, [w2.cosign(TEXT, TS)])
    check_policy(both, log.verifier(), witnesses, 2)
    with pytest.raises(ValueError):
        check_policy(both, log.verifier(), witnesses, -1)


def test_policy_needs_the_log_signature() -> None:
    log, impostor = NoteSigner(ORIGIN, ed25519.generate()), NoteSigner(ORIGIN, ed25519.generate())
    w1 = witness("w1")
    note = add_cosignatures(log_note(impostor), [w1.cosign(TEXT, TS)])
    with pytest.raises(VerificationError, match="not signed by the log"):
        check_policy(note, log.verifier(), [w1.verifier()], 1)
    # A cosignature alone is not a log signature, even under the log's name.
    own = CosignatureSigner(ORIGIN, log.private_key)
    fake = add_cosignatures(log_note(impostor), [own.cosign(TEXT, TS)])
    with pytest.raises(VerificationError):
        check_policy(fake, log.verifier(), [], 0)


def test_invalid_cosignature_counts_for_nothing_and_fails_the_policy() -> None:
    log = NoteSigner(ORIGIN, ed25519.generate())
    w1, w2 = witness("w1"), witness("w2")
    other = Checkpoint(ORIGIN, 6, bytes(32)).to_text()
    wrong = w1.cosign(other, TS)  # a real cosignature, of another checkpoint
    note = add_cosignatures(log_note(log), [wrong, w2.cosign(TEXT, TS)])
    assert count_cosigners(note, [w1.verifier(), w2.verifier()]) == ["w2"]
    with pytest.raises(VerificationError, match="invalid cosignature by w1"):
        check_policy(note, log.verifier(), [w1.verifier(), w2.verifier()], 1)
    assert issubclass(VerificationError, PaktaError)

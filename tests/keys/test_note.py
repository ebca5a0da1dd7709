"""Tests for keys.note: upstream signed-note vectors, keys, signing, strict parsing, opening."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from keys import ed25519, note
from keys.errors import NoteError, PaktaError, VerificationError

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "keys" / "signed-note.json").read_text(
        encoding="utf-8"
    )
)
GO = VECTORS["go_sumdb_note"]
SPEC = VECTORS["c2sp_spec_example"]


def test_go_vector_verifies() -> None:
    peter = note.NoteVerifier.parse(GO["vkey"])
    signed, verified = note.open_note(GO["signed"], [peter])
    assert verified == [peter]
    assert signed.text == GO["text"]
    assert [(s.name, s.key_hash.hex()) for s in signed.signatures] == [("PeterNeumann", "c74f20a3")]
    # The same, given as bytes.
    assert note.open_note(GO["signed"].encode("utf-8"), [peter])[0] == signed


def test_go_vector_signing_is_byte_exact() -> None:
    signer = note.NoteSigner.parse(GO["skey"])
    assert signer.name == "PeterNeumann"
    assert signer.key_hash().hex() == "c74f20a3"
    assert signer.to_skey() == GO["skey"]
    assert str(signer.verifier()) == GO["vkey"]
    assert note.sign_note(GO["text"], [signer]) == GO["signed"]


def test_go_cosigned_vector() -> None:
    peter = note.NoteVerifier.parse(GO["vkey"])
    enoch = note.NoteVerifier.parse(GO["cosigner_vkey"])
    signed, verified = note.open_note(GO["cosigned"], [enoch, peter])
    assert verified == [peter, enoch]  # in signature order
    # Unknown keys are skipped but kept in the note.
    signed, verified = note.open_note(GO["cosigned"], [peter])
    assert verified == [peter]
    assert [s.name for s in signed.signatures] == ["PeterNeumann", "EnochRoot"]


def test_c2sp_spec_example_parses() -> None:
    parsed = note.parse_note(SPEC["note"])
    assert parsed.text == SPEC["text"]  # split at the last blank line, the poem keeps its own
    (sig,) = parsed.signatures
    assert sig.name == SPEC["name"]
    assert sig.key_hash.hex() == SPEC["key_hash"]
    assert len(sig.sig) == 64
    with pytest.raises(NoteError, match="no signature from a known key"):
        note.open_note(SPEC["note"], [note.NoteVerifier.parse(GO["vkey"])])


def test_key_hash_is_the_spec_derivation() -> None:
    v = note.NoteVerifier.parse(GO["vkey"])
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + v.public_key).digest()[:4]
    assert v.key_hash == expected
    assert note.verifier_key("PeterNeumann", v.public_key) == GO["vkey"]


def test_generated_keys_roundtrip() -> None:
    signer = note.NoteSigner("pakta.example/log", ed25519.generate())
    vkey = note.verifier_key("pakta.example/log", ed25519.public_bytes(signer.private_key))
    verifier = note.NoteVerifier.parse(vkey)
    assert verifier == signer.verifier()
    assert str(verifier) == vkey
    assert vkey.startswith(f"pakta.example/log+{signer.key_hash().hex()}+A")
    again = note.NoteSigner.parse(signer.to_skey())
    assert again.verifier() == verifier
    sig = signer.sign(b"hi\n")
    assert verifier.verify(b"hi\n", sig)
    assert not verifier.verify(b"hj\n", sig)


def test_sign_open_roundtrip_with_cosigners() -> None:
    log = note.NoteSigner("pakta.example/log", ed25519.generate())
    witness = note.NoteSigner("witness.example/w1", ed25519.generate())
    text = "pakta.example/log\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    msg = note.sign_note(text, [log, witness])
    lines = msg.split("\n")
    assert lines[3] == ""
    assert lines[4].startswith("\u2014 pakta.example/log ")
    assert lines[5].startswith("\u2014 witness.example/w1 ")
    signed, verified = note.open_note(msg, [witness.verifier(), log.verifier()])
    assert signed.text == text
    assert verified == [log.verifier(), witness.verifier()]


def test_text_with_blank_lines_roundtrips() -> None:
    signer = note.NoteSigner("a.example", ed25519.generate())
    for text in ["\n", "a\n\nb\n", "a\n\n", "a\n\n\n", "é — ü\n"]:
        signed, _ = note.open_note(note.sign_note(text, [signer]), [signer.verifier()])
        assert signed.text == text


def test_tampered_text_fails_verification() -> None:
    signer = note.NoteSigner("pakta.example/log", ed25519.generate())
    msg = note.sign_note("pakta.example/log\n7\nroot\n", [signer])
    with pytest.raises(VerificationError, match=r"pakta\.example/log\+") as info:
        note.open_note(msg.replace("\n7\n", "\n8\n"), [signer.verifier()])
    assert info.value.expected is not None and info.value.found is not None
    with pytest.raises(VerificationError):
        note.open_note(
            GO["signed"].replace("cryptography", "cryptographY"),
            [note.NoteVerifier.parse(GO["vkey"])],
        )


def test_tampered_signature_fails_verification() -> None:
    signer = note.NoteSigner("n", ed25519.generate())
    text = "hello\n"
    good = note.sign_note(text, [signer])
    raw = ed25519.unb64(good.split(" ")[-1].rstrip("\n"))
    for i in range(4, len(raw)):
        flipped = bytearray(raw)
        flipped[i] ^= 0x01
        msg = f"{text}\n\u2014 n {ed25519.b64(bytes(flipped))}\n"
        with pytest.raises(VerificationError):
            note.open_note(msg, [signer.verifier()])


def test_a_second_bad_signature_by_a_known_key_is_caught() -> None:
    signer = note.NoteSigner("n", ed25519.generate())
    good = note.sign_note("hello\n", [signer])
    raw = ed25519.unb64(good.split(" ")[-1].rstrip("\n"))
    bad = good + f"\u2014 n {ed25519.b64(raw[:4] + bytes(64))}\n"
    with pytest.raises(VerificationError):
        note.open_note(bad, [signer.verifier()])
    # An exact repeat is harmless and kept once.
    signed, _ = note.open_note(good + good.split("\n\n")[-1], [signer.verifier()])
    assert len(signed.signatures) == 1


def test_unknown_signer_is_a_note_error() -> None:
    signer = note.NoteSigner("pakta.example/log", ed25519.generate())
    stranger = note.NoteSigner("pakta.example/log", ed25519.generate())  # same name, other key
    msg = note.sign_note("x\n", [signer])
    with pytest.raises(NoteError):
        note.open_note(msg, [stranger.verifier()])
    with pytest.raises(NoteError):
        note.open_note(msg, [])
    renamed = note.NoteSigner("other.example/log", signer.private_key)  # same key, other name
    with pytest.raises(NoteError):
        note.open_note(msg, [renamed.verifier()])
    assert not issubclass(NoteError, VerificationError)
    assert issubclass(NoteError, PaktaError)


def test_ambiguous_verifiers_are_refused() -> None:
    peter = note.NoteVerifier.parse(GO["vkey"])
    impostor = note.NoteVerifier(
        peter.name, peter.key_hash, ed25519.public_bytes(ed25519.generate())
    )
    with pytest.raises(NoteError, match="ambiguous"):
        note.open_note(GO["signed"], [peter, impostor])
    assert note.open_note(GO["signed"], [peter, peter])[1] == [peter]


PETER_LINE = GO["signed"].split("\n\n")[-1]
TEXT = GO["text"]
MALFORMED = {
    "no-signatures": TEXT,
    "blank-but-no-signatures": TEXT + "\n",
    "no-final-newline": TEXT + "\n" + PETER_LINE[:-1],
    "control-char": "\x01" + TEXT + "\n" + PETER_LINE,
    "tab": TEXT.replace(" ", "\t", 1) + "\n" + PETER_LINE,
    "carriage-return": TEXT.replace("\n", "\r\n") + "\n" + PETER_LINE,
    "space-in-name": TEXT + "\n" + "\u2014 Bad Name " + PETER_LINE.split(" ")[-1],
    "plus-in-name": TEXT + "\n" + PETER_LINE.replace("PeterNeumann", "Peter+Neumann"),
    "nbsp-in-name": TEXT + "\n" + PETER_LINE.replace("PeterNeumann", "Peter\u00a0Neumann"),
    "empty-name": TEXT + "\n" + PETER_LINE.replace("PeterNeumann", ""),
    "unexpected-line": TEXT + "\n" + PETER_LINE + "Unexpected line.\n",
    "hyphen-not-em-dash": TEXT + "\n" + PETER_LINE.replace("\u2014", "-"),
    "en-dash": TEXT + "\n" + PETER_LINE.replace("\u2014", "\u2013"),
    "no-space-after-dash": TEXT + "\n" + PETER_LINE.replace("\u2014 ", "\u2014"),
    "double-space": TEXT + "\n" + PETER_LINE.replace(" x08", "  x08"),
    "trailing-space": TEXT + "\n" + PETER_LINE.replace("=\n", "= \n"),
    "no-signature-data": TEXT + "\n\u2014 PeterNeumann\n",
    "bad-base64": TEXT + "\n" + PETER_LINE.replace("x08go", "x08g*"),
    "unpadded-base64": TEXT + "\n" + PETER_LINE.replace("=\n", "\n"),
    "short-signature": TEXT + "\n\u2014 PeterNeumann " + ed25519.b64(b"\xc7\x4f\x20\xa3") + "\n",
    "too-many": TEXT + "\n" + PETER_LINE * (note.MAX_SIGNATURES + 1),
    "oversize": "a" * note.MAX_NOTE_BYTES + "\n\n" + PETER_LINE,
}


@pytest.mark.parametrize("msg", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_notes_are_rejected(msg: str) -> None:
    with pytest.raises(NoteError):
        note.parse_note(msg)
    with pytest.raises(NoteError):
        note.open_note(msg, [note.NoteVerifier.parse(GO["vkey"])])


@pytest.mark.parametrize(
    "raw",
    [b"\xff" + GO["signed"].encode(), GO["signed"].encode().replace(b"\xe2\x80\x94", b"\xe2\x80")],
)
def test_invalid_utf8_is_rejected(raw: bytes) -> None:
    with pytest.raises(NoteError):
        note.parse_note(raw)


def test_at_most_100_signatures_are_accepted() -> None:
    peter = note.NoteVerifier.parse(GO["vkey"])
    signed, _ = note.open_note(TEXT + "\n" + PETER_LINE * note.MAX_SIGNATURES, [peter])
    assert len(signed.signatures) == 1  # identical lines kept once


def test_sign_note_rejects_bad_input() -> None:
    signer = note.NoteSigner("n", ed25519.generate())
    for text in ["no newline", "", "tab\there\n", "cr\r\n", "bad \ud800\n"]:
        with pytest.raises(NoteError):
            note.sign_note(text, [signer])
    with pytest.raises(NoteError):
        note.sign_note("x\n", [])
    with pytest.raises(NoteError):
        note.sign_note("x\n", [signer, signer])
    with pytest.raises(NoteError):
        note.sign_note("a" * note.MAX_NOTE_BYTES + "\n", [signer])


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u3000b", "a\nb", "a\x00b"])
def test_invalid_signer_names(name: str) -> None:
    with pytest.raises(NoteError):
        note.NoteSigner(name, ed25519.generate())
    with pytest.raises(NoteError):
        note.verifier_key(name, bytes(32))


def _mangled(key: str) -> list[str]:
    # As note_test.go does: every proper substring, and every single-character increment.
    out = [key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)]
    out.remove(key)
    out += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return out


def test_verifier_key_manglings_are_rejected() -> None:
    for bad in _mangled(GO["vkey"]):
        with pytest.raises(NoteError):
            note.NoteVerifier.parse(bad)


def test_signer_key_manglings_are_rejected() -> None:
    for bad in _mangled(GO["skey"]):
        with pytest.raises(NoteError):
            note.NoteSigner.parse(bad)


def _vkey_with_fixed_hash(name: str, typed_key: bytes) -> str:
    key_hash = hashlib.sha256(name.encode() + b"\n" + typed_key).hexdigest()[:8]
    return f"{name}+{key_hash}+{ed25519.b64(typed_key)}"


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        # From note_test.go: a too-long key and an unknown algorithm, each with a matching hash.
        # The first has non-zero padding bits, which our strict base64 refuses before its length.
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "signature type"),
        (_vkey_with_fixed_hash("n", b"\x01" + bytes(31)), "32 bytes"),
        (_vkey_with_fixed_hash("n", b"\x04" + bytes(32)), "signature type 0x04"),
        (_vkey_with_fixed_hash("n", b"\x01"), "32 bytes"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "lowercase hex"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "lowercase hex"),
        ("PeterNeumann+c74f20a3+", "empty"),
        ("PeterNeumann+c74f20a3", "<name>"),
        ("n+00000000+AQ", "base64"),
    ],
)
def test_verifier_key_rejections(vkey: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        note.NoteVerifier.parse(vkey)


def test_signer_key_rejections() -> None:
    good = GO["skey"]
    for bad in [
        good.replace("PRIVATE+KEY", "PUBLIC+KEY"),
        good.replace("c74f20a3", "c74f20a4"),
        good.replace("+AYEK", "+AoEK"),  # type byte 0x02
        "PRIVATE+KEY+PeterNeumann+c74f20a3+" + ed25519.b64(b"\x01" + bytes(31)),
        GO["vkey"],
    ]:
        with pytest.raises(NoteError):
            note.NoteSigner.parse(bad)


def test_verifier_fields_are_checked() -> None:
    with pytest.raises(NoteError):
        note.NoteVerifier("n", b"\x00" * 3, bytes(32))
    with pytest.raises(NoteError):
        note.NoteVerifier("n", b"\x00" * 4, bytes(31))
    with pytest.raises(NoteError):
        note.verifier_key("n", bytes(33))

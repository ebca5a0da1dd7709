"""DSSE v1 envelopes: the signed wrapper of every statement an agency submits.

This module owns the Dead Simple Signing Envelope as Pakta uses it (DSSE protocol.md v1.0.0
and envelope.md, github.com/secure-systems-lab/dsse): the pre-authentication encoding (PAE)
that every Ed25519 signature covers, signing and co-signing, verifying one signature, and a
strict reader of the JSON envelope. Pakta's profile is stricter than DSSE in two ways, so that
an envelope has one accepted spelling: base64 is standard and padded only (DSSE lets
verifiers accept URL-safe base64 too), and every signature carries a non-empty `keyid` (the
Pakta key id of the signer, `keys.ed25519.key_id`), with no keyid repeated. As DSSE requires,
the keyid is only a hint for finding the key: it authenticates nothing. `Envelope.from_json`
raises `EnvelopeError` whose `code` is one of ``not-an-object``, ``missing-field``,
``extra-field``, ``wrong-type``, ``bad-base64``, ``no-signatures`` or
``duplicate-signature``, and whose `field` is a JSON pointer such as ``/signatures/0/sig``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.ed25519 import b64, key_id, public_bytes, unb64, verify
from keys.errors import EncodingError, EnvelopeError

__all__ = [
    "PAYLOAD_TYPE",
    "Envelope",
    "EnvelopeError",
    "Signature",
    "add_signature",
    "pae",
    "sign",
    "verify_signature",
]

PAYLOAD_TYPE = "application/vnd.pakta.statement+json"

_ENVELOPE_FIELDS = ("payloadType", "payload", "signatures")
_SIGNATURE_FIELDS = ("keyid", "sig")


def pae(payload_type: str, payload: bytes) -> bytes:
    """PAE(UTF8(type), body) of DSSE protocol.md.

    ``"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``, LEN being the ASCII decimal byte
    length with no leading zeros.
    """
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), payload)


@dataclass(frozen=True)
class Signature:
    """One signature of an envelope: the signer's key id (a hint) and the raw signature."""

    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A DSSE envelope: the exact payload bytes, their type, and one or more signatures."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]

    def to_json(self) -> dict[str, object]:
        """The JSON envelope of DSSE envelope.md, ready for `json.dumps`."""
        return {
            "payloadType": self.payload_type,
            "payload": b64(self.payload),
            "signatures": [{"keyid": s.keyid, "sig": b64(s.sig)} for s in self.signatures],
        }

    @classmethod
    def from_json(cls, obj: object) -> Envelope:
        """Read a parsed JSON envelope strictly (see the module docstring for the rules)."""
        if not isinstance(obj, dict):
            raise EnvelopeError(
                f"envelope must be a JSON object, got {_json_type(obj)}", code="not-an-object"
            )
        _check_members(obj, _ENVELOPE_FIELDS, "")
        payload_type = _string(obj["payloadType"], "/payloadType")
        payload = _base64(obj["payload"], "/payload")
        raw_sigs = obj["signatures"]
        if not isinstance(raw_sigs, list):
            raise EnvelopeError(
                f"/signatures must be an array, got {_json_type(raw_sigs)}",
                code="wrong-type",
                field="/signatures",
            )
        if not raw_sigs:
            raise EnvelopeError(
                "/signatures is empty: an envelope needs at least one signature",
                code="no-signatures",
                field="/signatures",
            )
        signatures: list[Signature] = []
        seen: set[str] = set()
        for i, item in enumerate(raw_sigs):
            where = f"/signatures/{i}"
            if not isinstance(item, dict):
                raise EnvelopeError(
                    f"{where} must be a JSON object, got {_json_type(item)}",
                    code="not-an-object",
                    field=where,
                )
            _check_members(item, _SIGNATURE_FIELDS, where)
            keyid = _string(item["keyid"], f"{where}/keyid", non_empty=True)
            sig = _base64(item["sig"], f"{where}/sig", non_empty=True)
            if keyid in seen:
                raise EnvelopeError(
                    f"{where}/keyid repeats keyid {keyid!r}: one signature per key",
                    code="duplicate-signature",
                    field=f"{where}/keyid",
                )
            seen.add(keyid)
            signatures.append(Signature(keyid=keyid, sig=sig))
        return cls(payload_type=payload_type, payload=payload, signatures=tuple(signatures))


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _check_members(obj: dict[object, object], fields: tuple[str, ...], where: str) -> None:
    for name in fields:
        if name not in obj:
            raise EnvelopeError(
                f"{where}/{name} is missing", code="missing-field", field=f"{where}/{name}"
            )
    extra = sorted(repr(k) if not isinstance(k, str) else k for k in obj if k not in fields)
    if extra:
        raise EnvelopeError(
            f"{where}/{extra[0]} is not allowed (expected only {', '.join(fields)})",
            code="extra-field",
            field=f"{where}/{extra[0]}",
        )


def _string(value: object, where: str, *, non_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise EnvelopeError(
            f"{where} must be a string, got {_json_type(value)}", code="wrong-type", field=where
        )
    try:
        # json.loads lets lone surrogates ("\ud800") through; they have no UTF-8 encoding,
        # so PAE and our own output could not represent them.
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise EnvelopeError(
            f"{where} is not valid Unicode text", code="wrong-type", field=where
        ) from None
    if non_empty and not value:
        # DSSE envelope.md: "Empty fields may be omitted", so empty counts as absent.
        raise EnvelopeError(f"{where} is empty", code="missing-field", field=where)
    return value


def _base64(value: object, where: str, *, non_empty: bool = False) -> bytes:
    text = _string(value, where, non_empty=non_empty)
    try:
        return unb64(text)
    except EncodingError as e:
        raise EnvelopeError(f"{where}: {e}", code="bad-base64", field=where) from None


def _signature(payload_type: str, payload: bytes, key: Ed25519PrivateKey) -> Signature:
    return Signature(keyid=key_id(public_bytes(key)), sig=key.sign(pae(payload_type, payload)))


def sign(
    payload: bytes, keys: Sequence[Ed25519PrivateKey], payload_type: str = PAYLOAD_TYPE
) -> Envelope:
    """An envelope of `payload` with one Ed25519 signature over its PAE per key, in order."""
    if not keys:
        raise EnvelopeError("sign needs at least one key", code="no-signatures")
    envelope = Envelope(payload_type, bytes(payload), (_signature(payload_type, payload, keys[0]),))
    for key in keys[1:]:
        envelope = add_signature(envelope, key)
    return envelope


def add_signature(envelope: Envelope, key: Ed25519PrivateKey) -> Envelope:
    """A copy of `envelope` with one more signature, by `key` (co-signing)."""
    new = _signature(envelope.payload_type, envelope.payload, key)
    for i, existing in enumerate(envelope.signatures):
        if existing.keyid == new.keyid:
            raise EnvelopeError(
                f"key {new.keyid} has already signed this envelope",
                code="duplicate-signature",
                field=f"/signatures/{i}/keyid",
            )
    return Envelope(envelope.payload_type, envelope.payload, (*envelope.signatures, new))


def verify_signature(envelope: Envelope, signature: Signature, public_key_raw: bytes) -> bool:
    """Whether `signature.sig` is `public_key_raw`'s signature of the envelope's PAE.

    `signature.keyid` is not consulted (DSSE: it MUST NOT be used for security decisions);
    the caller chooses which key to try, typically by looking the keyid up.
    """
    return verify(public_key_raw, pae(envelope.payload_type, envelope.payload), signature.sig)

"""Key requests: how the holder of a new key asks the registrar to register it, with proof that
they hold the private key.

A key request is one JSON object (docs/key-request.md): ``format`` (``pakta-key-request/v1``),
the ``agency`` id, the key's ``role`` and ``holder`` (an office), its ``public_key`` (base64 of
the 32 raw bytes) and ``keyid``, ``requested_at`` (RFC 3339), for a new agency a
``new_agency`` object (``name``, ``kind``, ``parent``, ``region``: the fields of
`agency.registered`), and ``signature``: the requested key's Ed25519 signature over the DSSE
pre-authentication encoding ``PAE("application/vnd.pakta.key-request+json", JCS(request
without signature))``. The payload type is the domain separation: a statement is signed under
``application/vnd.pakta.statement+json`` and a note over text ending in a newline, so no
request signature can be taken for either. The fields are checked with the same schema
fragments as the statements the registrar will make from them. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.dsse import pae
from keys.ed25519 import b64, key_id, public_bytes, unb64, verify
from keys.errors import VerificationError

from .canonical import canonical_json, strict_loads
from .checks import refuse_id_number, refuse_weak_key
from .dates import format_datetime
from .errors import StatementError
from .fragments import AGENCY_ID, DATE_TIME, KEY_ID, KEY_ROLE, LINE, PUBLIC_KEY, closed
from .schema import compile_schema, validate
from .types.identity import AGENCY_KINDS, REGION

__all__ = [
    "FORMAT",
    "PAYLOAD_TYPE",
    "KeyRequest",
    "make_request",
    "parse_request",
    "signing_input",
]

FORMAT = "pakta-key-request/v1"
PAYLOAD_TYPE = "application/vnd.pakta.key-request+json"
MAX_REQUEST_BYTES = 8 * 1024

NEW_AGENCY = closed(
    {
        "name": LINE,
        "kind": {"type": "string", "enum": list(AGENCY_KINDS)},
        "parent": {**AGENCY_ID, "type": ["string", "null"]},
        "region": REGION,
    }
)
SCHEMA = closed(
    {
        "format": {"type": "string", "enum": [FORMAT]},
        "agency": AGENCY_ID,
        "role": KEY_ROLE,
        "holder": LINE,
        "public_key": PUBLIC_KEY,
        "keyid": KEY_ID,
        "requested_at": DATE_TIME,
        "new_agency": NEW_AGENCY,
        "signature": {
            "type": "string",
            "pattern": "^[A-Za-z0-9+/]{85}[AQgw]==$",
            "description": "an Ed25519 signature: the standard base64 (with '==') of 64 bytes",
        },
    },
    optional=("new_agency",),
)
_VALIDATOR = compile_schema(SCHEMA)


@dataclass(frozen=True)
class KeyRequest:
    """A checked key request: what was asked for, and the signature that proved possession."""

    agency: str
    role: str
    holder: str
    public_key: bytes
    requested_at: str
    new_agency: Mapping[str, Any] | None
    signature: bytes

    @property
    def keyid(self) -> str:
        return key_id(self.public_key)

    def grant(self) -> dict[str, str]:
        """The key grant of `agency.registered`'s `keys` and of `key.added`'s body."""
        return {"public_key": b64(self.public_key), "role": self.role, "holder": self.holder}

    def unsigned(self) -> dict[str, Any]:
        """The request without its signature: what the signature covers."""
        out: dict[str, Any] = {
            "format": FORMAT,
            "agency": self.agency,
            "role": self.role,
            "holder": self.holder,
            "public_key": b64(self.public_key),
            "keyid": self.keyid,
            "requested_at": self.requested_at,
        }
        if self.new_agency is not None:
            out["new_agency"] = dict(self.new_agency)
        return out

    def to_json(self) -> dict[str, Any]:
        return {**self.unsigned(), "signature": b64(self.signature)}


def signing_input(unsigned: Mapping[str, Any]) -> bytes:
    """The bytes a request's signature covers (see the module docstring)."""
    return pae(PAYLOAD_TYPE, canonical_json(dict(unsigned)))


def make_request(
    key: Ed25519PrivateKey,
    agency: str,
    role: str,
    holder: str,
    requested_at: datetime,
    new_agency: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A signed key request for `key`, checked as `parse_request` will check it."""
    draft = KeyRequest(
        agency=agency,
        role=role,
        holder=holder,
        public_key=public_bytes(key),
        requested_at=format_datetime(requested_at),
        new_agency=new_agency,
        signature=b"",
    )
    unsigned = draft.unsigned()
    document = {**unsigned, "signature": b64(key.sign(signing_input(unsigned)))}
    parse_request(document)
    return document


def parse_request(data: bytes | object) -> KeyRequest:
    """Read a key request strictly and check its proof of possession.

    Raises `StatementError` (with the JSON Pointer of the field) for a malformed request and
    `VerificationError` when the signature is not the requested key's.
    """
    obj = strict_loads(data, max_bytes=MAX_REQUEST_BYTES) if isinstance(data, bytes) else data
    if not isinstance(obj, dict):
        raise StatementError("not-an-object", "a key request is a JSON object")
    validate(_VALIDATOR, obj, "")
    public_key = unb64(obj["public_key"])
    refuse_weak_key(obj["public_key"], "/public_key")
    if obj["keyid"] != key_id(public_key):
        raise StatementError(
            "bad-value",
            f"keyid {obj['keyid']} is not the id of public_key (that is {key_id(public_key)})",
            field="/keyid",
        )
    refuse_id_number(obj["holder"], "/holder")
    new_agency = obj.get("new_agency")
    if new_agency is not None and new_agency["parent"] == obj["agency"]:
        raise StatementError(
            "rule:own-parent", "an agency cannot be its own parent", field="/new_agency/parent"
        )
    unsigned = {k: v for k, v in obj.items() if k != "signature"}
    signature = unb64(obj["signature"])
    if not verify(public_key, signing_input(unsigned), signature):
        raise VerificationError(
            f"the key request's signature does not verify with its public key {obj['keyid']}: "
            "it does not prove that the requester holds the private key",
            expected=f"an Ed25519 signature by {obj['keyid']} over the request",
            found=obj["signature"],
        )
    return KeyRequest(
        agency=obj["agency"],
        role=obj["role"],
        holder=obj["holder"],
        public_key=public_key,
        requested_at=obj["requested_at"],
        new_agency=new_agency,
        signature=signature,
    )

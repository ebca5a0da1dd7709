"""A statement: the exact bytes an agency signs, and the strict parse that gives them meaning.

`parse_statement` turns payload bytes into a `Statement` or raises the first `StatementError`,
checking in a fixed order (JSON, fields, their types, the type name, chain position, time,
body schema, documents, then the type's stateless rules) so the same bad payload always gets
the same answer. The `Statement` keeps the payload, and its `hash` is over those bytes: the
registry never re-encodes what an agency signed. `build_statement` is the other direction, for
clients, the command line and tests: canonical bytes that are checked before they are returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .canonical import canonical_json, parse_sha256_ref, strict_loads
from .catalog import get_type
from .dates import format_datetime, parse_datetime
from .errors import StatementError
from .fragments import AGENCY_ID, HTTPS_URL, LINE, SEQ, SHA256_REF, array, closed
from .model import Document, Statement
from .schema import compile_schema, validate

REQUIRED_FIELDS = ("type", "agency", "seq", "prev", "issued_at", "body")
# `source` cites where the facts come from (an article, a decree); `demo` marks demo content.
OPTIONAL_FIELDS = ("documents", "source", "demo")
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "type": (str,),
    "agency": (str,),
    "seq": (int,),
    "prev": (str, type(None)),
    "issued_at": (str,),
    "body": (dict,),
    "documents": (list,),
    "source": (str,),
    "demo": (bool,),
}
_JSON_NAMES = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object"}

# RFC 6838 type/subtype, lower case, without parameters: the document is hashed, not decoded.
MEDIA_TYPE: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$",
    "description": "a lower-case media type without parameters, such as application/pdf",
}
# "A document without a SHA-256" is refused (DOMAIN.md, Rules): sha256 is required. An empty
# list is refused too, so "no documents" has one spelling: leave the field out.
DOCUMENTS_SCHEMA = array(
    closed(
        {"name": LINE, "sha256": SHA256_REF, "media_type": MEDIA_TYPE, "url": HTTPS_URL},
        optional=("url",),
    ),
    min_items=1,
    max_items=50,
)
_DOCUMENTS = compile_schema(DOCUMENTS_SCHEMA)
_AGENCY = compile_schema(AGENCY_ID)
_SEQ = compile_schema(SEQ)
_LINE = compile_schema(LINE)


def parse_statement(payload: bytes) -> Statement:
    """Parse and check the statement in `payload`, or raise the first `StatementError`."""
    obj = strict_loads(payload)
    if not isinstance(obj, dict):
        raise StatementError("not-an-object", f"a statement is a JSON object, not {_name(obj)}")
    for name in REQUIRED_FIELDS:
        if name not in obj:
            raise StatementError(
                "missing-field", f"missing required field {name!r}", field="/" + name
            )
    for name in obj:
        if name not in _FIELD_TYPES:
            allowed = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
            raise StatementError(
                "extra-field",
                f"field {name!r} is not allowed (allowed: {allowed})",
                field="/" + name,
            )
    for name, kinds in _FIELD_TYPES.items():
        # Exact types: JSON true is not the integer 1.
        if name in obj and type(obj[name]) not in kinds:
            wanted = " or ".join("null" if k is type(None) else _JSON_NAMES[k] for k in kinds)
            raise StatementError(
                "wrong-type", f"{name} must be {wanted}, not {_name(obj[name])}", field="/" + name
            )

    statement_type = get_type(obj["type"])
    validate(_AGENCY, obj["agency"], "/agency")
    validate(_SEQ, obj["seq"], "/seq")
    seq, prev = obj["seq"], obj["prev"]
    if seq == 0 and prev is not None:
        raise StatementError("bad-value", "prev must be null at seq 0", field="/prev")
    if seq > 0:
        if prev is None:
            raise StatementError(
                "bad-value", f"prev must be the hash of seq {seq - 1}, not null", field="/prev"
            )
        parse_sha256_ref(prev, field="/prev")
    issued_at = parse_datetime(obj["issued_at"], field="/issued_at")
    statement_type.check_body(obj["body"])
    documents: tuple[Document, ...] = ()
    if "documents" in obj:
        validate(_DOCUMENTS, obj["documents"], "/documents")
        documents = tuple(Document(**d) for d in obj["documents"])
    if "source" in obj:
        validate(_LINE, obj["source"], "/source")
    if obj.get("demo") is False:
        raise StatementError("bad-value", "demo is either true or left out", field="/demo")

    statement = Statement(
        type=obj["type"],
        agency=obj["agency"],
        seq=seq,
        prev=prev,
        issued_at=issued_at,
        issued_at_text=obj["issued_at"],
        body=obj["body"],
        documents=documents,
        payload=bytes(payload),
        source=obj.get("source"),
        demo=obj.get("demo", False),
    )
    statement_type.check_rules(statement)
    return statement


def load_statement(payload: bytes) -> Statement:
    """The `Statement` in a payload the log already holds, without checking it again.

    Entries were checked in full when they were appended; reading them back (rebuilding the
    read model, showing a page) must not depend on today's schemas, which may have been
    tightened since. Only the JSON and the fields every statement has are read."""
    obj: Any = strict_loads(payload)
    return Statement(
        type=obj["type"],
        agency=obj["agency"],
        seq=obj["seq"],
        prev=obj["prev"],
        issued_at=parse_datetime(obj["issued_at"]),
        issued_at_text=obj["issued_at"],
        body=obj["body"],
        documents=tuple(Document(**d) for d in obj.get("documents", ())),
        payload=bytes(payload),
        source=obj.get("source"),
        demo=obj.get("demo", False),
    )


def build_statement(
    type: str,
    agency: str,
    seq: int,
    prev: str | None,
    issued_at: datetime | str,
    body: Mapping[str, Any],
    documents: Iterable[Document | Mapping[str, Any]] = (),
    *,
    source: str | None = None,
    demo: bool = False,
) -> bytes:
    """The canonical payload bytes of a statement, ready to sign; raises if it would not parse."""
    obj: dict[str, object] = {
        "type": type,
        "agency": agency,
        "seq": seq,
        "prev": prev,
        "issued_at": issued_at if isinstance(issued_at, str) else format_datetime(issued_at),
        "body": dict(body),
    }
    docs = [d.to_json() if isinstance(d, Document) else dict(d) for d in documents]
    if docs:
        obj["documents"] = docs
    if source is not None:
        obj["source"] = source
    if demo:
        obj["demo"] = True
    payload = canonical_json(obj)
    parse_statement(payload)
    return payload


def _name(value: object) -> str:
    return "null" if value is None else _JSON_NAMES.get(type(value), type(value).__name__)

"""The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what `/api/v1` takes and answers.

`web.openapi` puts them under `components/schemas`. They describe the JSON that `web.api`
serves today, field by field: the DSSE envelope a client posts (`keys.dsse`), the receipt
(`registry.write.submission.Receipt`), a log entry and its statement row (`registry.read`),
proofs (RFC 9162 hashes in base64, checkpoints as C2SP signed notes), an agency head
(`registry.rules.state.head_json`), a unit's warnings (`web.api_warnings`), the catalog
(`events.catalog_json`), the document look-up, the verify bundle, and the RFC 9457 problem
every error carries. The schemathesis run in tests/api checks every response against them, so
they cannot drift from the code unseen.
"""

from __future__ import annotations

from typing import Any

INT64_MAX = 2**63 - 1
HASH_REF = {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}
HEX_HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
B64 = {"type": "string", "contentEncoding": "base64"}
B64_HASH = {"type": "string", "pattern": "^[A-Za-z0-9+/]{43}=$", "description": "32 bytes"}
INDEX = {"type": "integer", "minimum": 0, "maximum": INT64_MAX, "format": "int64"}
NOTE = {
    "type": "string",
    "description": "a C2SP signed note holding a tlog checkpoint (origin, size, root hash)",
}
STAMP = {"type": "string", "description": "RFC 3339 date and time"}
TEXT_OR_NULL = {"type": ["string", "null"]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object with these required (and optional) properties; others allowed, so a field
    added later does not break a client that validates."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


SCHEMAS: dict[str, Any] = {
    "Problem": {
        **obj(
            {
                "type": {"type": "string", "format": "uri-reference"},
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
            },
            {
                "code": {"type": "string", "description": "Pakta's error code"},
                "field": {"type": "string", "description": "JSON pointer to the bad field"},
                "head": {"description": "a 409's current agency head", **ref("Head")},
            },
        ),
        "description": "RFC 9457 problem details",
    },
    "DsseEnvelope": {
        "type": "object",
        "description": "DSSE v1 envelope (standard padded base64; one signature per keyid)",
        "required": ["payloadType", "payload", "signatures"],
        "additionalProperties": False,
        "properties": {
            "payloadType": {"type": "string", "const": "application/vnd.pakta.statement+json"},
            "payload": {**B64, "description": "the canonical statement JSON (RFC 8785)"},
            "signatures": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["keyid", "sig"],
                    "additionalProperties": False,
                    "properties": {
                        "keyid": {"type": "string", "minLength": 1},
                        "sig": {**B64, "minLength": 4},
                    },
                },
            },
        },
    },
    "Receipt": obj(
        {
            "index": INDEX,
            "leaf_hash": HEX_HASH,
            "entry_hash": HASH_REF,
            "statement_hash": HASH_REF,
            "agency": {"type": "string"},
            "seq": {"type": "integer", "minimum": 0},
            "checkpoint": NOTE,
            "inclusion_proof": {"type": "array", "items": B64_HASH},
            "warnings": {"type": "array", "items": {"type": "object"}},
        }
    ),
    "LogEntry": {
        **obj(
            {
                "envelope": ref("DsseEnvelope"),
                "index": INDEX,
                "prev": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                "received_at": STAMP,
            }
        ),
        "description": "one log entry: the leaf is SHA-256(0x00 || these exact bytes)",
    },
    "Document": obj(
        {"name": {"type": "string"}, "sha256": HASH_REF, "media_type": {"type": "string"}},
        {"url": TEXT_OR_NULL},
    ),
    "Statement": obj(
        {
            "idx": INDEX,
            "agency": {"type": "string"},
            "seq": {"type": "integer", "minimum": 0},
            "type": {"type": "string"},
            "hash": HASH_REF,
            "issued_at": STAMP,
            "received_at": STAMP,
            "signers": {"type": "array", "items": {"type": "string"}},
            "body": {"type": "object"},
            "documents": {"type": "array", "items": ref("Document")},
        },
        {"name": {"type": "string", "description": "the agency's name"}},
    ),
    "Entry": obj(
        {
            "index": INDEX,
            "entry": {"type": "string", "description": "the exact entry text (a LogEntry)"},
            "statement": {"oneOf": [ref("Statement"), {"type": "null"}]},
        }
    ),
    "InclusionProof": obj(
        {
            "index": INDEX,
            "size": INDEX,
            "leaf_hash": HEX_HASH,
            "inclusion_proof": {"type": "array", "items": B64_HASH},
            "checkpoint": NOTE,
        }
    ),
    "ConsistencyProof": obj(
        {
            "from": INDEX,
            "to": INDEX,
            "consistency_proof": {"type": "array", "items": B64_HASH},
            "from_checkpoint": NOTE,
            "to_checkpoint": NOTE,
        }
    ),
    "AgencySummary": obj(
        {
            "agency": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string"},
            "parent": TEXT_OR_NULL,
            "region_kemendagri": TEXT_OR_NULL,
            "region_bps": TEXT_OR_NULL,
            "region_name": TEXT_OR_NULL,
            "registered_index": INDEX,
            "head_seq": {"type": "integer"},
            "head_hash": HASH_REF,
            "head_index": INDEX,
            "status": {"type": "string"},
            "target": TEXT_OR_NULL,
            "declared_on": TEXT_OR_NULL,
            "statements": {"type": "integer", "minimum": 0},
        }
    ),
    "Head": obj({"seq": {"type": "integer"}, "hash": HASH_REF, "index": INDEX}),
    "KeyGrant": obj(
        {
            "keyid": {"type": "string"},
            "public_key": B64,
            "role": {"type": "string"},
            "holder": {"type": "string"},
            "valid_from": STAMP,
            "revoked_from": {"type": ["string", "null"]},
        }
    ),
    "AgencyHead": {
        **obj(
            {
                "agency": {"type": "string"},
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "parent": TEXT_OR_NULL,
                "region": {"type": ["object", "null"]},
                "head": ref("Head"),
                "keys": {"type": "array", "items": ref("KeyGrant")},
                "lifecycle": {"type": "object"},
            }
        ),
        "description": "what a client needs to sign its next statement: seq + 1 and prev",
    },
    "Catalog": obj(
        {
            "types": {
                "type": "array",
                "items": obj(
                    {
                        "name": {"type": "string"},
                        "stage": {"type": "string"},
                        "title": {"type": "object"},
                        "signer_roles": {"type": "array", "items": {"type": "string"}},
                        "cosigner_roles": {"type": "array", "items": {"type": "string"}},
                        "body_schema": {"type": "object"},
                    }
                ),
            },
            "roles": {"type": "array", "items": {"type": "string"}},
            "regulations": {"type": "object"},
        }
    ),
    "LogInfo": obj(
        {
            "size": INDEX,
            "origin": {"type": "string"},
            "log_key": {"type": "string", "description": "the log's C2SP verifier key"},
            "registrar_keys": {"type": "object", "additionalProperties": B64},
            "checkpoint": {"type": ["string", "null"]},
        }
    ),
    "VerifyBundle": obj(
        {
            "index": INDEX,
            "entry": {"type": "string"},
            "proof": {"type": "array", "items": B64_HASH},
            "checkpoint": NOTE,
            "key_history": {
                "type": "array",
                "items": obj(
                    {
                        "index": INDEX,
                        "entry": {"type": "string"},
                        "proof": {"type": "array", "items": B64_HASH},
                    }
                ),
            },
        }
    ),
    "DocumentHits": obj(
        {
            "sha256": HASH_REF,
            "entries": {
                "type": "array",
                "items": obj(
                    {
                        "index": INDEX,
                        "agency": {"type": "string"},
                        "type": {"type": "string"},
                        "name": {"type": "string"},
                        "media_type": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                    }
                ),
            },
        }
    ),
    # Verified views (docs/subject-map.md).
    "SubjectState": obj({"count": INDEX, "head": HEX_HASH, "last_index": INDEX}),
    "SubjectMapProof": obj(
        {
            "subject": {"type": "string"},
            "state": {"oneOf": [ref("SubjectState"), {"type": "null"}]},
            "siblings": {"type": "array", "items": B64_HASH, "maxItems": 256},
        },
        {
            "other": {
                **obj({"key": HEX_HASH, "count": INDEX, "head": HEX_HASH, "last_index": INDEX}),
                "description": "absence: the other subject's leaf where the path ends",
            }
        },
    ),
    "WarningCounts": obj(
        {
            "agency": {"type": "string"},
            "size": INDEX,
            "today": {"type": "string", "format": "date"},
            "counts": {"type": "object", "additionalProperties": INDEX},
            "per_page": {"type": "integer", "minimum": 1},
        }
    ),
    "WarningPage": obj(
        {
            "agency": {"type": "string"},
            "size": INDEX,
            "today": {"type": "string", "format": "date"},
            "code": {"type": "string"},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "total": INDEX,
            "rows": {
                "type": "array",
                "items": obj(
                    {
                        "idx": INDEX,
                        "code": {"type": "string"},
                        "agency": {"type": "string"},
                        "subject": {"type": "string"},
                        "message": {"type": "string"},
                        "facts": {"type": "object"},
                    }
                ),
            },
        }
    ),
    "SubjectProof": obj(
        {
            "subject": {"type": "string"},
            "size": INDEX,
            "checkpoint": NOTE,
            "map_proof": ref("SubjectMapProof"),
            "entries": {
                "type": "array",
                "items": obj({"index": INDEX, "entry": {"type": "string"}}),
            },
        }
    ),
}

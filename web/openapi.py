"""The API as a contract: the OpenAPI 3.1 document of `/api/v1`, served at
`/api/v1/openapi.json`.

Every operation of `web.api` is listed here with its parameters, its request and response
schemas (`web.openapi_schemas`) and every status it answers; errors are RFC 9457 problems
(`application/problem+json`). `undocumented(app)` compares the document with the app's real
routes, and a test fails while any `/api/v1` route is missing from it (or it names one that
does not exist). The POST's receipt links to the entry, proof and verify bundle it created
(OpenAPI links), which is what a stateful client follows.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, jsonify

from web.openapi_schemas import HASH_REF, INDEX, SCHEMAS, ref
from web.warning_words import ORDER

PREFIX = "/api/v1"
bp = Blueprint("openapi", __name__, url_prefix=PREFIX)
PROBLEM = "application/problem+json"
ERRORS = {
    400: "the request is malformed (a control character, a bad number, a bad statement)",
    404: "no such entry, agency, statement or checkpoint",
    405: "the method is not allowed on this path",
    409: "the statement does not extend its agency's head (seq or prev is stale)",
    413: "the body is larger than 256 KiB",
    415: "the body is not application/json",
    422: "the statement is well-formed but the registry's rules refuse it",
}


def _json(schema: dict[str, Any], description: str, media: str = "application/json") -> Any:
    return {"description": description, "content": {media: {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): _json(ref("Problem"), ERRORS[s], PROBLEM) for s in (400, 405, *statuses)}


def _index(name: str = "index", description: str = "the entry's index in the log") -> Any:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": INDEX,
    }


def _path(name: str, description: str, schema: dict[str, Any] | None = None) -> Any:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string", "minLength": 1},
    }


def _linked(get: dict[str, Any], links: dict[str, Any]) -> dict[str, Any]:
    get["get"]["responses"]["200"]["links"] = links
    return get


def _get(op_id: str, summary: str, ok: Any, params: list[Any], *errors: int) -> Any:
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "parameters": params,
            "responses": {"200": ok, **_errors(*errors)},
        }
    }


ENTRY_LINKS = {
    "GetEntry": {"operationId": "getEntry", "parameters": {"index": "$response.body#/index"}},
    "GetEntryRaw": {
        "operationId": "getEntryRaw",
        "parameters": {"index": "$response.body#/index"},
    },
    "GetInclusionProof": {
        "operationId": "getInclusionProof",
        "parameters": {"index": "$response.body#/index"},
    },
    "GetVerifyBundle": {
        "operationId": "getVerifyBundle",
        "parameters": {"index": "$response.body#/index"},
    },
    "GetStatement": {
        "operationId": "getStatement",
        "parameters": {"ref": "$response.body#/statement_hash"},
    },
    "GetAgencyHead": {
        "operationId": "getAgencyHead",
        "parameters": {"agency": "$response.body#/agency"},
    },
}

SUBMIT = {
    "post": {
        "operationId": "submitStatement",
        "summary": "Append a signed statement to the log",
        "description": "The body is a DSSE envelope whose payload is a canonical statement "
        "(see /api/v1/catalog). Nothing is stored unless the answer is 201.",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ref("DsseEnvelope")},
                "application/vnd.dsse.envelope+json": {"schema": ref("DsseEnvelope")},
            },
        },
        "responses": {
            "201": {
                **_json(ref("Receipt"), "accepted: the receipt, with its inclusion proof"),
                "headers": {
                    "Location": {
                        "description": "the new entry",
                        "schema": {"type": "string"},
                    }
                },
                "links": ENTRY_LINKS,
            },
            **_errors(409, 413, 415, 422),
        },
    }
}

AGENCY_ID = {"type": "string", "maxLength": 64, "pattern": "^[a-z0-9]+(?:[.-][a-z0-9]+)*$"}
AGENCY = _path("agency", "the agency's id", AGENCY_ID)
SHA256_REF = {"type": "string", "pattern": "^(sha256:)?[0-9a-fA-F]{64}$"}
# web.guard refuses a control character anywhere in the path or the query with 400.
SEARCH = {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f]*$"}


def paths() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "/statements": SUBMIT,
        "/entries/{index}": _linked(
            _get(
                "getEntry",
                "An entry and its statement",
                _json(ref("Entry"), "the entry"),
                [_index()],
                404,
            ),
            {
                "GetStatement": {
                    "operationId": "getStatement",
                    "parameters": {"ref": "$response.body#/statement/hash"},
                },
                "GetAgencyHead": {
                    "operationId": "getAgencyHead",
                    "parameters": {"agency": "$response.body#/statement/agency"},
                },
            },
        ),
        "/entries/{index}/raw": _get(
            "getEntryRaw",
            "An entry's exact bytes (the leaf's input)",
            _json(ref("LogEntry"), "the entry text"),
            [_index()],
            404,
        ),
        "/entries/{index}/proof": _get(
            "getInclusionProof",
            "An RFC 9162 inclusion proof in the published checkpoint",
            _json(ref("InclusionProof"), "the proof"),
            [_index()],
            404,
        ),
        "/entries/{index}/proof.tlog-proof": _get(
            "getProofFile",
            "The proof as a C2SP tlog-proof file (to print with a charter)",
            _json(text, "the proof file", "text/plain"),
            [_index()],
            404,
        ),
        "/consistency": _get(
            "getConsistencyProof",
            "An RFC 9162 consistency proof between two checkpoints",
            _json(ref("ConsistencyProof"), "the proof and both checkpoints"),
            [
                {"name": "from", "in": "query", "required": True, "schema": INDEX},
                {"name": "to", "in": "query", "required": True, "schema": INDEX},
            ],
            404,
        ),
        "/agencies": _get(
            "findAgencies",
            "Agencies whose name or id contains q",
            _json({"type": "array", "items": ref("AgencySummary")}, "at most 200 agencies"),
            [{"name": "q", "in": "query", "required": False, "schema": SEARCH}],
        ),
        "/agencies/{agency}": _get(
            "getAgencyHead",
            "An agency's head, keys and lifecycle",
            _json(ref("AgencyHead"), "the head"),
            [AGENCY],
            404,
        ),
        "/statements/{ref}": _get(
            "getStatement",
            "A statement by its hash",
            _json(ref("Statement"), "the statement"),
            [_path("ref", "sha256:<64 hex digits>", HASH_REF)],
            404,
        ),
        "/catalog": _get(
            "getCatalog",
            "Every statement type: schema, signer roles, checks, an example",
            _json(ref("Catalog"), "the catalog"),
            [],
        ),
        "/log": _get(
            "getLog",
            "The log's size, origin, keys and newest checkpoint",
            _json(ref("LogInfo"), "the log"),
            [],
        ),
        "/verify/entries/{index}": _get(
            "getVerifyBundle",
            "What a browser needs to verify an entry by itself",
            _json(ref("VerifyBundle"), "entry, proof, checkpoint and key history"),
            [_index()],
            404,
        ),
        "/documents/{ref}": _get(
            "getDocumentEntries",
            "The entries that reference a document hash",
            _json(ref("DocumentHits"), "the entries"),
            [_path("ref", "a SHA-256, optionally prefixed by 'sha256:'", SHA256_REF)],
        ),
        "/agencies/{agency}/warnings": _get(
            "getAgencyWarningCounts",
            "How many warnings of each kind a unit's page lists",
            _json(ref("WarningCounts"), "the counts by kind"),
            [AGENCY],
            404,
        ),
        "/agencies/{agency}/warnings/{code}": _get(
            "getAgencyWarnings",
            "One page of a unit's complete list of one kind of warning, in entry order",
            _json(ref("WarningPage"), "the page"),
            [
                AGENCY,
                _path("code", "a kind of warning", {"type": "string", "enum": list(ORDER)}),
                {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "description": "the page, from 1 (past the last: the last)",
                    "schema": {"type": "integer", "minimum": 1},
                },
            ],
            404,
        ),
        # Verified views (docs/subject-map.md).
        "/subjects/{subject}/proof": _get(
            "getSubjectProof",
            "A subject's complete chain and its subject map proof in a checkpoint",
            _json(ref("SubjectProof"), "the checkpoint, the map proof and the chain's entries"),
            [
                _path("subject", "an agency or unit id", AGENCY_ID),
                {
                    "name": "size",
                    "in": "query",
                    "required": False,
                    "description": "a checkpoint's tree size (default: the published one)",
                    "schema": INDEX,
                },
            ],
            404,
        ),
        "/openapi.json": _get(
            "getOpenAPI",
            "This document",
            _json({"type": "object"}, "OpenAPI 3.1"),
            [],
        ),
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pakta registry API",
            "version": "1",
            "description": "A public, append-only, verifiable registry of integrity "
            "commitments. Every error is an RFC 9457 problem (application/problem+json).",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": PREFIX}],
        "paths": paths(),
        "components": {"schemas": SCHEMAS},
    }


_CONVERTED = re.compile(r"<(?:[a-z0-9_]+(?:\([^)]*\))?:)?([a-z_]+)>")


def undocumented(app: Flask) -> tuple[set[str], set[str]]:
    """("METHOD /path" the app serves under /api/v1 but the document lacks, those it lists
    that the app does not serve)."""
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = _CONVERTED.sub(r"{\1}", rule.rule[len(PREFIX) :])
            served |= {f"{m} {path}" for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    listed = {f"{m.upper()} {p}" for p, ops in paths().items() for m in ops}
    return served - listed, listed - served


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(document())

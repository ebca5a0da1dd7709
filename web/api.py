"""The JSON API under /api/v1: submit a signed statement; read entries, proofs, agency heads,
the catalog; and what a citizen's browser needs to verify an entry itself.

`/api/v1/verify/entries/<i>` hands `verify.js` the exact entry bytes, the published checkpoint
(the one that meets the witness policy), the entry's RFC 9162 inclusion proof in it, and every
entry (with its own proof) that granted or revoked the agency's keys: the page checks all of
it against the anchors pinned in its source, computing the proofs itself from the log's tiles
(the ones sent here must equal them). `/api/v1/documents/<sha256>` lists the entries
that reference a document hash. Errors are RFC 9457 problems (web/errors.py).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from events import catalog_json
from keys.ed25519 import b64
from keys.note import parse_note
from registry.read import queries
from registry.rules.state import head_json
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.proof import format_proof
from web.context import db, entry_or_404, service, writer
from web.errors import problem
from web.guard import int_arg
from web.links import public_url_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SHA256 = re.compile(r"(?:sha256:)?([0-9a-fA-F]{64})")


@bp.post("/statements")
def submit() -> Any:
    if request.mimetype not in ("application/json", "application/vnd.dsse.envelope+json"):
        return problem(415, "Unsupported Media Type", "send the DSSE envelope as application/json")
    receipt = writer().submit(request.get_data(cache=False))
    response = jsonify(receipt.to_json())
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/entries/{receipt.index}"
    return response


@bp.get("/entries/<int:index>")
def entry(index: int) -> Any:
    text = entry_or_404(index)
    return jsonify({"index": index, "entry": text, "statement": queries.statement(db(), index)})


@bp.get("/entries/<int:index>/raw")
def entry_raw(index: int) -> Any:
    return Response(entry_or_404(index), mimetype="application/json")


def published() -> tuple[str, int]:
    """The checkpoint the site publishes, and its size; 404 while there is none."""
    note = service().published_checkpoint()
    if note is None:
        abort(404, "no checkpoint yet (the log is empty, or not yet cosigned by its witnesses)")
    return note, Checkpoint.parse(parse_note(note).text).size


def _proof(index: int, size: int) -> list[str]:
    reader = service().registry.hash_reader()
    return [b64(h) for h in merkle.inclusion_proof(index, size, reader)]


@bp.get("/entries/<int:index>/proof")
def inclusion(index: int) -> Any:
    note, size = published()
    text = entry_or_404(index, size)
    return jsonify(
        {
            "index": index,
            "size": size,
            "leaf_hash": merkle.leaf_hash(text.encode()).hex(),
            "inclusion_proof": _proof(index, size),
            "checkpoint": note,
        }
    )


@bp.get("/entries/<int:index>/proof.tlog-proof")
def proof_file(index: int) -> Response:
    note, size = published()
    entry_or_404(index, size)
    reader = service().registry.hash_reader()
    return Response(
        format_proof(index, merkle.inclusion_proof(index, size, reader), note),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="pakta-{index}.tlog-proof"'},
    )


@bp.get("/consistency")
def consistency() -> Any:
    registry = service().registry
    old, new = int_arg("from"), int_arg("to")
    old_note, note = registry.checkpoint(old), registry.checkpoint(new)
    if not 0 < old <= new or old_note is None or note is None:
        abort(404, f"no checkpoints for sizes {old} and {new} with {old} <= {new}")
    proof = merkle.consistency_proof(old, new, registry.hash_reader())
    return jsonify(
        {
            "from": old,
            "to": new,
            "consistency_proof": [b64(h) for h in proof],
            "from_checkpoint": old_note,
            "to_checkpoint": note,
        }
    )


@bp.get("/agencies")
def agencies() -> Any:
    # At most 100 characters, as on the search page: a LIKE pattern is not free to match.
    return jsonify(queries.find_agencies(db(), request.args.get("q", "")[:100]))


@bp.get("/agencies/<agency>")
def agency(agency: str) -> Any:
    return jsonify(head_json(service().registry.head_of(agency)))


@bp.get("/statements/<ref>")
def statement_by_hash(ref: str) -> Any:
    found = queries.statement_by_hash(db(), ref)
    if found is None:
        abort(404, f"no statement {ref}")
    return jsonify(found)


@bp.get("/catalog")
def catalog() -> Any:
    """Every statement type: schema, signer roles, checks and one example (docs/catalog.md)."""
    return jsonify(catalog_json())


@bp.get("/log")
def log_info() -> Any:
    svc = service()
    return jsonify(
        {
            "size": svc.registry.size(),
            "origin": svc.instance.origin,
            "log_key": svc.instance.log_vkey,
            "registrar_keys": {k: b64(v) for k, v in svc.instance.registrar_keys.items()},
            "checkpoint": svc.registry.checkpoint(),
        }
    )


@bp.get("/verify/entries/<int:index>")
def entry_bundle(index: int) -> Any:
    note, size = published()
    text = entry_or_404(index, size)
    row = queries.statement(db(), index)
    if row is None:
        abort(404, f"entry {index} is not in the read model yet")
    registry = service().registry
    history = [
        {"index": i, "entry": registry.entry(i), "proof": _proof(i, size)}
        for i in queries.key_history(db(), row["agency"], size)
    ]
    return jsonify(
        {
            "index": index,
            "entry": text,
            "proof": _proof(index, size),
            "checkpoint": note,
            "key_history": history,
        }
    )


@bp.get("/documents/<ref>")
def documents(ref: str) -> Any:
    match = SHA256.fullmatch(ref)
    if match is None:
        abort(400, "give a SHA-256 as 64 hex digits, optionally prefixed by 'sha256:'")
    sha256 = "sha256:" + match[1].lower()
    found = [
        {
            "index": d["idx"],
            "agency": d["agency"],
            "type": d["type"],
            "name": d["name"],
            "media_type": d["media_type"],
            "url": public_url_for("pages.entry", index=d["idx"]),
        }
        for d in queries.documents_with_hash(db(), sha256)
    ]
    return jsonify({"sha256": sha256, "entries": found})

"""The JSON API under /api/v1: submit a signed statement, read entries and agency heads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from keys.ed25519 import b64
from registry.rules.policy import head_json
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.proof import format_proof
from web import service
from web.errors import problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/statements")
def submit() -> Any:
    if request.mimetype not in ("application/json", "application/vnd.dsse.envelope+json"):
        return problem(415, "Unsupported Media Type", "send the DSSE envelope as application/json")
    receipt = service().registry.submit(request.get_data(cache=False))
    response = jsonify(receipt.to_json())
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/entries/{receipt.index}"
    return response


@bp.get("/entries/<int:index>")
def entry(index: int) -> Any:
    svc = service()
    text = svc.registry.entry(index)
    if text is None:
        abort(404, f"no entry {index}: the log has {svc.registry.size()} entries")
    statement = svc.statement(index)
    return jsonify({"index": index, "entry": text, "statement": statement})


@bp.get("/entries/<int:index>/raw")
def entry_raw(index: int) -> Any:
    text = service().registry.entry(index)
    if text is None:
        abort(404, f"no entry {index}")
    return Response(text, mimetype="application/json")


def _proof(index: int) -> tuple[str, list[bytes], int]:
    svc = service()
    note = svc.published_checkpoint()
    if note is None:
        abort(404, "no checkpoint yet")
    size = Checkpoint.parse(note[: note.index("\n\n") + 1]).size
    if not 0 <= index < size:
        abort(404, f"entry {index} is not in the latest checkpoint (size {size})")
    return note, merkle.inclusion_proof(index, size, svc.registry.hash_reader()), size


@bp.get("/entries/<int:index>/proof")
def inclusion(index: int) -> Any:
    note, proof, size = _proof(index)
    entry = service().registry.entry(index) or ""
    return jsonify(
        {
            "index": index,
            "size": size,
            "leaf_hash": merkle.leaf_hash(entry.encode()).hex(),
            "inclusion_proof": [b64(h) for h in proof],
            "checkpoint": note,
        }
    )


@bp.get("/entries/<int:index>/proof.tlog-proof")
def proof_file(index: int) -> Response:
    note, proof, _ = _proof(index)
    return Response(
        format_proof(index, proof, note),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="pakta-{index}.tlog-proof"'},
    )


@bp.get("/consistency")
def consistency() -> Any:
    registry = service().registry
    try:
        old, new = int(request.args["from"]), int(request.args["to"])
    except (KeyError, ValueError):
        return problem(400, "Bad Request", "give the two tree sizes as ?from=M&to=N")
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
    return jsonify(service().agencies(request.args.get("q", "")))


@bp.get("/agencies/<agency>")
def agency(agency: str) -> Any:
    head = service().registry.head(agency)
    if head is None:
        abort(404, f"no agency {agency!r}")
    return jsonify(head_json(head))


@bp.get("/statements/<ref>")
def statement_by_hash(ref: str) -> Any:
    found = service().statement_by_hash(ref)
    if found is None:
        abort(404, f"no statement {ref}")
    return jsonify(found)


@bp.get("/catalog")
def catalog() -> Any:
    """Every statement type: schema, signer roles, checks and one example (docs/catalog.md)."""
    return jsonify(service().catalog())


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

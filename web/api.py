"""The JSON API under /api/v1: submit a signed statement, read entries and agency heads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from keys.ed25519 import b64
from registry.policy import head_json
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

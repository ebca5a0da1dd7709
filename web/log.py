"""The log as C2SP tlog-tiles: `/checkpoint`, `/tile/...`, plus the trust anchors.

Full tiles never change, so they are served as immutable; the checkpoint changes with every
append and is served with no-cache. `/registrar-keys.json` and `/agencies.json` are what an
auditor needs besides the tiles (`pakta export` writes the same files).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify

from keys.errors import PaktaError
from registry.audit.export import agency_histories, read_tile, registrar_keys_json
from registry.tlog import tiles
from registry.tlog.checkpoint import Checkpoint
from web.context import service

bp = Blueprint("log", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.get("/checkpoint")
def checkpoint() -> Response:
    """The newest checkpoint that meets the witness quorum. Headers say when a newer one is
    still waiting for its cosignatures, and when none meets the quorum yet (then the newest
    is served, marked so: a client that requires the quorum checks the cosignatures itself)."""
    svc = service()
    newest = svc.registry.checkpoint()
    if newest is None:
        abort(404, "no checkpoint yet: the log is empty")
    quorum = svc.current().witness_quorum
    note = svc.published_checkpoint()
    headers = {"Cache-Control": "no-cache", "Pakta-Witness-Quorum": str(quorum)}
    if note is None:
        note, headers["Pakta-Quorum-Met"] = newest, "no"
    elif note != newest:
        headers["Pakta-Awaiting-Cosignatures"] = str(size_of(newest))
    return Response(note, mimetype="text/plain", headers=headers)


def size_of(note: str) -> int:
    return Checkpoint.parse(note[: note.index("\n\n") + 1]).size


@bp.get("/checkpoints/<int:size>")
def checkpoint_at(size: int) -> Response:
    note = service().registry.checkpoint(size)
    if note is None:
        abort(404, f"no checkpoint for size {size}")
    return Response(note, mimetype="text/plain", headers={"Cache-Control": IMMUTABLE})


@bp.get("/tile/<path:rest>")
def tile(rest: str) -> Response:
    try:
        found = tiles.Tile.parse_path("tile/" + rest)
    except PaktaError as e:
        abort(404, str(e))
    registry = service().registry
    data = read_tile(registry, found, registry.size())
    if data is None:
        abort(404, f"tile/{rest} is beyond the current tree")
    cache = "no-cache" if found.is_partial else IMMUTABLE
    return Response(data, mimetype="application/octet-stream", headers={"Cache-Control": cache})


@bp.get("/log-key")
def log_key() -> Response:
    return Response(service().instance.log_vkey + "\n", mimetype="text/plain")


@bp.get("/registrar-keys.json")
def registrar_keys() -> Any:
    return jsonify(registrar_keys_json(service().instance))


@bp.get("/agencies.json")
def agencies() -> Any:
    return jsonify(agency_histories(service().registry))

"""What a citizen's browser needs to verify an entry itself, and proofs to keep on paper.

`/api/v1/verify/entries/<i>` hands `verify.js` the exact entry bytes, the latest signed
checkpoint, the entry's RFC 9162 inclusion proof in that checkpoint's tree, and every entry
(with its own inclusion proof) that granted or revoked the agency's keys: the page then checks
everything against the two trust anchors pinned in its source and trusts nothing else this
server says. The checkpoint is the one the site publishes (`Service.published_checkpoint`,
which meets the witness policy). `/api/v1/documents/<sha256>` lists the entries that
reference a document hash, and `/entries/<i>/qr.svg` is a QR code of the entry's address, for
printing on the charter next to the proof file (`/api/v1/entries/<i>/proof.tlog-proof`).
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from flask import Blueprint, Response, abort, jsonify, url_for

from keys.note import parse_note
from registry.read import queries
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from web import service

bp = Blueprint("verify", __name__)
_SHA256 = re.compile(r"(?:sha256:)?([0-9a-fA-F]{64})")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _latest() -> tuple[str, int]:
    note = service().published_checkpoint()
    if note is None:
        abort(404, "the log is empty: no checkpoint yet")
    return note, Checkpoint.parse(parse_note(note).text).size


def _proof(index: int, size: int) -> list[str]:
    reader = service().registry.hash_reader()
    return [_b64(h) for h in merkle.inclusion_proof(index, size, reader)]


def _entry_or_404(index: int, size: int) -> str:
    text = service().registry.entry(index) if index < size else None
    if text is None:
        abort(404, f"no entry {index} in the log of {size} entries")
    return text


@bp.get("/api/v1/verify/entries/<int:index>")
def entry_bundle(index: int) -> Any:
    svc = service()
    note, size = _latest()
    text = _entry_or_404(index, size)
    row = svc.statement(index)
    if row is None:
        abort(404, f"entry {index} is not in the read model yet")
    history = []
    for key_index in queries.key_history(svc, row["agency"], size):
        history.append(
            {
                "index": key_index,
                "entry": svc.registry.entry(key_index),
                "proof": _proof(key_index, size),
            }
        )
    return jsonify(
        {
            "index": index,
            "entry": text,
            "proof": _proof(index, size),
            "checkpoint": note,
            "key_history": history,
        }
    )


@bp.get("/api/v1/documents/<ref>")
def documents(ref: str) -> Any:
    match = _SHA256.fullmatch(ref)
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
            "url": url_for("pages.entry", index=d["idx"], _external=True),
        }
        for d in service().documents(sha256)
    ]
    return jsonify({"sha256": sha256, "entries": found})


@bp.get("/entries/<int:index>/qr.svg")
def qr_code(index: int) -> Response:
    import segno

    if service().registry.entry(index) is None:
        abort(404, f"no entry {index}")
    qr = segno.make(url_for("pages.entry", index=index, _external=True), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, border=4, xmldecl=False, title=f"Pakta #{index}")
    return Response(
        out.getvalue(),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )

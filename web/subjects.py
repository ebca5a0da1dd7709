"""The subject proof route: `GET /api/v1/subjects/<subject>/proof[?size=N]`.

For a published checkpoint (the newest one meeting the witness policy, or the stored one of
size N), the subject map proof of one agency or unit against the root in that checkpoint's
`pakta-subject-map` line, and the subject chain's entries (index and exact bytes), so a client
recomputes the chain head and knows it has every entry (docs/subject-map.md). An absent
subject gets an absence proof and no entries. The map of a size never changes, so the few
most recently asked sizes are kept in memory.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, jsonify, request

from keys.ed25519 import b64
from keys.note import NoteVerifier, parse_note
from registry.audit import histories
from registry.rules.subjects import WINDOW_SUBJECT
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.subjectmap import SubjectMap, map_line
from registry.write.subjects import chain_indexes, map_at
from web.api import published
from web.context import db, service
from web.guard import int_arg

bp = Blueprint("subjects", __name__, url_prefix="/api/v1")
_MAPS: OrderedDict[tuple[str, int, int], SubjectMap] = OrderedDict()
_KEPT = 4


def _map(size: int, version: int) -> SubjectMap:
    key = (service().instance.database_url, size, version)
    found = _MAPS.get(key)
    if found is None:
        found = _MAPS[key] = map_at(db(), size, version)
        while len(_MAPS) > _KEPT:
            _MAPS.popitem(last=False)
    _MAPS.move_to_end(key)
    return found


@bp.app_context_processor
def verify_helpers() -> dict[str, Any]:
    """`verify_pins()`: the anchors a page pins for "Verify this page"."""

    def verify_pins() -> dict[str, Any]:
        instance = service().current()  # witness-add takes effect while servers run
        return {
            "log_key": instance.log_vkey,
            "registrar_keys": {k: b64(v) for k, v in instance.registrar_keys.items()},
            "witnesses": [w["vkey"] for w in instance.witnesses],
            "witness_quorum": instance.witness_quorum,
        }

    return {"verify_pins": verify_pins, "verify_scripts": verify_scripts}


# The scripts that check pages in the browser, and the rules table they read: their SHA-256
# is on /about and in the README (a test keeps them equal) so anyone can compare.
VERIFY_FILES = (
    "verify.js",
    "verify/common.js",
    "verify/tiles.js",
    "verify/unit.js",
    "verify/unit-check.js",
    "verify/claims.js",
    "verify/warning-lists.js",
    "verify/silence.js",
    "verify/rules.js",
    "verify/awards.js",
    "verify/rules.json",
    "verify/summary.js",
    "verify/summaries.json",
)


def verify_scripts() -> list[tuple[str, str]]:
    static = Path(__file__).resolve().parent / "static"
    return [(n, hashlib.sha256((static / n).read_bytes()).hexdigest()) for n in VERIFY_FILES]


def anchor_fragment(entry_text: str) -> str:
    """What a printed charter's QR code carries after '#' (the server never sees it): the
    entry's RFC 9162 leaf hash and the SHA-256 of the log's public key, so a page opened from
    it checks against what is on paper (web/static/verify.js)."""
    vkey = NoteVerifier.parse(service().instance.log_vkey)
    log = hashlib.sha256(vkey.public_key).hexdigest()
    return f"leaf={merkle.leaf_hash(entry_text.encode()).hex()}&log={log}"


def _is_year_subject(subject: str) -> bool:
    """`window:<year>`, the year as the rules write it (digits, no leading zero)."""
    year = subject.removeprefix(WINDOW_SUBJECT)
    return (
        subject.startswith(WINDOW_SUBJECT)
        and 0 < len(year) <= 8
        and year.isascii()
        and year.isdigit()
        and year == str(int(year))
    )


@bp.get("/subjects/<subject>/proof")
def subject_proof(subject: str) -> Any:
    if not histories.is_agency(subject) and not _is_year_subject(subject):
        abort(
            404,
            f"no subject {subject!r}: agency and unit ids are lowercase letters and digits, "
            f"a year's windows {WINDOW_SUBJECT}<year>",
        )
    if "size" in request.args:
        size = int_arg("size")
        note = service().registry.checkpoint(size)
        if note is None:
            abort(404, f"no checkpoint for size {size}")
    else:
        note, size = published()
    line = map_line(Checkpoint.parse(parse_note(note).text).extensions)
    if line is None:
        abort(404, f"the checkpoint of size {size} commits to no subject map")
    version, root = line
    subject_map = _map(size, version)
    if subject_map.root() != root:
        raise RuntimeError(f"the stored subject chains do not give checkpoint {size}'s map")
    proof = subject_map.prove(subject)
    registry = service().registry
    indexes = chain_indexes(db(), subject, size) if proof.state is not None else []
    entries = [{"index": i, "entry": registry.entry(i)} for i in indexes]
    return jsonify(
        {
            "subject": subject,
            "size": size,
            "checkpoint": note,
            "map_proof": proof.to_json(),
            "entries": entries,
        }
    )

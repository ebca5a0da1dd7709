"""Public HTML pages: home, agencies, an agency's chain, one entry with its hashes."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import Blueprint, abort, render_template, request

from events import parse_statement
from keys.dsse import Envelope
from registry import merkle
from web import service

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    svc = service()
    return render_template("pages/home.html", stats=svc.stats(), latest=svc.latest(10))


@bp.get("/agencies")
def agencies() -> str:
    q = request.args.get("q", "").strip()[:100]
    return render_template("pages/agencies.html", agencies=service().agencies(q), q=q)


@bp.get("/agencies/<agency>")
def agency(agency: str) -> str:
    found = service().agency(agency)
    if found is None:
        abort(404, f"Tidak ada instansi {agency!r} / no agency {agency!r}")
    return render_template("pages/agency.html", agency=found)


@bp.get("/entries/<int:index>")
def entry(index: int) -> str:
    svc = service()
    text = svc.registry.entry(index)
    row = svc.statement(index)
    if text is None or row is None:
        abort(404, f"Tidak ada entri {index} / no entry {index}")
    decoded = json.loads(text)
    envelope = Envelope.from_json(decoded["envelope"])
    statement = parse_statement(envelope.payload)
    names = svc.key_names()
    signers = [
        {"keyid": s.keyid, "key": names.get(s.keyid), "sig": base64.b64encode(s.sig).decode()}
        for s in envelope.signatures
    ]
    return render_template(
        "pages/entry.html",
        index=index,
        row=row,
        entry=decoded,
        entry_text=text,
        statement=statement,
        payload=envelope.payload.decode(),
        signers=signers,
        leaf_hash=merkle.leaf_hash(text.encode()).hex(),
        agency=svc.agency(statement.agency),
    )


def type_label(name: str, lang: str) -> str:
    from events import get_type

    try:
        return get_type(name).title.get(lang, name)
    except Exception:
        return name


@bp.app_template_filter("pretty")
def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    from flask import g

    return {"type_label": lambda name: type_label(name, getattr(g, "lang", "id"))}

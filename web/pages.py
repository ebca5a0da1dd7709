"""Public HTML pages: home, search, a region, an agency and its timeline, one entry, its QR code,
the document check, about.

Every page works without JavaScript; only the entry page's "verify in my browser" button and
the document picker's local hashing need it. Pages read the read model through
`registry.read` with the request's connection, and words come from `web/wording.py`.
"""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from events import load_statement
from keys.dsse import Envelope
from keys.ed25519 import b64
from registry.read import awards, lifecycle, lookup, places, queries
from registry.read import regions as region_data
from registry.read.results import SORTS
from registry.read.search import PREDICATE_STATES, Filters, choices, search
from registry.tlog import merkle
from web.context import db, entry_or_404, service, today
from web.guard import page_arg
from web.links import public_url_for
from web.page_helpers import template_helpers
from web.results_table import sort_links
from web.subjects import anchor_fragment  # verified views
from web.summaries import mentioned
from web.unit_warnings import on_unit_page
from web.warning_words import counted

bp = Blueprint("pages", __name__)
_PROVINCE = re.compile(r"[0-9]{2}")
_REGENCY = re.compile(r"[0-9]{2}\.[0-9]{2}")
_BPS_REGENCY = re.compile(r"[0-9]{4}")
_REGION = re.compile(r"[0-9]{2}(?:\.[0-9]{2})?")
_YEAR = re.compile(r"[0-9]{4}")
_WORD = re.compile(r"[a-z0-9_]{1,40}")
_CODE = re.compile(r"[a-z0-9-]{1,32}")
_MAX_STATUSES = 20
_SHA256 = re.compile(r"(?:sha256:)?([0-9a-fA-F]{64})")


def _arg(name: str, pattern: re.Pattern[str]) -> str:
    value = request.args.get(name, "").strip()
    return value if pattern.fullmatch(value) else ""


def _page() -> int:
    """?page=, or 1 when it is not a number (web/guard.py page_arg)."""
    return page_arg()


@bp.get("/")
def home() -> str:
    size = service().registry.size()  # before db(): one connection at a time
    conn = db()
    latest = queries.latest(conn, 10)
    return render_template(
        "pages/home.html",
        stats=queries.stats(conn, size),
        latest=latest,
        names=queries.agency_names(conn, mentioned(latest)),
        regions=places.regions(conn),
    )


def _jump(found: dict[str, Any]) -> str:
    """The page a search-box shortcut names (registry.read.lookup.candidates)."""
    kind = found["kind"]
    if kind in ("entry", "statement", "leaf"):
        return url_for("pages.entry", index=found["index"])
    if kind == "region":
        return url_for("pages.region", code=found["code"])
    if kind == "document":
        return url_for("pages.documents", sha256=found["sha256"])
    return url_for("pages.agency", agency=found["agency"])


def _flag(name: str) -> bool:
    """A checkbox filter: ?name=1 (or on/true); anything else is off."""
    return request.args.get(name, "").strip().lower() in ("1", "on", "true", "ya")


def search_filters() -> Filters:
    """The search form's filters and order from the query string, parsed here only (the list,
    the region's lists and the downloads): what is not well formed is ignored."""
    regency = request.args.get("regency", "").strip()
    if _BPS_REGENCY.fullmatch(regency):  # a BPS code: the same regency's Kemendagri code
        regency = region_data.kemendagri_of(regency) or ""
    statuses = (s.strip() for s in request.args.getlist("status")[:_MAX_STATUSES])
    predicate = request.args.get("predicate", "").strip()
    sort = request.args.get("sort", "").strip()
    direction = request.args.get("dir", "").strip()
    return Filters(
        q=request.args.get("q", "").strip()[:100],
        province=_arg("province", _PROVINCE),
        regency=regency if _REGENCY.fullmatch(regency) else "",
        kind=_arg("kind", _WORD),
        status=tuple(sorted({s for s in statuses if _WORD.fullmatch(s)})),
        year=_arg("year", _YEAR),
        overdue=_flag("overdue"),
        warnings=_flag("warnings"),
        warning=_arg("warning", _CODE),
        predicate=predicate if predicate in PREDICATE_STATES else "",
        predicate_year=_arg("predicate_year", _YEAR),
        match="any" if request.args.get("match", "").strip() == "any" else "",
        sort=sort if sort in SORTS and sort != "name" else "",
        dir=direction if direction == "desc" else "",
    )


@bp.get("/agencies")
def agencies() -> str | WerkzeugResponse:
    filters = search_filters()
    q = filters.q
    shortcuts: list[dict[str, Any]] = []
    if q:
        size = service().registry.size()  # before db(): one connection at a time
        shortcuts = lookup.candidates(db(), q, size)
        if len(shortcuts) == 1 and len(filters.params()) == 1:
            return redirect(_jump(shortcuts[0]), 303)
    conn = db()
    result = search(conn, filters, _page(), today=today())
    return render_template(
        "pages/agencies.html",
        result=result,
        sorts=sort_links("pages.agencies", filters),
        shortcuts=[dict(s, url=_jump(s)) for s in shortcuts],
        suggestion=lookup.suggest(conn, q) if q and not result["total"] else None,
        filters=filters,
        regions=places.regions(conn),
        choices=choices(conn),
    )


@bp.get("/regions/<code>")
def region(code: str) -> str | WerkzeugResponse:
    if _BPS_REGENCY.fullmatch(code) and (same := region_data.kemendagri_of(code)):
        return redirect(url_for("pages.region", code=same), 301)  # a BPS code
    order = search_filters()  # only its sort and dir apply here
    found = (
        places.region_page(db(), code, today(), order.sort, order.dir)
        if _REGION.fullmatch(code)
        else None
    )
    if found is None:
        abort(
            404,
            _(
                "Tidak ada wilayah dengan kode Kemendagri %(code)s. Kode provinsi berbentuk "
                "dua angka (33), kode kabupaten/kota dua angka lagi (33.15).",
                code=code,
            ),
        )
    province = region_data.region(found["region"]["province"]) if "." in code else None
    area = {"regency" if "." in code else "province": code}
    sorted_by = Filters(sort=order.sort, dir=order.dir)
    return render_template(
        "pages/region.html",
        page=found,
        sorts=sort_links("pages.region", sorted_by, code=code),
        area=area,
        listed=area | sorted_by.params(),
        province=province,
        warning_kinds=counted(found.get("warning_counts")),
    )


@bp.get("/agencies/<agency>")
def agency(agency: str) -> str:
    conn = db()
    found = queries.agency(conn, agency)
    if found is None:
        abort(404, _("Tidak ada instansi %(id)s", id=agency))
    day = today()
    timeline = queries.timeline(conn, agency, _page())
    warnings = on_unit_page(conn, agency, day)  # each kind's count and newest entries
    shown = [s["idx"] for s in timeline["rows"]] + [i["idx"] for k in warnings for i in k["items"]]
    about = [*timeline["rows"], {"agency": found["parent"] or ""}]
    return render_template(
        "pages/agency.html",
        agency=found,
        timeline=timeline,
        claimed=found["claimed"],
        regional=places.regional_government(conn, [found])[agency],
        corrections=queries.links_into(conn, shown),
        action_plan=lifecycle.action_plan(conn, agency, day),
        scores=lifecycle.scores_side_by_side(conn, agency),
        warnings=warnings,
        unit=lifecycle.unit_status(conn, agency),
        awards=awards.of_units(conn, [agency]).get(agency, []),
        names=queries.agency_names(conn, mentioned(about)),
    )


@bp.get("/entries/<int:index>")
def entry(index: int) -> str:
    size = service().registry.size()
    if index >= size:
        abort(
            404,
            _("Tidak ada entri %(index)s: log ini berisi %(size)s entri.", index=index, size=size),
        )
    text = entry_or_404(index, size)
    conn = db()
    row = queries.statement(conn, index)
    if row is None:
        abort(404, _("Tidak ada entri %(index)s", index=index))
    decoded = json.loads(text)
    envelope = Envelope.from_json(decoded["envelope"])
    holders = queries.key_holders(conn, [s.keyid for s in envelope.signatures])
    signers = [
        {"keyid": s.keyid, "key": holders.get(s.keyid), "sig": base64.b64encode(s.sig).decode()}
        for s in envelope.signatures
    ]
    links = queries.links_of(conn, index)
    target = links["corrects"]
    svc = service()
    statement = load_statement(envelope.payload)
    about: list[dict[str, Any]] = [{"agency": statement.agency, "body": statement.body}]
    about += [{"agency": h["agency"]} for h in holders.values()]
    return render_template(
        "pages/entry.html",
        index=index,
        row=row,
        statement=statement,
        agency={"name": row["name"]},
        names=queries.agency_names(conn, mentioned(about)),
        entry=decoded,
        entry_text=text,
        payload=envelope.payload.decode(),
        signers=signers,
        leaf_hash=merkle.leaf_hash(text.encode()).hex(),
        corrected_by=links["corrected_by"],
        target=queries.statement(conn, target["target_idx"]) if target else None,
        registrar_keys={k: b64(v) for k, v in svc.instance.registrar_keys.items()},
        log_key=svc.instance.log_vkey,
    )


@bp.get("/entries/<int:index>/qr.svg")
def qr_code(index: int) -> Response:
    """A QR code of the entry's address, to print on the charter with its proof file."""
    import segno

    text = entry_or_404(index)
    # Verified views: the anchor rides in the fragment (web/subjects.py anchor_fragment).
    url = public_url_for("pages.entry", index=index) + "#" + anchor_fragment(text)
    qr = segno.make(url, error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, border=4, xmldecl=False, title=f"Pakta #{index}")
    return Response(
        out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


@bp.get("/documents")
def documents() -> str:
    """Look a file's SHA-256 up; with `expect` (from an entry page), check a file against the
    document that entry signed, showing that document before any file is chosen."""
    raw = request.args.get("sha256", "").strip()[:80]
    match = _SHA256.fullmatch(raw)
    sha256 = "sha256:" + match[1].lower() if match else None
    expected = _SHA256.fullmatch(request.args.get("expect", "").strip()[:80])
    expect = "sha256:" + expected[1].lower() if expected else None
    conn = db()
    found = queries.documents_with_hash(conn, sha256) if sha256 else []
    wanted = queries.documents_with_hash(conn, expect) if expect else []
    return render_template(
        "pages/documents.html",
        raw=raw,
        sha256=sha256,
        found=found,
        expect=expect if wanted else None,
        wanted=wanted,
        invalid=bool(raw) and not match,
    )


@bp.get("/about")
def about() -> str:
    svc = service()
    return render_template(
        "pages/about.html",
        log_key=svc.instance.log_vkey,
        registrar_keys={k: b64(v) for k, v in svc.instance.registrar_keys.items()},
        size=svc.registry.size(),
    )


@bp.app_template_filter("pretty")
def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return template_helpers()

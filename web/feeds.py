"""Atom feeds (RFC 4287) of new statements: everything, everything about one agency (whoever
signed it), or about the agencies of one region.

Each `<entry>` links to the statement's page on the public URL (`web.links`, never the
request's Host); its id, and the feed's, is a `tag:` URI built from the log's origin and the
entry index or the feed's path, so it stays the same whichever host serves the feed.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, render_template

from registry.read import places, queries
from web.context import db, service
from web.links import base_url, public_url_for, site_path
from web.summaries import mentioned

bp = Blueprint("feeds", __name__)
REGION_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2})?")
ATOM = "application/atom+xml"


def _feed(title: str, rows: list[dict[str, Any]], self_path: str, alternate: str) -> Response:
    origin = service().instance.origin
    updated = rows[0]["received_at"] if rows else "1970-01-01T00:00:00Z"
    body = render_template(
        "feeds/atom.xml",
        title=title,
        rows=rows,
        names=queries.agency_names(db(), mentioned(rows)),
        incoming=queries.links_into(db(), [r["idx"] for r in rows]),
        updated=updated,
        self_url=base_url() + self_path,
        alternate=alternate,
        feed_id=f"tag:{origin.split('/')[0]},2024:{origin}{self_path}",
        entry_id=lambda index: f"tag:{origin.split('/')[0]},2024:{origin}/{index}",
    )
    return Response(body, mimetype=ATOM, headers={"Cache-Control": "public, max-age=300"})


@bp.get("/feed.atom")
def everything() -> Response:
    return _feed(
        "Pakta",
        queries.recent(db()),
        site_path("feeds.everything"),
        public_url_for("pages.home"),
    )


@bp.get("/agencies/<agency>/feed.atom")
def agency(agency: str) -> Response:
    found = queries.agency(db(), agency)
    if found is None:
        abort(404, f"no agency {agency!r}")
    return _feed(
        f"Pakta: {found['name']}",
        queries.recent(db(), agency_id=agency),
        site_path("feeds.agency", agency=agency),
        public_url_for("pages.agency", agency=agency),
    )


@bp.get("/regions/<code>/feed.atom")
def region(code: str) -> Response:
    name = places.region_name(db(), code) if REGION_CODE.fullmatch(code) else None
    if name is None:
        abort(404, f"no agencies in region {code!r}")
    params = {"regency": code} if "." in code else {"province": code}
    return _feed(
        f"Pakta: {name}",
        queries.recent(db(), region=code),
        site_path("feeds.region", code=code),
        public_url_for("pages.agencies", **params),
    )

"""The helpers every page's template calls: links to this page in the other language or on
another page of results, the regions an agency sits in, whether demo data is loaded (the
"DATA DEMO" banner) and the demo's real PDF files to try the document check with, and the
words for statements, dates, numbers, roles and states.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from registry.demo import files as demo_files
from registry.read import queries
from registry.read import regions as region_data
from web.context import db
from web.dates import day, decimal, moment
from web.summaries import linked_body, summary
from web.warning_words import title as warning_title
from web.wording import item_state, regulation_name, role_name


def region_trail(code: str | None) -> list[dict[str, str]]:
    """The official regions an agency sits in, innermost first (regency/city, province), for
    links to their pages; empty if its code is not in the official list."""
    if not code:
        return []
    codes = (code, code.split(".")[0]) if "." in code else (code,)
    return [{"code": c, "name": found["name"]} for c in codes if (found := region_data.region(c))]


def lang_url(lang: str) -> str:
    """This page in `lang`, keeping its other query parameters (a shareable link)."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args["lang"] = lang
    try:
        return url_for(request.endpoint or "pages.home", **(request.view_args or {}), **args)
    except Exception:
        return url_for("pages.home", lang=lang)


def page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict(flat=False)  # ?status=a&status=b stays
    args["page"] = str(page)
    return url_for(request.endpoint or "pages.agencies", **(request.view_args or {}), **args)


def demo_data() -> bool:
    """Whether demo statements are loaded, for the "DATA DEMO" banner on every page. Once true
    it stays true (the log is append-only), so the answer is then kept for the process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.extensions.get("pakta_demo"):
        return True
    try:
        found = queries.demo_statements(db()) > 0
    except SQLAlchemyError:  # an error page while the database is down still renders
        return False
    if found:
        app.extensions["pakta_demo"] = True
    return found


def demo_file(sha256: str | None) -> str | None:
    """The address of the demo PDF whose hash is `sha256`, while demo data is loaded."""
    name = demo_files.by_hash().get(sha256 or "")
    if name is None or not demo_data():
        return None
    return url_for("static", filename=f"demo/{name}")


def demo_documents() -> list[dict[str, str]]:
    """The demo PDFs (name, hash, address) to try the document check with, while demo data is
    loaded; none otherwise."""
    if not demo_data():
        return []
    return [
        {"name": name, "sha256": sha256, "url": url_for("static", filename=f"demo/{name}")}
        for sha256, name in sorted(demo_files.by_hash().items(), key=lambda p: p[1])
    ]


def template_helpers() -> dict[str, Any]:
    """The functions every page's template may call."""
    return {
        "region_trail": region_trail,
        "lang_url": lang_url,
        "page_url": page_url,
        "demo_data": demo_data,
        "demo_file": demo_file,
        "demo_documents": demo_documents,
        "summary": summary,
        "linked_body": linked_body,
        "day": day,
        "moment": moment,
        "decimal": decimal,
        "regulation_name": regulation_name,
        "role_name": role_name,
        "item_state": item_state,
        "warning_title": warning_title,
    }

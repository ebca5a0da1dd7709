"""The public web site and JSON API of a Pakta registry (Flask).

`create_app(config)` builds everything from config: no module-level app and no globals. The
instance folder is `config["PAKTA_INSTANCE"]`, else the `PAKTA_INSTANCE` environment variable
(so `gunicorn 'web:create_app()'` works), else `./instance`. Nothing else is read from the
environment: debug mode is never switched on by it (only `pakta serve --dev` turns it on).
Every request first passes `web.guard` (bounded integers, no control characters, the body
limit for chunked bodies too). The app opens the registry on a database
that `pakta init` / `pakta migrate` set up (it creates no tables), reads the read model with
one connection per request, and writes only through the registry application. The public
pages are served from `web.cache` while the log stays at the state they were rendered at.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel

from registry.service import open_service
from registry.write.instance import load_instance
from registry.write.relay import Relay
from web import (
    api,
    api_warnings,
    awards,
    downloads,
    entries,
    errors,
    feeds,
    glossary,
    guard,
    log,
    openapi,
    opendata,
    pages,
    unit_warnings,
    wording,
    workbench,
)
from web import cache as page_cache
from web import subjects as subject_proofs  # verified views: /api/v1/subjects/<s>/proof
from web.compress import compress
from web.context import close_db
from web.links import public_url_for

LANGUAGES = ("id", "en")


def freeze_startup(worker: object = None) -> None:
    """Hide what a server process holds once its app is built (modules, schemas, the
    registry's caches) from the cyclic collector. Measured in a worker on a 100k log (130k
    objects): a full collection took ~80 ms, with every request thread of the worker waiting
    for it, and 0.0 ms after the freeze; whether those pauses are the pages' p99 spikes at
    200 req/s is not yet confirmed under load (README, Performance). gunicorn's
    `post_worker_init` hook (`pakta serve`, deploy/gunicorn.conf.py); `pakta writer` calls it
    once its writer is open (gunicorn passes the worker, which it ignores)."""
    gc.freeze()


def select_locale() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang")
    return lang if lang in LANGUAGES else "id"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        # Flask(...) itself reads FLASK_DEBUG: off unless the caller's config (or
        # `pakta serve --dev`) says otherwise.
        DEBUG=False,
        PAKTA_INSTANCE=os.environ.get("PAKTA_INSTANCE", "instance"),
        BABEL_DEFAULT_LOCALE="id",
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    if config:
        app.config.update(config)
    # A request thread holds its read connection and may take a second one (the log size, a
    # checkpoint); the writer and the witness collector hold one each.
    threads = int(app.config.get("THREADS") or os.environ.get("PAKTA_THREADS") or 8)
    service = open_service(
        load_instance(Path(app.config["PAKTA_INSTANCE"])), connections=max(15, 2 * threads + 4)
    )
    app.extensions["pakta"] = service
    service.witnessing.start()  # cosignatures are collected in the background, never in a POST
    # The processes serving this folder on this host append through one of them.
    app.extensions["pakta_writer"] = Relay.open(
        service.registry,
        window_ms=float(app.config.get("BATCH_WINDOW_MS", 2.0)),
        max_items=int(app.config.get("BATCH_MAX", 200)),
    )
    # Catalogs live in web/translations; `make translations` compiles them (pybabel).
    Babel(app, locale_selector=select_locale)
    guard.init_app(app)  # the bounded `int` converter must be in place before any route
    blueprints = (pages.bp, entries.bp, glossary.bp, api.bp, openapi.bp, log.bp, feeds.bp)
    for blueprint in (*blueprints, opendata.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(workbench.bp)  # issue 12: /workbench
    app.register_blueprint(downloads.bp)  # the search's rows as CSV / JSON
    app.register_blueprint(subject_proofs.bp)  # verified views
    app.register_blueprint(awards.bp)  # the yearly "Penerima predikat" lists
    app.register_blueprint(unit_warnings.bp)  # a unit's complete lists of warnings
    app.register_blueprint(api_warnings.bp)  # the same lists as JSON
    errors.register(app)
    app.teardown_appcontext(close_db)
    app.context_processor(wording_helpers)

    @app.before_request
    def _lang() -> None:
        g.lang = select_locale()

    app.after_request(_headers)
    app.after_request(compress)
    page_cache.init_app(app)  # last: its lookup runs after the hooks above, its store first
    return app


def close_app(app: Flask) -> None:
    """Stop the app's writer and close its registry (its database connections)."""
    app.extensions["pakta_writer"].close()
    app.extensions["pakta"].close()


def wording_helpers() -> dict[str, Any]:
    return {
        "type_label": wording.type_label,
        "kind_label": wording.kind_label,
        "status_info": wording.status_info,
        "step_title": wording.step_title,
        "local": wording.local,
        "public_url_for": public_url_for,
    }


def _headers(response: Any) -> Any:
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie("lang", request.args["lang"], samesite="Lax", max_age=31536000)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        response.vary.add("Cookie")  # the language comes from ?lang= or the cookie
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response

"""The public web site and JSON API of a Pakta registry (Flask).

`create_app(config)` builds everything from config: no module-level app and no globals. The
instance folder comes from `config["PAKTA_INSTANCE"]`; the app reads the read model and
writes only through the registry application.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel

from registry.service import Service, open_service
from registry.write.instance import load_instance

LANGUAGES = ("id", "en")


def select_locale() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang")
    return lang if lang in LANGUAGES else "id"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        PAKTA_INSTANCE="instance",
        BABEL_DEFAULT_LOCALE="id",
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    app.config.from_prefixed_env("PAKTA")
    if config:
        app.config.update(config)
    service = open_service(load_instance(Path(app.config["PAKTA_INSTANCE"])))
    app.extensions["pakta"] = service
    # Catalogs live in web/translations; `make translations` compiles them (pybabel).
    Babel(app, locale_selector=select_locale)

    from web import api, errors, feeds, log, opendata, pages, verify

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(log.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(opendata.bp)
    errors.register(app)

    @app.before_request
    def _lang() -> None:
        g.lang = select_locale()

    @app.after_request
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
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if response.mimetype == "text/html":
            response.vary.add("Cookie")  # the language comes from ?lang= or the cookie
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    return app


def service() -> Service:
    from flask import current_app

    found: Service = current_app.extensions["pakta"]
    return found

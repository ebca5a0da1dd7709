"""The one place HTTP statuses live: Pakta's errors as RFC 9457 problems or an HTML page.

Domain errors carry a `code` (and statement errors a `field`), never a status; this module
decides the status by the error's class, and answers the API (and any client asking for JSON)
with problem JSON carrying `code` and `field`, and people with a page in their language.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import InterfaceError as PersistenceInterfaceError
from eventsourcing.persistence import OperationalError as PersistenceOperationalError
from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from keys.errors import PaktaError
from registry.rules.errors import AgencyNotFound, ConflictError, RuleError
from registry.rules.state import head_json
from registry.write.batcher import WriterError
from registry.write.storage import StoreError

PROBLEM = "application/problem+json"
app_log = logging.getLogger(__name__)
# The most specific class first: a ConflictError is a RuleError.
STATUSES: tuple[tuple[type[PaktaError], int, str], ...] = (
    (ConflictError, 409, "Conflict"),
    (RuleError, 422, "Rejected"),
    (AgencyNotFound, 404, "Not Found"),
    (WriterError, 503, "Service Unavailable"),
    (StoreError, 503, "Service Unavailable"),
    (PaktaError, 400, "Bad statement"),
)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    return response


def status_of(error: PaktaError) -> tuple[int, str]:
    return next((s, t) for cls, s, t in STATUSES if isinstance(error, cls))


def pakta_error(error: PaktaError) -> tuple[Any, int] | Response:
    status, title = status_of(error)
    extra: dict[str, Any] = {"code": getattr(error, "code", type(error).__name__)}
    if getattr(error, "field", None):
        extra["field"] = error.field  # type: ignore[attr-defined]
    if isinstance(error, ConflictError) and error.head is not None:
        extra["head"] = head_json(error.head)["head"]
    if wants_json():
        return problem(status, title, str(error), **extra)
    return render_template("pages/error.html", status=status, detail=str(error)), status


def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if wants_json():
        response = problem(status, error.name, error.description or error.name)
    else:
        page = render_template("pages/error.html", status=status, detail=error.description)
        response = Response(page, status=status, mimetype="text/html")
    # The error's own headers, e.g. a 405's Allow (RFC 9110 §15.5.6 requires it).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def database_down(error: Exception) -> tuple[Any, int] | Response:
    """The database is unreachable or restarting: 503 with a hint to retry, never a 500."""
    app_log.warning("database unavailable: %s", error)
    detail = "the registry's database is unavailable; try again in a few seconds"
    if wants_json():
        response = problem(503, "Service Unavailable", detail, code="database-unavailable")
    else:
        response = Response(render_template("pages/error.html", status=503, detail=detail), 503)
    response.headers["Retry-After"] = "5"
    return response


def register(app: Flask) -> None:
    app.register_error_handler(PaktaError, pakta_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, database_down)
    app.register_error_handler(PersistenceOperationalError, database_down)
    app.register_error_handler(PersistenceInterfaceError, database_down)

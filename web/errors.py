"""Maps Pakta's errors to HTTP: RFC 9457 problem JSON for the API, an HTML page for people.

Every deliberate error is a `PaktaError` with a `code` (and for statement errors a `field`);
the problem body carries both, so a client can tell exactly which rule or field failed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from keys.errors import PaktaError
from registry.rules.policy import ConflictError, RuleError, head_json

PROBLEM = "application/problem+json"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    return response


def pakta_error(error: PaktaError) -> tuple[Any, int] | Response:
    status = getattr(error, "status", 400)
    code = getattr(error, "code", type(error).__name__)
    extra: dict[str, Any] = {"code": code}
    if getattr(error, "field", None):
        extra["field"] = error.field  # type: ignore[attr-defined]
    if isinstance(error, ConflictError) and error.head is not None:
        extra["head"] = head_json(error.head)["head"]
    title = "Conflict" if status == 409 else "Rejected"
    if not isinstance(error, RuleError):
        status, title = 400, "Bad statement"
    if wants_json():
        return problem(status, title, str(error), **extra)
    return render_template("pages/error.html", status=status, detail=str(error)), status


def http_error(error: HTTPException) -> tuple[Any, int] | Response:
    status = error.code or 500
    if wants_json():
        return problem(status, error.name, error.description or error.name)
    return render_template("pages/error.html", status=status, detail=error.description), status


def register(app: Flask) -> None:
    app.register_error_handler(PaktaError, pakta_error)
    app.register_error_handler(HTTPException, http_error)

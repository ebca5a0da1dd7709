"""What every request passes before a view sees it: bounded integers, no control characters,
and a body limit that holds for chunked bodies too.

The `int` URL converter is replaced by one that takes ASCII digits only and values in
0..2^63-1 (a larger number is no entry, no checkpoint: 404), so a view never hands SQLite an
integer it overflows on or PostgreSQL one above `bigint`; `int_arg` does the same for query
parameters (400). Werkzeug's slash-fixing redirects (built on the Host header) are off. A
path or query parameter holding a C0 control character or DEL is refused with 400 before
routing reaches SQL (PostgreSQL refuses NUL in text). A chunked body has no
Content-Length for Werkzeug to check against `MAX_CONTENT_LENGTH` (it silently cuts the body
at the limit): `ChunkedBodyLimit` reads it first, and one byte past the limit is a 413 as for
a body that declares its length.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, ValidationError

INT64_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Int64Converter(BaseConverter):
    """`<int:n>`: ASCII digits, 0 <= n <= 2^63-1 (Werkzeug's own takes any Unicode digit and
    any size)."""

    regex = r"[0-9]{1,19}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > INT64_MAX:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def parse_int(text: str) -> int | None:
    """`text` as an integer in 0..2^63-1 written in ASCII digits, else None (`int()` also
    takes "٣", " 7", "1_000" and "+5")."""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= INT64_MAX else None


def page_arg() -> int:
    """?page=, or 1 when it is not a number (queries clamp it to the pages there are)."""
    found = parse_int(request.args.get("page", "1"))
    return found if found is not None and found < 10**6 else 1


def int_arg(name: str) -> int:
    """The query parameter `name` as an integer in 0..2^63-1, or a 400 saying what is wrong."""
    raw = request.args.get(name)
    found = None if raw is None else parse_int(raw)
    if found is None:
        abort(400, f"give ?{name}= as a whole number from 0 to {INT64_MAX} in ASCII digits")
    return found


def refuse_control_characters() -> None:
    """400 for a control character anywhere in the path or the query (before any view)."""
    texts = [request.path]
    for key, values in request.args.lists():
        texts.append(key)
        texts.extend(values)
    if any(_CONTROL.search(text) for text in texts):
        abort(400, _("Alamat ini memuat karakter kendali (misalnya NUL): hapus karakter itu."))


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _read_at_most(stream: Any, count: int) -> bytes:
    """Up to `count` bytes of `stream`, to its end (a raw stream's read() may return less)."""
    parts: list[bytes] = []
    while count > 0:
        part = stream.read(min(count, 64 * 1024))
        if not part:
            break
        parts.append(part)
        count -= len(part)
    return b"".join(parts)


class ChunkedBodyLimit:
    """WSGI middleware: read a body that has no Content-Length (chunked transfer coding) up to
    one byte past `limit`, and hand it on with its Content-Length, so Flask's own limit check
    answers 413 for it exactly as for a declared length."""

    def __init__(self, app: WSGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # Only a server that marks the input as terminated (it ends at the last chunk) can be
        # read to its end safely; without the mark and a length, reading would wait forever.
        if not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            body = _read_at_most(environ["wsgi.input"], self.limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            # What is handed on is no longer chunked (Werkzeug ignores a length beside it).
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            del environ["wsgi.input_terminated"]
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Install the converter (before any blueprint adds a rule), the check and the limit."""
    app.url_map.converters["int"] = Int64Converter
    # Werkzeug answers `//x` or `/x/` for `/x` with a permanent (cacheable) redirect whose
    # Location it builds from the request's Host header: no such redirects, a 404 instead.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.before_request(refuse_control_characters)
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])  # type: ignore[method-assign]

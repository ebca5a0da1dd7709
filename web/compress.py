"""gzip for what the site serves as text: pages, JSON, problems, CSV, JSON Lines, feeds, entry
bundles, when the client says it accepts it.

Small bodies are left alone (the header costs more than it saves). A streamed body (the open
data exports) is compressed as it streams, a chunk at a time, so memory stays flat.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator

from flask import Response, request

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/plain",
        "text/csv",
        "application/json",
        "application/problem+json",
        "application/jsonl",
        "application/atom+xml",
        "image/svg+xml",
    }
)
MIN_BYTES = 512


def _gzip_stream(chunks: Iterable[bytes | str]) -> Iterator[bytes]:
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip container
    try:
        for chunk in chunks:
            data = chunk.encode() if isinstance(chunk, str) else chunk
            if out := packer.compress(data):
                yield out
        yield packer.flush()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def compress(response: Response) -> Response:
    """An `after_request` hook: gzip the response when it is worth it and accepted."""
    response.vary.add("Accept-Encoding")
    wanted = request.accept_encodings["gzip"] > 0
    entries = request.path.startswith("/tile/entries/")
    if (
        not wanted
        or "Content-Encoding" in response.headers
        or response.direct_passthrough  # a static file: sent as it is
        or response.status_code < 200
        or response.status_code in (204, 304)
        or (response.mimetype not in COMPRESSIBLE and not entries)
    ):
        return response
    if response.is_streamed:
        response.response = _gzip_stream(response.response)
        response.headers.pop("Content-Length", None)
    else:
        data = response.get_data()
        if len(data) < MIN_BYTES:
            return response
        response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response

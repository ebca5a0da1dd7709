"""The public pages, rendered once per state of the log and served from memory until it changes.

A public page (home, search, a region, an agency and its lists of warnings, an entry, the
feeds, `/entries`, `/agencies.json`) depends only on what the log holds, the day overdue
items are counted at, the instance's config (witness keys) and the request's address and
language. So each process keeps a bounded LRU of such pages, keyed by (host, path, query
string, language) within one *generation*: the newest checkpoint's size and cosigner count,
the read model's last projected index (a read model being caught up or rebuilt moves it),
today, and the config file's mtime. Every request reads the generation with one indexed
query on its own read connection (before the page's queries, so a page is never filed under
a newer state than it shows); when it differs from the one the cache holds, the cache is
emptied. A page is stored only if it was a 200 GET with no cookie of its own and not
streamed; its body is gzipped once when stored, and a hit is answered with either form, so
the `compress` hook has nothing left to do. Errors, POSTs, the workbench, the API and
anything per-user are never stored (only the endpoints in `PAGES` are).

`PAGE_CACHE_BYTES` in the app's config bounds the memory (default 64 MiB; 0 turns it off).
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import func, select

from registry.read.tables import statements
from registry.write import storage
from web.compress import COMPRESSIBLE, MIN_BYTES
from web.context import db, service, today

# The endpoints whose pages are the same for everyone at one state of the log.
PAGES = frozenset(
    {
        "pages.home",
        "pages.agencies",
        "pages.region",
        "pages.agency",
        "unit_warnings.kind",
        "pages.entry",
        "entries.index",
        "feeds.everything",
        "feeds.agency",
        "feeds.region",
        "log.agencies",
    }
)
DEFAULT_BYTES = 64 * 1024 * 1024
_KEPT_HEADERS = ("Content-Type", "Cache-Control", "Link", "Content-Disposition")

_cp = storage.checkpoints.c
# One indexed query: the newest checkpoint (primary key, descending) and the read model's last
# index (its primary key's maximum). Built once (see storage._FIND).
GENERATION = (
    select(
        _cp.size,
        _cp.cosigners,
        select(func.max(statements.c.idx)).scalar_subquery().label("projected"),
    )
    .order_by(_cp.size.desc())
    .limit(1)
)
_EMPTY = select(select(func.max(statements.c.idx)).scalar_subquery())


@dataclass(frozen=True)
class Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes | None  # None: not worth compressing (or not compressible)

    @property
    def weight(self) -> int:
        return len(self.body) + len(self.gzipped or b"") + 200


@dataclass
class PageCache:
    """A bounded LRU of rendered pages for one generation (thread-safe)."""

    max_bytes: int = DEFAULT_BYTES
    generation: tuple[Any, ...] | None = None
    pages: OrderedDict[tuple[str, ...], Page] = field(default_factory=OrderedDict)
    size: int = 0
    hits: int = 0
    misses: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def get(self, generation: tuple[Any, ...], key: tuple[str, ...]) -> Page | None:
        with self._lock:
            if generation != self.generation:
                self._reset(generation)
            found = self.pages.get(key)
            if found is None:
                self.misses += 1
                return None
            self.pages.move_to_end(key)
            self.hits += 1
            return found

    def put(self, generation: tuple[Any, ...], key: tuple[str, ...], page: Page) -> None:
        if page.weight > self.max_bytes // 8:
            return  # one page never takes much of the cache
        with self._lock:
            if generation != self.generation:
                return  # the log moved on while this page was rendered: it may be old already
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= old.weight
            self.pages[key] = page
            self.size += page.weight
            while self.size > self.max_bytes:
                _, dropped = self.pages.popitem(last=False)
                self.size -= dropped.weight

    def _reset(self, generation: tuple[Any, ...]) -> None:
        self.pages.clear()
        self.size = 0
        self.generation = generation


def init_app(app: Flask) -> None:
    """Hook the cache into `app`: call after the app's other hooks are registered (its lookup
    runs after theirs, and its store before `compress`)."""
    limit = int(app.config.get("PAGE_CACHE_BYTES", DEFAULT_BYTES))
    if limit <= 0:
        return
    app.extensions["pakta_pages"] = PageCache(limit)
    app.before_request(_lookup)
    app.after_request(_store)


def page_cache() -> PageCache | None:
    found: PageCache | None = current_app.extensions.get("pakta_pages")
    return found


def generation() -> tuple[Any, ...]:
    """What every cached page depends on besides its address (read on the request's own read
    connection, first, so the page's queries see this state or a newer one)."""
    conn = db()
    row = conn.execute(GENERATION).first()
    if row is None:
        log = (0, 0, conn.execute(_EMPTY).scalar())
    else:
        log = (row.size, row.cosigners, row.projected)
    stamp = service().instance.config_path.stat().st_mtime_ns  # `pakta witness-add`
    return (*log, today().isoformat(), stamp)


def _key() -> tuple[str, ...]:
    query = request.query_string.decode("latin-1")
    return (request.host_url, request.path, query, str(g.get("lang", "")))


def _lookup() -> Response | None:
    cache = page_cache()
    if cache is None or request.method not in ("GET", "HEAD") or request.endpoint not in PAGES:
        return None
    g.page_generation = generation()
    found = cache.get(g.page_generation, _key())
    if found is None:
        return None
    g.page_cached = True
    response = Response(status=found.status)
    response.headers.clear()
    for name, value in found.headers:
        response.headers[name] = value
    if found.gzipped is not None and request.accept_encodings["gzip"] > 0:
        response.set_data(found.gzipped)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(found.body)
    return response


def _store(response: Response) -> Response:
    cache = page_cache()
    if (
        cache is None
        or request.method != "GET"
        or g.get("page_cached")
        or "page_generation" not in g
        or response.status_code != 200
        or response.is_streamed
        or response.direct_passthrough
        or "Set-Cookie" in response.headers
        or "Content-Encoding" in response.headers
    ):
        return response
    body = response.get_data()
    packed = None
    if response.mimetype in COMPRESSIBLE and len(body) >= MIN_BYTES:
        packed = gzip.compress(body, compresslevel=6, mtime=0)
    kept = tuple((k, v) for k in _KEPT_HEADERS if (v := response.headers.get(k)) is not None)
    cache.put(g.page_generation, _key(), Page(response.status_code, kept, body, packed))
    return response

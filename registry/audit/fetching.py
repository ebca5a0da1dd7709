"""Getting what an audit reads: from a URL or an export folder, planned, fetched together.

`source_fetch` reads paths from a registry URL (HTTP/1.1 keep-alive, one connection per
thread, gzip accepted, answers bounded in size) or from a `pakta export` folder (the same
paths). `plan_tiles` lists every hash tile that reading some stored hashes will touch, the
tiles above them that vouch for them and the right edge that ties them to the root, as Go's
`tlog.TileHashReader` plans a read before it fetches; `TileCache` fetches a plan at once on
a few threads and hands each tile to `registry.tlog.tiles.TileHashReader`, which verifies it.
A partial tile the source no longer has is cut from its full tile (tlog-tiles allows a log to
delete partial tiles once the full tile exists, and clients to fall back to it).
"""

from __future__ import annotations

import http.client
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from registry.audit.errors import FetchError
from registry.tlog import tiles
from registry.tlog.merkle import split_stored_hash_index

Fetch = Callable[[str], bytes]
MAX_RESPONSE = 64 << 20  # far above a full entry bundle (256 entries of at most 64 KiB)
THREADS = 8


def source_fetch(source: str) -> Fetch:
    """A fetcher for a registry URL or an export folder: both have the same paths."""
    if source.startswith(("http://", "https://")):
        return HttpFetch(source)
    if not (Path(source) / "checkpoint").is_file():
        raise FetchError(f"{source} is neither a URL nor an export folder (no checkpoint file)")
    return FolderFetch(source)


class FolderFetch:
    """Paths read from a `pakta export` folder; `names` lists one of its directories, so the
    audit need not ask for each checkpoint size whether the folder keeps it."""

    def __init__(self, root: str) -> None:
        self.root = root

    def __call__(self, path: str) -> bytes:
        try:
            with open(os.path.join(self.root, path), "rb") as f:
                return f.read()
        except OSError as e:
            raise FetchError(f"{Path(self.root) / path}: {e.strerror}") from None

    def names(self, folder: str) -> set[str] | None:
        """The names in `folder` (none if it is absent; None if it cannot be listed)."""
        try:
            return set(os.listdir(os.path.join(self.root, folder)))
        except FileNotFoundError:
            return set()
        except OSError:
            return None


class HttpFetch:
    """GET `<base>/<path>` over a kept-alive connection per thread; `close` closes them all
    (the next fetch opens a new one)."""

    def __init__(self, base: str, timeout: float = 60) -> None:
        self.base = base.rstrip("/") + "/"
        parts = urlsplit(self.base)
        if parts.hostname is None:
            raise FetchError(f"{base}: no host in the URL")
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port
        self._prefix = parts.path
        self._timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[http.client.HTTPConnection] = []

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = kind(self._host, self._port, timeout=self._timeout)
            self._local.conn = conn
            with self._lock:
                self._open.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def __call__(self, path: str) -> bytes:
        url = self.base + path
        for attempt in range(2):  # a kept-alive connection the server closed: once more
            conn = self._connection()
            try:
                conn.request("GET", self._prefix + path, headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                body = response.read(MAX_RESPONSE + 1)
                break
            except (http.client.HTTPException, OSError) as e:
                conn.close()
                self._local.conn = None
                if attempt:
                    raise FetchError(f"{url}: {getattr(e, 'strerror', None) or e}") from None
        if response.status != 200:
            where = response.getheader("Location")
            raise FetchError(f"{url}: HTTP {response.status}" + (f" (to {where})" if where else ""))
        if len(body) > MAX_RESPONSE:
            raise FetchError(f"{url}: more than {MAX_RESPONSE} bytes")
        if response.getheader("Content-Encoding", "").lower() == "gzip":
            body = _gunzip(body, url)
        return body


def _gunzip(data: bytes, url: str) -> bytes:
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(data, MAX_RESPONSE + 1)
    except zlib.error as e:
        raise FetchError(f"{url}: bad gzip body ({e})") from None
    if len(out) > MAX_RESPONSE or not inflate.eof:
        raise FetchError(f"{url}: gzip body larger than {MAX_RESPONSE} bytes or truncated")
    return out


def tile_at(size: int, level: int, index: int) -> tiles.Tile:
    """Tile `index` at `level` as the tree of `size` has it (partial on the right edge)."""
    across = size >> (tiles.TILE_HEIGHT * max(level, 0))
    return tiles.Tile(level, index, min(tiles.TILE_WIDTH, across - index * tiles.TILE_WIDTH))


def plan_tiles(size: int, indexes: Iterable[int]) -> list[tiles.Tile]:
    """The hash tiles a `TileHashReader` of `size` loads to read the stored hashes `indexes`:
    each one's tile, every full tile above it up to a partial one, and the right edge."""
    found: set[tiles.Tile] = {t for t in tiles.tiles_for_size(size) if t.is_partial}
    for index in indexes:
        level, n = split_stored_hash_index(index)
        tile_level, height = divmod(level, tiles.TILE_HEIGHT)
        tile = tile_at(size, tile_level, (n << height) // tiles.TILE_WIDTH)
        while not tile.is_partial and tile not in found:
            found.add(tile)
            tile = tile_at(size, tile.level + 1, tile.index // tiles.TILE_WIDTH)
        found.add(tile)
    return sorted(found, key=lambda t: (t.level, t.index))


class Recorder:
    """A HashReader that answers zeros and remembers what was asked: which stored hashes a
    proof needs depends only on the sizes, so a proof computed over it is a plan."""

    def __init__(self) -> None:
        self.indexes: list[int] = []

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        self.indexes += indexes
        return [bytes(32)] * len(indexes)


def fetch_tile(fetch: Fetch, tile: tiles.Tile) -> bytes:
    """The tile's bytes; a partial tile the source deleted is cut from the full one."""
    try:
        return fetch(tile.path())
    except FetchError as missing:
        if not tile.is_partial:
            raise
        try:
            full = fetch(tiles.Tile(tile.level, tile.index).path())
        except FetchError:
            raise missing from None  # the full tile is not there either
        if tile.is_entries:
            entries = tiles.decode_entry_bundle(full, tiles.TILE_WIDTH)
            return tiles.encode_entry_bundle(entries[: tile.width])
        return full[: tile.width * 32]


class TileCache:
    """Tiles fetched ahead on a few threads, each handed out once (then forgotten)."""

    def __init__(self, fetch: Fetch, threads: int = THREADS) -> None:
        self._fetch = fetch
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="pakta-fetch")
        self._ready: dict[str, Any] = {}

    def prefetch(self, wanted: Iterable[tiles.Tile]) -> None:
        for tile in wanted:
            if tile.path() not in self._ready:
                self._ready[tile.path()] = self._pool.submit(fetch_tile, self._fetch, tile)

    def __call__(self, path: str) -> bytes:
        """A `fetch` for `TileHashReader`: the prefetched bytes, else a fetch now."""
        future = self._ready.pop(path, None)
        if future is not None:
            data: bytes = future.result()
            return data
        return fetch_tile(self._fetch, tiles.Tile.parse_path(path))

    def stream(self, wanted: Sequence[tiles.Tile], ahead: int) -> Iterator[bytes]:
        """The tiles' bytes in order, keeping `ahead` fetches in flight."""
        for i, tile in enumerate(wanted):
            self.prefetch(wanted[i : i + ahead + 1])
            yield self(tile.path())

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._ready.clear()


__all__ = [
    "Fetch",
    "FetchError",
    "FolderFetch",
    "HttpFetch",
    "TileCache",
    "plan_tiles",
    "source_fetch",
]

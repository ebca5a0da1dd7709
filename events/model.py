"""A parsed statement and the documents it names: immutable values, derived from signed bytes.

`Statement` keeps the exact payload an agency signed; its `hash` is over those bytes, so the
registry never re-encodes what was signed. Parsing and checking them is `events.statement`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from .canonical import sha256_ref


@dataclass(frozen=True)
class Document:
    """A signed paper (charter, pact, report) named by the SHA-256 of its file."""

    name: str
    sha256: str
    media_type: str
    url: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"name": self.name, "sha256": self.sha256, "media_type": self.media_type}
        if self.url is not None:
            out["url"] = self.url
        return out


@dataclass(frozen=True)
class Statement:
    """A parsed, checked statement; every field is derived from `payload`."""

    type: str
    agency: str
    seq: int
    prev: str | None
    issued_at: datetime
    issued_at_text: str
    body: Mapping[str, Any]
    documents: tuple[Document, ...]
    payload: bytes = field(repr=False)
    source: str | None = None
    demo: bool = False

    @cached_property
    def hash(self) -> str:
        """`sha256:<hex>` of the payload: the next statement's `prev` and the lookup key."""
        return sha256_ref(self.payload)

    def __hash__(self) -> int:
        # The generated hash would include `body`, a dict; the payload determines everything.
        return hash(self.payload)

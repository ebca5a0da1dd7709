"""Sample statements for the events tests: a valid statement of any catalog type, to edit.

A uniquely named module (not conftest) so test modules can import it unambiguously.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from events import CATALOG

PREV = "sha256:" + "ab" * 32
DOC = {
    "name": "Piagam Pencanangan",
    "sha256": "sha256:" + "cd" * 32,
    "media_type": "application/pdf",
    "url": "https://www.example.org/piagam.pdf",
}

Edits = Iterable[tuple[str, object]]
MakeStatement = Callable[..., bytes]
MakeJson = Callable[..., dict[str, Any]]


def statement_json(type_name: str = "zi.declared") -> dict[str, Any]:
    """A statement of `type_name` that parses: the type's example body, issued after its dates.

    The agency differs from every example's declaring agency, so zi.witnessed passes too.
    """
    example = CATALOG[type_name].example
    assert example is not None
    return {
        "type": type_name,
        "agency": "bps-3315",
        "seq": 1,
        "prev": PREV,
        "issued_at": "2024-06-02T10:00:00+08:00",
        "body": copy.deepcopy(dict(example)),
        "documents": [dict(DOC)],
    }


def edit(obj: dict[str, Any], edits: Edits) -> dict[str, Any]:
    """Apply (JSON Pointer, value) edits; the value `...` removes the member."""
    for where, value in edits:
        *parents, last = where.split("/")[1:]
        target: Any = obj
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list) and last == "-":  # RFC 6901: the end of the array
            target.append(value)
            continue
        key: Any = int(last) if isinstance(target, list) else last
        if value is ...:
            del target[key]
        else:
            target[key] = value
    return obj

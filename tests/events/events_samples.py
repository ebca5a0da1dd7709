"""Sample statements for the events tests: a valid statement of any catalog type, to edit.

A uniquely named module (not conftest) so test modules can import it unambiguously.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

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


def _dates(value: object) -> Iterator[str]:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _dates(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dates(v)


def statement_json(type_name: str = "zi.declared") -> dict[str, Any]:
    """A statement of `type_name` that parses: the type's example body, issued after its dates
    (2 June 2024, or the day after the example's latest date).

    The agency differs from every example's declaring agency, so zi.witnessed passes too.
    """
    example = CATALOG[type_name].example
    assert example is not None
    latest = max(_dates(example), default="2024-06-01")
    day = max(date(2024, 6, 2), date.fromisoformat(latest) + timedelta(days=1))
    return {
        "type": type_name,
        "agency": "bps-3315",
        "seq": 1,
        "prev": PREV,
        "issued_at": f"{day.isoformat()}T10:00:00+08:00",
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


def json_values(max_leaves: int, width: int = 3) -> st.SearchStrategy[Any]:
    """Plain JSON values (no fractions): null, booleans, integers, short texts, nested."""
    return st.recursive(
        st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=width)
            | st.dictionaries(st.text(max_size=5), inner, max_size=width)
        ),
        max_leaves=max_leaves,
    )

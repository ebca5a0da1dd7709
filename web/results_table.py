"""The results table's header links (issue 13): each column sorts the list it heads, by a
stable URL (`?sort=overdue&dir=desc`) that keeps the filters, with `aria-sort` on the column
the list is in order of. Works without JavaScript: the links are plain GET requests.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from registry.read.results import FIRST_DIRECTION, SORTS
from registry.read.search import Filters


def sort_links(endpoint: str, filters: Filters, **view_args: Any) -> dict[str, dict[str, Any]]:
    """Sort key -> the URL that orders the list by it ("asc" first, counts and years "desc"
    first; the column in use flips) and its aria-sort value (None for other columns)."""
    current = filters.sort or "name"
    kept = filters.narrowing()
    out: dict[str, dict[str, Any]] = {}
    for key in SORTS:
        first = FIRST_DIRECTION.get(key, "asc")
        if key == current:
            now = filters.dir or "asc"
            wanted = "asc" if now == "desc" else "desc"
            aria = "descending" if now == "desc" else "ascending"
        else:
            wanted, aria = first, None
        args: dict[str, Any] = dict(kept)
        if key != "name":
            args["sort"] = key
        if wanted == "desc":
            args["dir"] = "desc"
        out[key] = {"url": url_for(endpoint, **view_args, **args), "aria": aria}
    return out

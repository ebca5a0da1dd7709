"""Each agency's stored history in pages: the layout `pakta export` writes, the web serves and
the audit compares with what the log implies.

An agency aggregate stores one effect per statement that touched the agency (its own, and the
"noted" effects of statements about it). They are published as pages of `PAGE` effects:
`histories/<agency>/<n>.json` once page n is full (it never changes again), and
`histories/<agency>/<n>.p.json`, the page being filled (from 0 to `PAGE - 1` effects, so the
last page always exists and an auditor sees any effect the log does not imply). An export
then rewrites one small file per agency a new entry touched, however long the history, where
the single `/agencies.json` grew with the log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

PAGE = 256
_PAGE_NAME = re.compile(r"(0|[1-9][0-9]{0,11})(\.p)?\.json")
# events/fragments.AGENCY_ID_PATTERN, restated: the id becomes a path segment here.
_AGENCY = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")

Effect = dict[str, Any]


def page_path(agency: str, page: int, partial: bool) -> str:
    if not _AGENCY.fullmatch(agency) or len(agency) > 64:
        raise ValueError(f"{agency!r} is not an agency id")
    return f"histories/{agency}/{page}{'.p' if partial else ''}.json"


def parse_page_name(name: str) -> tuple[int, bool] | None:
    """(page, partial) for `<n>.json` or `<n>.p.json`; None for anything else."""
    found = _PAGE_NAME.fullmatch(name)
    return (int(found.group(1)), found.group(2) is not None) if found else None


def is_agency(agency: str) -> bool:
    return len(agency) <= 64 and _AGENCY.fullmatch(agency) is not None


def encode(effects: Sequence[Effect]) -> bytes:
    return json.dumps(list(effects), sort_keys=True).encode()


def last_page(count: int) -> int:
    """The page being filled in a history of `count` effects (it may hold none yet)."""
    return count // PAGE


def pages(agency: str, effects: Sequence[Effect], first: int = 0) -> list[tuple[str, bytes]]:
    """(path, bytes) of pages `first` .. the last of a history, given its effects from
    effect `first * PAGE` on."""
    out = []
    count = first * PAGE + len(effects)
    for page in range(first, last_page(count) + 1):
        lo = (page - first) * PAGE
        chunk = effects[lo : lo + PAGE]
        out.append((page_path(agency, page, len(chunk) < PAGE), encode(chunk)))
    return out

"""Indonesia's provinces and the regencies/cities Pakta needs, with both code systems.

`regions.json` is a small hand-copied subset of the Kemendagri decree and the BPS master file
(source, vintage, licence and what is unconfirmed are in its `source` block). Kemendagri codes
are `PP` / `PP.KK`, BPS codes `PP` / `PPKK`, always strings: they differ below province level
(Kab. Kuantan Singingi is Kemendagri 14.09, BPS 1401) and even for some provinces (Papua).
This is reference data, not log data: the read model never stores it, so rebuilds stay equal.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        Path(__file__).with_name("regions.json").read_text(encoding="utf-8")
    )
    return data


def source() -> dict[str, str]:
    return dict(_data()["source"])


def provinces() -> list[dict[str, str]]:
    return [dict(p, level="province") for p in _data()["provinces"]]


def region(code: str) -> dict[str, str] | None:
    """The province (`PP`) or regency/city (`PP.KK`) with this Kemendagri code."""
    for row in _data()["provinces"]:
        if row["kemendagri"] == code:
            return dict(row, level="province")
    for row in _data()["regencies"]:
        if row["kemendagri"] == code:
            return dict(row, level="regency", province=code[:2])
    return None


def regencies(province: str) -> list[dict[str, str]]:
    return [
        dict(r, level="regency", province=province)
        for r in _data()["regencies"]
        if r["kemendagri"].startswith(province + ".")
    ]


def kemendagri_of(code: str) -> str | None:
    """The Kemendagri code of a region given by either code system ("3315" -> "33.15",
    "14.09" -> "14.09", "1401" -> "14.09"), or None if it is in neither."""
    if region(code) is not None:
        return code
    for row in (*_data()["provinces"], *_data()["regencies"]):
        if row.get("bps") == code:
            return str(row["kemendagri"])
    return None

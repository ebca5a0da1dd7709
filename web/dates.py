"""Dates, times and numbers as the reader's language writes them.

"17 Juni 2020, 10.00 WIB" in Indonesian, "17 June 2020, 10:00 WIB" in English: a timestamp is
shown in the time zone of the unit's region (WIB, WITA or WIT, from the province's Kemendagri
code), or in its own offset when that is one of the three, otherwise in UTC. Decimals are
written with a comma in Indonesian ("88,30"). No ISO timestamp reaches running text.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from flask import g
from flask_babel import format_date

# Provinces by the first two digits of their Kemendagri code, east of the WIB zone.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
# A decimal written with a point ("88.30"); web/summary_export.py gives the browser this too.
DECIMAL_PATTERN = r"-?[0-9]+\.[0-9]+"
_DECIMAL = re.compile(DECIMAL_PATTERN)


def _lang() -> str:
    return str(getattr(g, "lang", "id"))


def zone_of(region: str | None) -> str | None:
    """WIB, WITA or WIT for a Kemendagri region code ("74", "33.15"), None if unknown."""
    if not region or not region[:2].isdigit():
        return None
    province = region[:2]
    return "WITA" if province in _WITA else "WIT" if province in _WIT else "WIB"


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def day(value: str | date | None) -> str:
    """A date (or the date part of a timestamp) in words: "17 Juni 2020"."""
    if not value:
        return ""
    if isinstance(value, str):
        found = _parse(value)
        if found is None:
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                return str(value)
        else:
            value = found.date()
    return str(format_date(value, "d MMMM y"))


def moment(value: str | None, region: str | None = None) -> str:
    """A timestamp in words with its zone: "17 Juni 2020, 10.00 WIB"."""
    found = _parse(value) if value else None
    if found is None:
        return day(value)
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    zone = zone_of(region)
    if zone is None:
        offset = found.utcoffset() or timedelta(0)
        zone = next((z for z, h in ZONES.items() if offset == timedelta(hours=h)), None)
    if zone is None:
        local, label = found.astimezone(UTC), "UTC"
    else:
        local, label = found.astimezone(timezone(timedelta(hours=ZONES[zone]))), zone
    clock = local.strftime("%H.%M" if _lang() == "id" else "%H:%M")
    return f"{day(local.date())}, {clock} {label}"


def decimal(value: object) -> str:
    """A decimal as text in the reader's language: "88,30" in Indonesian, "88.30" in English."""
    text = "" if value is None else str(value)
    if _lang() == "id" and _DECIMAL.fullmatch(text):
        return text.replace(".", ",")
    return text

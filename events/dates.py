"""The two spellings of time a statement may use: RFC 3339 `date-time` and full `date`.

Both parsers are strict and refuse what `datetime.fromisoformat` would quietly accept (week
dates, missing seconds, no offset, lower-case separators, non-ASCII digits): a malformed value
is a "bad-date"; a well-formed one that names no real moment (2024-02-30, hour 25, a leap second,
offset +24:00) is an "impossible-date". Time stamps must carry an explicit offset (`Z` or
`±hh:mm`); RFC 3339 §4.3's `-00:00` ("offset unknown") is refused for that reason.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from .errors import StatementError, show

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# RFC 3339 §5.6 `date-time`, with upper-case "T" and "Z" only, seconds required and at most
# nine fraction digits (what Go and Java write; datetime keeps six, the text keeps all).
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))"
)


def parse_date(text: str, *, field: str | None = None) -> date:
    """A `YYYY-MM-DD` full-date (RFC 3339 §5.6) as a `date`."""
    m = _DATE.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise StatementError("bad-date", f"expected YYYY-MM-DD, found {show(text)}", field=field)
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as e:
        raise StatementError("impossible-date", f"{text} is not a date: {e}", field=field) from None


def parse_datetime(text: str, *, field: str | None = None) -> datetime:
    """An RFC 3339 date-time with an explicit offset as an aware `datetime`."""
    m = _DATE_TIME.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise StatementError(
            "bad-date",
            f"expected an RFC 3339 date-time such as 2024-06-01T09:30:00+08:00, found {show(text)}",
            field=field,
        )
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    micro = int((m[7] or "0").ljust(6, "0")[:6])
    if m[8] is None and m[9] == "-" and m[10] == "00" and m[11] == "00":
        raise StatementError(
            "bad-date", f"{text} has offset -00:00 (unknown); give the real offset", field=field
        )
    try:
        if second == 60:
            raise ValueError("leap seconds are not accepted")
        if m[8] is None:
            off_h, off_m = int(m[10]), int(m[11])
            if off_h > 23 or off_m > 59:
                raise ValueError("offset out of range")
            offset = timedelta(hours=off_h, minutes=off_m)
            tz = timezone(-offset if m[9] == "-" else offset)
        else:
            tz = UTC
        moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        # Comparing aware datetimes converts them to UTC: 0001-01-01T00:00:00+01:00 would
        # overflow there, far from here, so it is refused now.
        moment.astimezone(UTC)
        return moment
    except (ValueError, OverflowError) as e:
        raise StatementError(
            "impossible-date", f"{text} is not a moment: {e}", field=field
        ) from None


def format_datetime(moment: datetime) -> str:
    """The RFC 3339 text `parse_datetime` accepts: `Z` for UTC, else the moment's own offset."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a statement time needs a timezone (an aware datetime)")
    if offset % timedelta(minutes=1):
        raise ValueError(f"offset {offset} is not a whole number of minutes")
    text = moment.replace(tzinfo=None).isoformat(timespec="seconds")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    if not offset:
        return text + "Z"
    total = offset // timedelta(minutes=1)
    hours, minutes = divmod(abs(total), 60)
    return f"{text}{'-' if total < 0 else '+'}{hours:02d}:{minutes:02d}"

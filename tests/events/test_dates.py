"""RFC 3339 dates and times: strict spelling, real moments only, explicit offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import StatementError, format_datetime, parse_date, parse_datetime

WIB = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2024-06-01T09:30:00+08:00",
            datetime(2024, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        ),
        ("2024-06-01T01:30:00Z", datetime(2024, 6, 1, 1, 30, tzinfo=UTC)),
        ("2024-06-01T01:30:00+00:00", datetime(2024, 6, 1, 1, 30, tzinfo=UTC)),
        ("2020-06-17T10:00:00.5+07:00", datetime(2020, 6, 17, 10, 0, 0, 500000, tzinfo=WIB)),
        (
            "2020-06-17T10:00:00.123456789-03:30",
            datetime(2020, 6, 17, 13, 30, 0, 123456, tzinfo=UTC),
        ),
        ("2024-02-29T23:59:59Z", datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None


@pytest.mark.parametrize(
    "text",
    [
        "2024-06-01T09:30+08:00",  # seconds required
        "2024-06-01T09:30:00",  # no offset
        "2024-06-01 09:30:00Z",  # space separator
        "2024-06-01t09:30:00z",  # lower case
        "2024-06-01T09:30:00.Z",
        "2024-06-01T09:30:00.1234567890Z",  # more than nine fraction digits
        "2024-06-01T09:30:00+0800",
        "2024-06-01T09:30:00+08",
        "2024-W22-6T09:30:00Z",
        "24-06-01T09:30:00Z",
        "2024-06-01T09:30:00-00:00",  # RFC 3339 §4.3: offset unknown
        "2024-06-01T09:30:00Z\n",
        "２０２４-06-01T09:30:00Z",  # full-width digits
        "",
    ],
)
def test_bad_datetime(text: str) -> None:
    with pytest.raises(StatementError) as info:
        parse_datetime(text, field="/issued_at")
    assert (info.value.code, info.value.field) == ("bad-date", "/issued_at")


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-06-00T00:00:00Z",
        "2024-06-01T25:00:00Z",
        "2024-06-01T24:00:00Z",
        "2024-06-01T23:60:00Z",
        "2016-12-31T23:59:60Z",  # leap seconds are refused
        "2024-06-01T00:00:00+24:00",
        "2024-06-01T00:00:00+05:60",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",  # would overflow when compared in UTC
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_impossible_datetime(text: str) -> None:
    with pytest.raises(StatementError) as info:
        parse_datetime(text, field="/issued_at")
    assert (info.value.code, info.value.field) == ("impossible-date", "/issued_at")


def test_parse_date() -> None:
    assert parse_date("2020-08-25") == date(2020, 8, 25)
    for bad in ["2020-8-25", "20200825", "2020-08-25T00:00:00Z", "2020-08-25 ", "25-08-2020"]:
        with pytest.raises(StatementError) as info:
            parse_date(bad, field="/body/declared_on")
        assert (info.value.code, info.value.field) == ("bad-date", "/body/declared_on")
    for impossible in ["2021-02-29", "2020-04-31", "2020-00-01", "0000-01-01"]:
        with pytest.raises(StatementError) as info:
            parse_date(impossible)
        assert info.value.code == "impossible-date"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 6, 1, 9, 30, tzinfo=UTC), "2024-06-01T09:30:00Z"),
        (datetime(2024, 6, 1, 9, 30, 0, 120000, tzinfo=WIB), "2024-06-01T09:30:00.12+07:00"),
        (
            datetime(2024, 6, 1, tzinfo=timezone(-timedelta(hours=3, minutes=30))),
            "2024-06-01T00:00:00-03:30",
        ),
    ],
)
def test_format_datetime(moment: datetime, text: str) -> None:
    assert format_datetime(moment) == text


def test_format_datetime_needs_an_aware_whole_minute_offset() -> None:
    with pytest.raises(ValueError):
        format_datetime(datetime(2024, 6, 1))
    with pytest.raises(ValueError):
        format_datetime(datetime(2024, 6, 1, tzinfo=timezone(timedelta(seconds=30))))


@settings(database=None)
@given(
    st.datetimes(
        min_value=datetime(1000, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
            lambda m: timezone(timedelta(minutes=m))
        ),
    )
)
def test_format_then_parse_round_trips(moment: datetime) -> None:
    text = format_datetime(moment)
    parsed = parse_datetime(text)
    assert parsed == moment and parsed.utcoffset() == moment.utcoffset()
    assert format_datetime(parsed) == text

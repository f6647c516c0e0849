"""Dates, times and periods in declared formats, as aware UTC; invalid dates name the text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.mapping.errors import ParseError
from feeds.mapping.times import (
    LOCAL_TZ,
    Period,
    check_not_future,
    is_in_future,
    month_year_period,
    parse_period,
    parse_time,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def local_midnight(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ("05/11/2026", "dd/mm/yyyy", utc(2026, 11, 4, 17)),
        ("5/1/2026", "d/m/yyyy", utc(2026, 1, 4, 17)),
        ("05/11/2026 08:30", "dd/mm/yyyy HH:MM", utc(2026, 11, 5, 1, 30)),
        ("05/11/2026 08:30:15", "dd/mm/yyyy HH:MM:SS", utc(2026, 11, 5, 1, 30, 15)),
        (" 05-11-2026 ", "dd-mm-yyyy", utc(2026, 11, 4, 17)),
        ("2026-11-05", "yyyy-mm-dd", utc(2026, 11, 4, 17)),
        ("2026-11-05T08:00:00Z", "iso8601", utc(2026, 11, 5, 8)),
        ("2026-11-05T08:00:00+07:00", "iso8601", utc(2026, 11, 5, 1)),
        ("2026-11-05T08:00:00", "iso8601", utc(2026, 11, 5, 1)),
        ("2026-11-05", "iso8601", utc(2026, 11, 4, 17)),
        ("/Date(1732060800000+0700)/", "ms_json", utc(2024, 11, 20)),
        ("/Date(1732060800000)/", "ms_json", utc(2024, 11, 20)),
        (1732060800, "epoch_s", utc(2024, 11, 20)),
        ("1732060800000", "epoch_ms", utc(2024, 11, 20)),
        (46331, "excel", utc(2026, 11, 4, 17)),  # Excel serial of 2026-11-05
        (46331.5, "excel", utc(2026, 11, 5, 5)),
        (datetime(2026, 11, 5, 8, 0), "excel", utc(2026, 11, 5, 1)),  # an openpyxl cell
        (date(2026, 11, 5), "dd/mm/yyyy", utc(2026, 11, 4, 17)),
    ],
)
def test_instants_in_declared_formats(raw: object, fmt: str, expected: datetime) -> None:
    moment = parse_time(raw, fmt)  # type: ignore[arg-type]
    assert moment == expected
    assert moment.tzinfo is UTC


def test_another_declared_zone_is_used_for_local_times() -> None:
    assert parse_time("05/11/2026 08:00", "dd/mm/yyyy HH:MM", ZoneInfo("UTC")) == utc(
        2026, 11, 5, 8
    )
    offset = timezone(timedelta(hours=9))
    assert parse_time("2026-11-05T08:00:00", "iso8601", offset) == utc(2026, 11, 4, 23)


@pytest.mark.parametrize(
    ("raw", "fmt", "kind", "start"),
    [
        ("Tháng 10/2026", "mm/yyyy", "month", local_midnight(2026, 10, 1)),
        ("THÁNG 10 NĂM 2026", "mm/yyyy", "month", local_midnight(2026, 10, 1)),
        ("10/2026", "mm/yyyy", "month", local_midnight(2026, 10, 1)),
        ("T10/2026", "mm/yyyy", "month", local_midnight(2026, 10, 1)),
        ("Quý III/2026", "quarter", "quarter", local_midnight(2026, 7, 1)),
        ("Q3/2026", "quarter", "quarter", local_midnight(2026, 7, 1)),
        ("Quý 4 năm 2026", "quarter", "quarter", local_midnight(2026, 10, 1)),
        ("Năm 2026", "year", "year", local_midnight(2026, 1, 1)),
        (2026, "year", "year", local_midnight(2026, 1, 1)),
        ("05/11/2026", "dd/mm/yyyy", "day", local_midnight(2026, 11, 5)),
        ("05/11/2026 23:30", "dd/mm/yyyy HH:MM", "day", local_midnight(2026, 11, 5)),
        (
            "Từ ngày 01/10/2026 đến ngày 31/10/2026",
            "date_range",
            "month",
            local_midnight(2026, 10, 1),
        ),
        ("01/07/2026 - 30/09/2026", "date_range", "quarter", local_midnight(2026, 7, 1)),
        ("01/01/2026 - 31/12/2026", "date_range", "year", local_midnight(2026, 1, 1)),
        (datetime(2026, 10, 1), "mm/yyyy", "month", local_midnight(2026, 10, 1)),
    ],
)
def test_periods(raw: object, fmt: str, kind: str, start: datetime) -> None:
    assert parse_period(raw, fmt) == Period(kind, start)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("month", "year"), [("10", "2026"), ("Tháng 10", "Năm 2026"), (10, 2026), (10.0, 2026.0)]
)
def test_month_and_year_in_separate_fields(month: object, year: object) -> None:
    assert month_year_period(month, year) == Period("month", local_midnight(2026, 10, 1))


@pytest.mark.parametrize(
    ("raw", "fmt"),
    [
        ("31/02/2026", "dd/mm/yyyy"),
        ("29/02/2025", "d/m/yyyy"),
        ("05/11/2026 24:10", "dd/mm/yyyy HH:MM"),
        ("2026-11-05", "dd/mm/yyyy"),
        ("Tháng 13/2026", "mm/yyyy"),
        ("Quý V/2026", "quarter"),
        ("hôm qua", "iso8601"),
        ("/Date(abc)/", "ms_json"),
        ("01/10/2026 - 15/10/2026", "date_range"),
        (True, "epoch_s"),
        (0, "excel"),
    ],
)
def test_invalid_dates_name_the_text(raw: object, fmt: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_period(raw, fmt) if fmt in ("mm/yyyy", "quarter", "date_range") else parse_time(
            raw,
            fmt,  # type: ignore[arg-type]
        )
    assert repr(raw).strip("'") in str(caught.value) or str(raw) in str(caught.value)


def test_month_out_of_range_in_separate_fields() -> None:
    with pytest.raises(ParseError, match="'13'"):
        month_year_period("13", "2026")


def test_clock_fault_is_a_time_beyond_the_tolerance() -> None:
    now = utc(2026, 11, 5, 3)
    assert not is_in_future(now + timedelta(minutes=4), now)
    assert is_in_future(now + timedelta(minutes=6), now)
    assert is_in_future(now + timedelta(minutes=6), now.replace(tzinfo=None))
    assert check_not_future(now, now) == now
    with pytest.raises(ParseError, match="future"):
        check_not_future(now + timedelta(hours=1), now, timedelta(minutes=30))


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@given(day=DAYS, zero_pad=st.booleans())
def test_dd_mm_yyyy_round_trip(day: date, zero_pad: bool) -> None:
    text = (
        f"{day.day:02d}/{day.month:02d}/{day.year}"
        if zero_pad
        else (f"{day.day}/{day.month}/{day.year}")
    )
    moment = parse_time(text, "dd/mm/yyyy")
    assert moment.astimezone(LOCAL_TZ).date() == day
    assert moment.astimezone(LOCAL_TZ).hour == 0


@given(moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_epoch_ms_and_ms_json_agree_with_iso(moment: datetime) -> None:
    aware = moment.replace(microsecond=(moment.microsecond // 1000) * 1000, tzinfo=UTC)
    ms = round(aware.timestamp() * 1000)
    assert parse_time(ms, "epoch_ms") == aware
    assert parse_time(f"/Date({ms}+0700)/", "ms_json") == aware
    assert parse_time(aware.isoformat(), "iso8601") == aware


@given(day=DAYS)
def test_excel_serial_of_a_date_is_its_local_midnight(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_time(serial, "excel") == local_midnight(day.year, day.month, day.day)


@given(month=st.integers(1, 12), year=st.integers(1990, 2100))
def test_month_forms_agree(month: int, year: int) -> None:
    expected = month_year_period(month, year)
    assert parse_period(f"Tháng {month}/{year}", "mm/yyyy") == expected
    assert parse_period(f"{month:02d}/{year}", "mm/yyyy") == expected
    quarter = parse_period(f"Q{(month - 1) // 3 + 1}/{year}", "quarter")
    assert quarter.start <= expected.start

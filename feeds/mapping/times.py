"""Dates, times and report periods in declared formats; every result is aware UTC."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from feeds.mapping.errors import ParseError, shown

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PeriodKind = Literal["day", "month", "quarter", "year"]
TimeFormat = Literal[
    "dd/mm/yyyy",
    "d/m/yyyy",
    "dd/mm/yyyy HH:MM",
    "dd/mm/yyyy HH:MM:SS",
    "dd-mm-yyyy",
    "yyyy-mm-dd",
    "mm/yyyy",
    "quarter",
    "year",
    "date_range",
    "epoch_s",
    "epoch_ms",
    "ms_json",
    "iso8601",
    "excel",
]
TIME_FORMATS: tuple[str, ...] = TimeFormat.__args__  # type: ignore[attr-defined]
FORMAT_KIND: dict[str, PeriodKind | None] = {
    "mm/yyyy": "month",
    "quarter": "quarter",
    "year": "year",
    "date_range": None,  # decided by the range itself
}
DEFAULT_FUTURE_TOLERANCE = timedelta(minutes=5)

_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 is 1900-01-01 (with Lotus's leap-year bug)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_DMY = r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})"
_CLOCK = r"(?P<H>\d{1,2}):(?P<M>\d{2})"
_PATTERNS = {
    "dd/mm/yyyy": re.compile(_DMY),
    "d/m/yyyy": re.compile(_DMY),
    "dd/mm/yyyy HH:MM": re.compile(_DMY + r"\s+" + _CLOCK),
    "dd/mm/yyyy HH:MM:SS": re.compile(_DMY + r"\s+" + _CLOCK + r":(?P<S>\d{2})"),
    "dd-mm-yyyy": re.compile(r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})"),
    "yyyy-mm-dd": re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    "mm/yyyy": re.compile(r"(?:thang|t)?\s*(?P<m>\d{1,2})\s*(?:[/.-]|nam)\s*(?P<y>\d{4})"),
    "quarter": re.compile(r"(?:quy|q)\s*(?P<q>[1-4]|iv|iii|ii|i)\s*(?:[/.-]|nam)?\s*(?P<y>\d{4})"),
    "year": re.compile(r"(?:nam)?\s*(?P<y>\d{4})"),
}
_RANGE = re.compile(
    r"(?:tu ngay|tu)?\s*(?P<a>\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\s*(?:-|–|den ngay|den|to)\s*"
    r"(?P<b>\d{1,2}[/.-]\d{1,2}[/.-]\d{4})"
)
_MS_JSON = re.compile(r"/?Date\((?P<ms>-?\d+)(?P<off>[+-]\d{4})?\)/?")


@dataclass(frozen=True, slots=True)
class Period:
    """A report period: its kind and its start (local midnight, as aware UTC)."""

    kind: PeriodKind
    start: datetime


def _folded(text: str) -> str:
    """Lower-case ASCII words: "Tháng 10/2026" → "thang 10/2026", "Quý III" → "quy iii"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def _local(moment: datetime, zone: tzinfo) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return aware.astimezone(UTC)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return _local(datetime.combine(day, time()), zone)


def _date(raw: Any, year: int, month: int, day: int = 1) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ParseError(f"date {shown(raw)} does not exist", raw) from None


def _number(raw: Any, what: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ParseError(f"{what} {shown(raw)} is not a number", raw)
    try:
        value = float(raw)
    except ValueError:
        raise ParseError(f"{what} {shown(raw)} is not a number", raw) from None
    if not math.isfinite(value):
        raise ParseError(f"{what} {shown(raw)} is not a finite number", raw)
    return value


def parse_time(raw: Any, fmt: TimeFormat, zone: tzinfo = LOCAL_TZ) -> datetime:
    """The instant `raw` names, as aware UTC; local times are in `zone` unless they state one.

    datetime and date objects (openpyxl cells) are accepted in any format.
    """
    if isinstance(raw, datetime):
        return _local(raw, zone)
    if isinstance(raw, date):
        return _midnight(raw, zone)
    if fmt in ("epoch_s", "epoch_ms"):
        seconds = _number(raw, "epoch time") / (1000 if fmt == "epoch_ms" else 1)
        return _from_epoch(seconds, raw)
    if fmt == "excel":
        return _from_excel(raw, zone)
    if not isinstance(raw, str) or not raw.strip():
        raise ParseError(f"time {shown(raw)} is not text in format {fmt}", raw)
    if fmt == "ms_json":
        return _from_ms_json(raw)
    if fmt == "iso8601":
        return _from_iso(raw, zone)
    return parse_period(raw, fmt, zone).start if fmt in FORMAT_KIND else _from_dmy(raw, fmt, zone)


def _from_epoch(seconds: float, raw: Any) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ParseError(f"epoch time {shown(raw)} is out of range", raw) from None


def _from_excel(raw: Any, zone: tzinfo) -> datetime:
    serial = _number(raw, "Excel date serial")
    if not 1 <= serial < 2958466:  # 9999-12-31
        raise ParseError(f"Excel date serial {shown(raw)} is out of range", raw)
    return _local(_EXCEL_EPOCH + timedelta(days=serial), zone)


def _from_ms_json(raw: str) -> datetime:
    match = _MS_JSON.fullmatch(raw.strip())
    if match is None:
        raise ParseError(f"time {shown(raw)} is not a /Date(ms±zzzz)/ value", raw)
    # The milliseconds are UTC already; the offset only says where the writer was.
    return _from_epoch(int(match["ms"]) / 1000, raw)


def _from_iso(raw: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ParseError(f"time {shown(raw)} is not an ISO 8601 date or time", raw) from None
    return _local(moment, zone)


def _from_dmy(raw: str, fmt: str, zone: tzinfo) -> datetime:
    match = _PATTERNS[fmt].fullmatch(raw.strip())
    if match is None:
        raise ParseError(f"date {shown(raw)} is not in format {fmt}", raw)
    day = _date(raw, int(match["y"]), int(match["m"]), int(match["d"]))
    parts = match.groupdict()
    hour, minute, second = (int(parts.get(k) or 0) for k in ("H", "M", "S"))
    if hour > 23 or minute > 59 or second > 59:
        raise ParseError(f"time {shown(raw)} does not exist", raw)
    return _local(datetime.combine(day, time(hour, minute, second)), zone)


def parse_period(raw: Any, fmt: TimeFormat, zone: tzinfo = LOCAL_TZ) -> Period:
    """The period `raw` names: a day for date formats, else a month, quarter, year or range."""
    if fmt == "date_range":
        return _range_period(raw, zone)
    kind = FORMAT_KIND.get(fmt)
    if kind is None:
        moment = parse_time(raw, fmt, zone).astimezone(zone)
        return Period("day", _midnight(moment.date(), zone))
    if isinstance(raw, datetime | date):  # an Excel date cell in a month column
        day = raw.date() if isinstance(raw, datetime) else raw
        return _period_of(kind, day, zone)
    if isinstance(raw, int) and not isinstance(raw, bool) and kind == "year":
        return Period("year", _midnight(_date(raw, raw, 1), zone))
    if not isinstance(raw, str):
        raise ParseError(f"period {shown(raw)} is not text in format {fmt}", raw)
    match = _PATTERNS[fmt].fullmatch(_folded(raw))
    if match is None:
        raise ParseError(f"period {shown(raw)} is not in format {fmt}", raw)
    year = int(match["y"])
    if kind == "quarter":
        quarter = match["q"].upper()
        month = 3 * (_ROMAN.get(quarter) or int(quarter)) - 2
    else:
        month = int(match.groupdict().get("m") or 1)
    return Period(kind, _midnight(_date(raw, year, month), zone))


def widen(period: Period, kind: PeriodKind, zone: tzinfo = LOCAL_TZ) -> Period:
    """The `kind` period holding `period`'s start (a day dated 01/10/2026 → October 2026)."""
    return _period_of(kind, period.start.astimezone(zone).date(), zone)


def _period_of(kind: PeriodKind, day: date, zone: tzinfo) -> Period:
    month = {"day": day.month, "month": day.month, "year": 1}.get(kind)
    if month is None:
        month = 3 * ((day.month - 1) // 3) + 1
    first = day if kind == "day" else date(day.year, month, 1)
    return Period(kind, _midnight(first, zone))


def month_year_period(month: Any, year: Any, zone: tzinfo = LOCAL_TZ) -> Period:
    """A month given as two fields ("10" or "Tháng 10", and "2026" or "Năm 2026")."""
    m = _int_in(month, r"(?:thang|t)?\s*(\d{1,2})", "month")
    y = _int_in(year, r"(?:nam)?\s*(\d{4})", "year")
    if not 1 <= m <= 12:
        raise ParseError(f"month {shown(month)} is not 1-12", month)
    return Period("month", _midnight(date(y, m, 1), zone))


def _int_in(raw: Any, pattern: str, what: str) -> int:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    match = re.fullmatch(pattern, _folded(raw)) if isinstance(raw, str) else None
    if match is None:
        raise ParseError(f"{what} {shown(raw)} is not a {what} number", raw)
    return int(match[1])


def _range_period(raw: Any, zone: tzinfo) -> Period:
    match = _RANGE.fullmatch(_folded(raw)) if isinstance(raw, str) else None
    if match is None:
        raise ParseError(f"period {shown(raw)} is not a range 'dd/mm/yyyy - dd/mm/yyyy'", raw)
    first, last = (_dmy_date(raw, match[g]) for g in ("a", "b"))
    for kind in ("day", "month", "quarter", "year"):
        start = _period_of(kind, first, zone)
        if start.start == _midnight(first, zone) and _last_day(kind, first) == last:
            return start
    raise ParseError(f"period {shown(raw)} is not a whole day, month, quarter or year", raw)


def _dmy_date(raw: Any, text: str) -> date:
    d, m, y = (int(p) for p in re.split(r"[/.-]", text))
    return _date(raw, y, m, d)


def _last_day(kind: str, first: date) -> date:
    if kind == "day":
        return first
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def is_in_future(
    moment: datetime, now: datetime, tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE
) -> bool:
    """True when `moment` lies beyond now + tolerance: a clock fault at the source."""
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    return moment > now + tolerance


def check_not_future(
    moment: datetime, now: datetime, tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE
) -> datetime:
    """`moment`, or ParseError when it is in the future (a wrong clock at the source)."""
    if is_in_future(moment, now, tolerance):
        raise ParseError(f"time {moment.isoformat()} is in the future (source clock fault?)")
    return moment

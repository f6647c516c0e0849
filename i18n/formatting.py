"""Locale-aware numbers, percentages, relative times and local dates, all through Babel."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, dates, numbers

from i18n import DEFAULT_LANGUAGE, catalog_keys, plural_form, t

LOCALES = {"vi": "vi_VN", "en": "en_US"}
LOCAL_TIMEZONE = "Asia/Ho_Chi_Minh"
MINUS = "\u2212"  # the real minus sign, for signed changes
PERCENT_UNITS = ("%",)  # units glued to the number; every other unit follows a space

_DATETIME_PATTERNS = {
    "short": {"vi": "dd/MM/yyyy HH:mm", "en": "dd MMM yyyy, HH:mm"},
    "medium": {"vi": "dd/MM/yyyy HH:mm:ss", "en": "dd MMM yyyy, HH:mm:ss"},
    "time": {"vi": "HH:mm", "en": "HH:mm"},
}
_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "dd MMM yyyy"}
_JUST_NOW = {"vi": "vừa xong", "en": "just now"}


def locale_for(lang: str) -> str:
    """Babel locale of a UI language ("vi" → "vi_VN"); unknown languages get Vietnamese."""
    return LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE])


@functools.cache
def _locale(lang: str) -> Locale:
    """Parsed once: Babel re-parses a locale given as a string on every call."""
    return Locale.parse(locale_for(lang))


def _lang(lang: str) -> str:
    return lang if lang in LOCALES else DEFAULT_LANGUAGE


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _rounded(value: float | int | Decimal, decimals: int) -> Decimal:
    """Round half up (Babel alone rounds half to even: 0,125 → 0,12)."""
    exponent = Decimal(1).scaleb(-max(decimals, 0))
    return Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)


def format_number(value: float | int, lang: str, decimals: int = 0) -> str:
    """Grouped number with exactly `decimals` decimals: vi 1.195.741 and 99,71; en 1,195,741."""
    return numbers.format_decimal(
        _rounded(value, decimals), format=_pattern(decimals), locale=_locale(lang)
    )


def format_percent(value_in_percent: float, lang: str, decimals: int = 2) -> str:
    """Percentage from a value already in percent units, sign glued: 99.71 → vi "99,71%"."""
    fraction = _rounded(value_in_percent, decimals) / 100  # exact: Decimal arithmetic
    return numbers.format_percent(fraction, format=_pattern(decimals) + "%", locale=_locale(lang))


def format_value(value: float | int, unit: str | None, lang: str, decimals: int = 0) -> str:
    """Number with its unit: "%" glued ("99,71%"), other units after a space ("1.234 lượt"),
    in the number's plural form ("1 dossier", "2 dossiers")."""
    if unit in PERCENT_UNITS:
        return format_percent(value, lang, decimals)
    text = format_number(value, lang, decimals)
    return f"{text} {unit_text(unit, value, lang, decimals)}" if unit else text


def unit_text(unit: str, value: float | int | None, lang: str, decimals: int = 0) -> str:
    """A counted unit as it reads after the shown number: English "1 dossier" but "1.0 days"
    and "2 days" (CLDR); the catalog key `unit.one.<unit>` holds the singular."""
    if value is None or decimals > 0 or not unit:
        return unit
    shown = int(_rounded(value, 0))
    singular = f"unit.one.{unit}"
    if plural_form(shown, lang) == "one" and singular in catalog_keys(lang):
        return t(singular, lang)
    return unit


def format_change(delta_percent: float, lang: str, decimals: int = 1) -> str:
    """Signed change in percent with a real minus sign: "+3,2%", "−1,5%"; no sign for zero."""
    rounded = _rounded(delta_percent, decimals)
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else ""
    return sign + format_percent(float(abs(rounded)), lang, decimals)


def format_relative(delta: timedelta, lang: str) -> str:
    """How long ago, from an age (now − then): vi "3 phút trước", "vừa xong" under a minute."""
    seconds = delta.total_seconds()
    if abs(seconds) < 60:
        return _JUST_NOW[_lang(lang)]
    return dates.format_timedelta(
        -_floored(delta),
        granularity="minute",
        threshold=1,
        add_direction=True,
        locale=_locale(lang),
    )


def _floored(delta: timedelta) -> timedelta:
    """Cut to whole minutes, hours or days so Babel never rounds 59 min 40 s up to "60 phút"."""
    step = next(
        unit
        for unit in (timedelta(days=1), timedelta(hours=1), timedelta(minutes=1))
        if abs(delta) >= unit
    )
    whole = abs(delta) // step * step
    return whole if delta >= timedelta(0) else -whole


def _as_utc(dt: datetime) -> datetime:
    """Naive datetimes are taken as UTC, the storage convention."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def format_datetime_local(dt_utc: datetime, lang: str, fmt: str = "short") -> str:
    """Vietnam local time: vi "23/11/2026 11:05"; fmt: short, medium, time or a Babel pattern."""
    pattern = _DATETIME_PATTERNS.get(fmt, {}).get(_lang(lang), fmt)
    return dates.format_datetime(
        _as_utc(dt_utc),
        pattern,
        tzinfo=dates.get_timezone(LOCAL_TIMEZONE),
        locale=_locale(lang),
    )


def format_date_local(d: date | datetime, lang: str) -> str:
    """Calendar date: vi "23/11/2026", en "23 Nov 2026"; datetimes are converted to Vietnam time."""
    if isinstance(d, datetime):
        return format_datetime_local(d, lang, _DATE_PATTERNS[_lang(lang)])
    return dates.format_date(d, _DATE_PATTERNS[_lang(lang)], locale=_locale(lang))

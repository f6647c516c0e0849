"""How a comparison and a metric's period read on screen: "+0,4 điểm %", "năm học 2025–2026"."""

from __future__ import annotations

from datetime import date, datetime

from i18n import t
from i18n.formatting import MINUS, format_change, format_number
from store.catalog import Metric
from store.comparison import Basis, Comparison, Kind, quarter
from store.scope import LOCAL_TZ

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(start: date, cadence: str, lang: str) -> str:
    """The label of the `cadence` period starting on `start` (a local date)."""
    if cadence == "school_year":
        return t("period.school_year", lang, first=start.year, last=start.year + 1)
    if cadence == "year":
        return t("period.year", lang, year=start.year)
    if cadence == "quarter":
        number = quarter(start)
        return t("period.quarter", lang, roman=ROMAN[number], number=number, year=start.year)
    if cadence == "month":
        return t("period.month", lang, month=start.month, year=start.year)
    if cadence == "week":
        iso = start.isocalendar()
        return t("period.week", lang, week=iso.week, year=iso.year)
    return t("period.day", lang, day=start.strftime("%d/%m/%Y"))


def format_points(delta: float, lang: str, decimals: int = 1) -> str:
    """A signed change in percentage points with a real minus: "+0,4 điểm %", "−1.2 pp"."""
    rounded = round(delta, decimals)
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else ""
    return t("change.points", lang, value=sign + format_number(abs(rounded), lang, decimals))


def change_number(comparison: Comparison, lang: str) -> str:
    """The change as a number with its kind ("+3,2%", "+0,4 điểm %"); "" if none is shown."""
    if comparison.value is None or not comparison.shown:
        return ""
    if comparison.kind is Kind.PP:
        return format_points(comparison.value, lang)
    return format_change(comparison.value, lang)


def basis_text(comparison: Comparison, metric: Metric, lang: str) -> str:
    """What the change is against: "so với kỳ trước", "so với năm học 2024–2025", ..."""
    if comparison.basis is Basis.PERIOD and comparison.period is not None:
        return t(
            "change.vs_period", lang, period=period_label(comparison.period, metric.cadence, lang)
        )
    return t(f"change.vs_{comparison.basis.value}", lang)


def missing_text(comparison: Comparison, lang: str) -> str:
    """What a tile says instead of a number: not enough data, or a zero base; "" if nothing."""
    if comparison.kind is Kind.INSUFFICIENT:
        return t("change.insufficient", lang)
    if comparison.reason == "zero_base":
        return t("change.zero_base", lang)
    return ""


def why_text(comparison: Comparison, lang: str) -> str:
    """The tooltip saying why a comparison is not shown."""
    if comparison.reason in ("", "no_value"):
        return ""
    return t(f"change.why_{comparison.reason}", lang)


def until_label(now: datetime, lang: str) -> str:
    """The mark of an unfinished period: "đến 14:05" in local time."""
    return t("change.until", lang, time=now.astimezone(LOCAL_TZ).strftime("%H:%M"))

"""One comparison rule: when a value may be compared with another, and how its change reads.

Pure functions over what a window (or a period) holds of a metric; no SQL, no Dash. The
queries fill the readings, tiles, charts and tables ask this module what to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from i18n.names import metric_unit
from store.catalog import Aggregation, Metric
from store.scope import LOCAL_TZ

PERCENT_UNIT = "%"
STEADY = 0.05  # a change smaller than this (in % or points) reads as "no change"
# Counts and peaks grow through a period: a part of today is smaller than a whole yesterday.
ACCRUING = (Aggregation.SUM, Aggregation.MAX)
DAILY = "day"


class Kind(StrEnum):
    PCT = "pct"  # change of a count or an amount, in percent
    PP = "pp"  # change of a rate or a share, in percentage points
    INSUFFICIENT = "insufficient"  # the comparison period does not cover the current one
    NONE = "none"  # nothing to compare (no current value, or a zero base for a percent)


class Basis(StrEnum):
    PREVIOUS = "previous"  # the window of the same length just before
    SETTLED = "settled"  # the same, both without their last day (today is not over)
    PERIOD = "period"  # the metric's previous period (last year, last school year, ...)
    LAST_YEAR = "last_year"  # the same days a year earlier


@dataclass(frozen=True, slots=True)
class Reading:
    """What one window (or one period) holds of a metric.

    `periods`: periods of the metric's cadence with data (for a ratio the fewer of its two
    components'). `settled`: the value without the window's last day, and `settled_periods`
    its periods: what is compared while that day is still running.
    """

    value: float | None
    periods: int = 0
    settled: float | None = None
    settled_periods: int = 0


@dataclass(frozen=True, slots=True)
class Comparison:
    kind: Kind
    value: float | None = None  # the change, in percent or points by `kind`
    basis: Basis = Basis.PREVIOUS
    reason: str = ""  # why not: "coverage" | "unfinished" | "zero_base" | "no_value"
    period: date | None = None  # the compared period's start, when `basis` is PERIOD

    @property
    def shown(self) -> bool:
        """Whether a number is shown."""
        return self.kind in (Kind.PCT, Kind.PP)


def change_kind(metric: Metric) -> Kind:
    """Rates and shares (any metric in %) change in percentage points, the rest in percent."""
    return Kind.PP if metric_unit(metric, "vi") == PERCENT_UNIT else Kind.PCT


def covers(previous_periods: int, current_periods: int) -> bool:
    """The one coverage rule: the comparison period has data for as many periods of the
    metric's cadence as the current one."""
    return current_periods > 0 and previous_periods >= current_periods


def change(metric: Metric, current: float, previous: float) -> tuple[Kind, float | None]:
    """The change from `previous` to `current`: points for rates, percent for the rest
    (undefined over a zero base)."""
    kind = change_kind(metric)
    if kind is Kind.PP:
        return kind, current - previous
    if previous == 0:
        return Kind.NONE, None
    return kind, (current - previous) / abs(previous) * 100


def compare(
    metric: Metric,
    current: Reading,
    previous: Reading,
    now_in: str = "",
    basis: Basis = Basis.PREVIOUS,
) -> Comparison:
    """Compare two readings under the coverage rule.

    `now_in` says where the clock stands in the current window: "" (the window is over),
    "last" (in its last day) or "inside" (an earlier day: the window reaches into the future).
    An accruing metric is then compared without the running day, on both sides.
    """
    if current.value is None:
        return Comparison(Kind.NONE, basis=basis, reason="no_value")
    now_value, before_value = current.value, previous.value
    now_periods, before_periods = current.periods, previous.periods
    if now_in and metric.aggregation in ACCRUING:
        if now_in == "inside" or current.settled is None or current.settled_periods == 0:
            return Comparison(Kind.INSUFFICIENT, basis=basis, reason="unfinished")
        now_value, now_periods = current.settled, current.settled_periods
        before_value, before_periods = previous.settled, previous.settled_periods
        basis = Basis.SETTLED if basis is Basis.PREVIOUS else basis
    if before_value is None or not covers(before_periods, now_periods):
        return Comparison(Kind.INSUFFICIENT, basis=basis, reason="coverage")
    kind, value = change(metric, now_value, before_value)
    return Comparison(kind, value, basis, "" if value is not None else "zero_base")


def compare_periods(
    metric: Metric, latest: float | None, before: float | None, before_start: date | None
) -> Comparison:
    """A slow metric's latest period against the period just before it (present or not)."""
    if latest is None:
        return Comparison(Kind.NONE, basis=Basis.PERIOD, reason="no_value")
    if before is None or before_start is None:
        return Comparison(Kind.INSUFFICIENT, basis=Basis.PERIOD, reason="coverage")
    kind, value = change(metric, latest, before)
    reason = "" if value is not None else "zero_base"
    return Comparison(kind, value, Basis.PERIOD, reason, before_start)


def clock_in_window(start: datetime, end: datetime, now: datetime) -> str:
    """Where `now` stands in the window [start, end) of whole local days: "" (outside),
    "last" (in its last day, which is then unfinished) or "inside" (an earlier day)."""
    if not start <= now < end:
        return ""
    return "last" if now >= end - timedelta(days=1) else "inside"


# -- periods of a cadence (local dates) ------------------------------------------------------
SCHOOL_YEAR_START_MONTH = 9  # a Vietnamese school year runs September to August


def period_start(day: date, cadence: str) -> date:
    """The first local day of the `cadence` period that holds `day`."""
    if cadence == "week":
        return day - timedelta(days=day.weekday())
    if cadence == "month":
        return day.replace(day=1)
    if cadence == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if cadence == "year":
        return date(day.year, 1, 1)
    if cadence == "school_year":
        year = day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1
        return date(year, SCHOOL_YEAR_START_MONTH, 1)
    return day


def period_before(start: date, cadence: str) -> date:
    """The start of the period just before the one starting on `start`."""
    return period_start(start - timedelta(days=1), cadence)


def periods_behind(start: date, cadence: str, today: date) -> int:
    """How many periods lie between the period starting on `start` and today's (0: same)."""
    current, steps = period_start(today, cadence), 0
    while current > start and steps < 100:
        current, steps = period_before(current, cadence), steps + 1
    return steps


def quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def open_bucket(bucket: date, grain: str, now: datetime) -> bool:
    """Whether the trend bucket (a day, ISO week or month starting on `bucket`) holds the
    local day of `now`, so that it is not over yet."""
    return period_start(now.astimezone(LOCAL_TZ).date(), grain) == bucket


def is_slow(metric: Metric) -> bool:
    """Stored at a cadence slower than a day: shown by its latest period, whatever the window."""
    return metric.period_kind != DAILY


@dataclass(frozen=True, slots=True)
class SeasonBar:
    value: float | None  # None: not shown (the month is not covered like the other year's)
    running: bool = False  # the month holding today: a value so far, not a whole month


def season_bars(
    months: dict[int, dict[int, tuple[float | None, int]]], now: datetime
) -> dict[int, dict[int, SeasonBar]]:
    """Which monthly bars of two years may stand side by side (`months`: year → month →
    (value, days with data)). A month is shown where it covers the same month of the other
    year (the coverage rule) or, if that one has no data, where it has data on every day;
    the running month is shown, marked as running."""
    today = now.astimezone(LOCAL_TZ).date()
    years = sorted(months)
    found: dict[int, dict[int, SeasonBar]] = {year: {} for year in years}
    for year in years:
        other = next((y for y in years if y != year), None)
        for month, (value, days) in months[year].items():
            running = (year, month) == (today.year, today.month)
            other_days = months.get(other, {}).get(month, (None, 0))[1] if other else 0
            whole = days >= _month_length(year, month)
            shown = running or (covers(days, other_days) if other_days else whole)
            found[year][month] = SeasonBar(value if shown else None, running)
    return found


def _month_length(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days

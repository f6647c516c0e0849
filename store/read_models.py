"""What the reads hand back: aggregates, KPI values, trends, places, runs and feed health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from store.catalog import Metric
from store.comparison import (
    Comparison,
    Kind,
    Reading,
    clock_in_window,
    compare,
    compare_periods,
    is_slow,
)
from store.scope import Window


@dataclass(frozen=True, slots=True)
class Aggregate:
    """What one SQL pass knows of a stored metric over a window."""

    total: float
    count: int
    peak: float
    last_period: datetime
    feed_id: str
    last_value: float | None = None
    tail_total: float | None = None  # the sum, count and peak of the window's last day
    tail_count: int = 0
    settled_peak: float | None = None  # the peak without the window's last day


@dataclass(frozen=True, slots=True)
class KpiValue:
    """A metric's value in a window and in the window before it, with what each covers.

    A slow metric (stored per year, school year, ...) carries its latest period instead:
    `period` is that period's local start, `previous` the value of the period before it.
    """

    key: str
    value: float | None
    previous: float | None
    feed_id: str | None
    current: Reading | None = None  # None: coverage unknown, nothing is compared
    before: Reading | None = None
    window: Window | None = None
    period: date | None = None
    previous_period: date | None = None

    def comparison(self, metric: Metric, now: datetime) -> Comparison:
        """What the tile may say of the change, under the one coverage rule."""
        if self.period is not None or is_slow(metric):
            return compare_periods(metric, self.value, self.previous, self.previous_period)
        if self.current is None or self.before is None or self.window is None:
            if self.value is None:
                return Comparison(Kind.NONE, reason="no_value")
            return Comparison(Kind.INSUFFICIENT, reason="coverage")
        where = clock_in_window(self.window.start, self.window.end, now)
        return compare(metric, self.current, self.before, where)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: date  # local (Asia/Ho_Chi_Minh) start of the bucket
    value: float | None
    days: int = 0  # days with data in the bucket (a ratio: the fewer of its components')


@dataclass(frozen=True, slots=True)
class Trend:
    current: list[TrendPoint]
    # The same buckets one year earlier, aligned by position; None where last year has data
    # on fewer days of the bucket than this year (the coverage rule), so no line is drawn.
    last_year: list[TrendPoint]


@dataclass(frozen=True, slots=True)
class Place:
    """An asset or an event as the pages show it."""

    kind: str
    source_id: str
    name: str
    area: str | None
    lat: float | None
    lon: float | None
    status: str
    severity: str
    time: datetime
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int
    feed_id: str
    started_at: datetime
    status: str
    accepted: int
    rejected: int
    error_kind: str | None
    error_text: str | None
    duration_ms: float | None
    changed: int = 0  # rows the run inserted or updated (accepted ones may be unchanged)

    @property
    def rejected_share(self) -> float:
        """Rejected records as a share (0–1) of everything the run read."""
        read = self.accepted + self.rejected
        return self.rejected / read if read else 0.0


@dataclass(frozen=True, slots=True)
class FeedHealth:
    id: str
    type: str
    enabled: bool
    demo: bool
    interval_s: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_status: str | None
    last_error_kind: str | None
    last_error: str | None
    consecutive_failures: int
    load_done: int | None = None  # while the first load runs: days committed of load_total
    load_total: int | None = None
    priority: int = 0
    checkpoint: str | None = None

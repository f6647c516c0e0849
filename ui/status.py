"""Pure rules: a metric value's status, and a feed's freshness, from thresholds and clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from store.catalog import Direction, Metric

STALE_AFTER_INTERVALS = 3  # a feed that missed three runs in a row is stale
MIN_STALE_AGE = timedelta(minutes=5)


class Freshness(StrEnum):
    FRESH = "fresh"
    STALE = "stale"  # no success for several intervals: the numbers are old
    FAILING = "failing"  # the last run failed, the data on screen are from before
    NEVER = "never"  # nothing has ever been ingested


@dataclass(frozen=True, slots=True)
class FeedState:
    freshness: Freshness
    age: timedelta | None
    demo: bool = False
    error: str | None = None
    first_load: tuple[int, int] | None = None  # days committed, days planned, while loading


def feed_state(
    last_success: datetime | None,
    last_status: str | None,
    interval_s: int,
    now: datetime,
    demo: bool = False,
    error: str | None = None,
    first_load: tuple[int, int] | None = None,
) -> FeedState:
    if last_success is None:
        return FeedState(Freshness.NEVER, None, demo, error, first_load)
    age = max(timedelta(0), now - last_success)
    if age > max(MIN_STALE_AGE, timedelta(seconds=interval_s * STALE_AFTER_INTERVALS)):
        return FeedState(Freshness.STALE, age, demo, error)
    if last_status == "failed":
        return FeedState(Freshness.FAILING, age, demo, error)
    return FeedState(Freshness.FRESH, age, demo, error)


def value_status(metric: Metric, value: float | None, level: str | None = None) -> str:
    """good | warn | critical by the metric's thresholds for an area at `level` and its good
    direction; nodata if None."""
    if value is None:
        return "nodata"
    warn, critical = metric.limits(level)
    if metric.direction is Direction.UP:
        if critical is not None and value < critical:
            return "critical"
        if warn is not None and value < warn:
            return "warn"
    elif metric.direction is Direction.DOWN:
        if critical is not None and value >= critical:
            return "critical"
        if warn is not None and value >= warn:
            return "warn"
    return "good"


def tile_status(
    metric: Metric, value: float | None, state: FeedState | None, level: str | None = None
) -> str:
    """The tile's data-status: nodata and stale win over the threshold status."""
    if value is None:
        return "nodata"
    if state is not None and state.freshness is Freshness.STALE:
        return "stale"
    return value_status(metric, value, level)


def target_for(metric: Metric, level: str) -> float | None:
    return metric.targets.get(level)

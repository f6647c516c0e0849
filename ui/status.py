"""Pure rules: a metric value's status (THE one colour rule), its progress against a target,
and a feed's freshness, from thresholds, targets and clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from i18n.collation import natural_key
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


# The one status vocabulary every tile, table cell, ranking bar and map class is painted in.
STATUSES = ("good", "warn", "critical", "nodata")
TILE_STATUSES = (*STATUSES, "stale")  # a tile also says when its numbers are old


def value_status(metric: Metric, value: float | None, level: str | None = None) -> str:
    """THE status rule: good | warn | critical by the metric's thresholds for an area at `level`
    in its good direction (up: below a limit is bad; down: at or above a limit is bad); nodata
    if None. Targets never change a status: see `target_attainment`."""
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


def judged(metric: Metric, level: str | None = None) -> bool:
    """Whether the metric has thresholds at `level`, so that its status says something; a
    value without thresholds is "good" only in that nothing is wrong with it."""
    return metric.direction is not Direction.NEUTRAL and any(
        limit is not None for limit in metric.limits(level)
    )


# Record statuses a feed sends (a camera's, an alert's) in the same four colours.
RECORD_TONES = {
    "online": "good",
    "ok": "good",
    "up": "good",
    "resolved": "good",
    "done": "good",
    "warning": "warn",
    "late": "warn",
    "resolved_late": "warn",
    "partial": "warn",
    "maintenance": "warn",
    "calibrating": "warn",
    "no_valid_data": "warn",
    "overdue": "critical",
    "critical": "critical",
    "offline": "critical",
    "down": "critical",
    "failed": "critical",
    "device_error": "critical",
    "abnormal_status": "critical",
    "clock_fault": "critical",
}


def record_tone(code: object) -> str | None:
    """The status colour of a record status code, or None for codes that judge nothing."""
    return RECORD_TONES.get(str(code)) if code is not None else None


def ranked(values: dict[str, float], names: dict[str, str], metric: Metric) -> list[str]:
    """Area codes best first by the metric's good direction (largest first when neutral); equal
    values in natural order of their names."""
    sign = 1 if metric.direction is Direction.DOWN else -1
    return sorted(values, key=lambda code: (sign * values[code], natural_key(names[code])))


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


@dataclass(frozen=True, slots=True)
class TargetAttainment:
    """A value against the target of its area's level, in the metric's good direction."""

    target: float
    met: bool
    gap: float  # how far the value still is from the target (0 when met), in the metric's unit


def target_attainment(
    metric: Metric, value: float | None, level: str | None
) -> TargetAttainment | None:
    """Progress against a target: met when at or beyond it in the good direction (up: value ≥
    target; down: value ≤ target). None without a target for the level, a value, or a good
    direction (a neutral metric has nothing to attain)."""
    target = metric.targets.get(level) if level is not None else None
    if target is None or value is None or metric.direction is Direction.NEUTRAL:
        return None
    shortfall = target - value if metric.direction is Direction.UP else value - target
    return TargetAttainment(target=target, met=shortfall <= 0, gap=max(shortfall, 0.0))

"""Each feed's state at a glance for operators: on time, late, failing, running, first load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from store.read_models import FeedHealth, RunSummary
from ui.status import Freshness, feed_state


class FeedStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # no success for several intervals: the numbers on screen are old
    FAILING = "failing"  # its last run failed
    DISABLED = "disabled"
    RUNNING = "running"
    FIRST_LOAD = "first_load"  # running and nothing ingested yet, or a first load unfinished
    NEVER = "never"  # configured, not run yet


TONE = {
    FeedStatus.ON_TIME: "good",
    FeedStatus.LATE: "warn",
    FeedStatus.FAILING: "critical",
    FeedStatus.DISABLED: "nodata",
    FeedStatus.RUNNING: "good",
    FeedStatus.FIRST_LOAD: "warn",
    FeedStatus.NEVER: "nodata",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedSummary:
    feed_id: str
    feed_type: str
    status: FeedStatus
    interval: timedelta
    last_success: datetime | None
    next_run: datetime | None  # last run + interval: the scheduler's own time is not stored
    lag: timedelta | None  # the age of the newest successful data
    consecutive_failures: int
    rows_changed: int | None  # by the last finished run
    rows_accepted: int | None
    rows_rejected: int | None
    error: str | None

    @property
    def tone(self) -> str:
        return TONE[self.status]


def summarize(
    health: FeedHealth,
    current: RunSummary | None,
    finished: RunSummary | None,
    now: datetime,
    timeout_s: int,
) -> FeedSummary:
    """One feed's summary from its stored health, its newest run and its newest finished run.

    A run still marked "running" counts only while it could still be alive (its timeout and
    one interval): a process killed mid-run leaves such a row behind for ever."""
    interval = timedelta(seconds=health.interval_s)
    running = (
        current is not None
        and current.status == "running"
        and now - current.started_at < timedelta(seconds=timeout_s) + interval
    )
    lag = max(timedelta(0), now - health.last_success_at) if health.last_success_at else None
    return FeedSummary(
        feed_id=health.id,
        feed_type=health.type,
        status=_status(health, running, now),
        interval=interval,
        last_success=health.last_success_at,
        next_run=health.last_run_at + interval if health.last_run_at and health.enabled else None,
        lag=lag,
        consecutive_failures=health.consecutive_failures,
        rows_changed=finished.changed if finished else None,
        rows_accepted=finished.accepted if finished else None,
        rows_rejected=finished.rejected if finished else None,
        error=health.last_error if health.last_status == "failed" else None,
    )


def _status(health: FeedHealth, running: bool, now: datetime) -> FeedStatus:
    if not health.enabled:
        return FeedStatus.DISABLED
    if running:
        return FeedStatus.FIRST_LOAD if health.last_success_at is None else FeedStatus.RUNNING
    if health.last_status == "failed":  # said before "late": the operator has a cause to fix
        return FeedStatus.FAILING
    if health.load_total is not None:  # a first load left unfinished: the next run resumes it
        return FeedStatus.FIRST_LOAD
    freshness = feed_state(
        health.last_success_at, health.last_status, health.interval_s, now
    ).freshness
    return {
        Freshness.NEVER: FeedStatus.NEVER,
        Freshness.STALE: FeedStatus.LATE,
        Freshness.FRESH: FeedStatus.ON_TIME,
    }.get(freshness, FeedStatus.ON_TIME)

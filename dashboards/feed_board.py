"""The feed board's rows as plain values: state, lag, last run, 7-day timeline, quality score."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from dashboards.feed_summary import FeedStatus, FeedSummary, summarize
from store.feed_board import DELIVERED, BoardFeed, DayRuns
from store.review_models import FeedFault, FeedReviewState
from store.scope import LOCAL_TZ

QUALITY_GOOD, QUALITY_WARN = 0.95, 0.80  # a score at or above these is good / fair


class Definition(Protocol):
    """What the board reads of a stored feed definition (store.feed_defs.FeedDefinition)."""

    @property
    def origin(self) -> str: ...
    @property
    def overridden(self) -> bool: ...
    @property
    def paused(self) -> bool: ...
    @property
    def version(self) -> int: ...


class BoardState(StrEnum):
    """The five states the board shows (and tools read from `data-state`)."""

    ON_TIME = "on_time"
    LATE = "late"
    FAILING = "failing"
    DISABLED = "disabled"
    RUNNING = "running"


# A feed that never ran has no data for its cadence: it is shown (and sorted) as late.
BOARD_STATE = {
    FeedStatus.ON_TIME: BoardState.ON_TIME,
    FeedStatus.LATE: BoardState.LATE,
    FeedStatus.FAILING: BoardState.FAILING,
    FeedStatus.DISABLED: BoardState.DISABLED,
    FeedStatus.RUNNING: BoardState.RUNNING,
    FeedStatus.FIRST_LOAD: BoardState.RUNNING,
    FeedStatus.NEVER: BoardState.LATE,
}
STATE_RANK = {
    BoardState.FAILING: 0,
    BoardState.LATE: 1,
    BoardState.RUNNING: 2,
    BoardState.ON_TIME: 3,
    BoardState.DISABLED: 4,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Quality:
    """A source's data quality over the window, each part a share 0–1 (None: not known).

    accepted: records stored / records read; timeliness: runs that delivered / runs its
    interval expects since it first ran in the window; completeness: days (or intervals,
    when longer than a day) with at least one delivering run / those expected."""

    accepted: float | None
    timeliness: float | None
    completeness: float | None
    records_read: int
    runs_delivered: int
    runs_expected: int
    days_covered: int
    days_expected: int

    @property
    def score(self) -> float | None:
        parts = [p for p in (self.accepted, self.timeliness, self.completeness) if p is not None]
        return sum(parts) / len(parts) if parts else None

    @property
    def tone(self) -> str:
        score = self.score
        if score is None:
            return "nodata"
        if score >= QUALITY_GOOD:
            return "good"
        return "warn" if score >= QUALITY_WARN else "critical"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardRow:
    summary: FeedSummary
    state: BoardState
    domains: tuple[str, ...]
    timeout_s: int
    error: str | None  # the last error, secrets redacted
    lag_ratio: float | None  # lag / interval: 1 means one interval since the last success
    days: tuple[DayRuns, ...]
    quality: Quality
    last_duration_ms: float | None
    paused: bool = False  # paused in the console: shown (and sorted) as disabled
    version: int | None = None  # the definition's version (None: not a stored definition)
    origin: str | None = None  # file | edited | console | None (unknown to the definitions)
    open_rejected: int = 0  # its rejected records waiting in the review queue
    fault: FeedFault | None = None  # marked at fault in the review queue

    @property
    def feed_id(self) -> str:
        return self.summary.feed_id


def board_rows(
    feeds: Iterable[BoardFeed],
    now: datetime,
    *,
    timeouts: Mapping[str, int],
    domains: Mapping[str, Iterable[str]],
    redact: Mapping[str, object] | None = None,
    definitions: Mapping[str, Definition] | None = None,
    default_timeout_s: int = 60,
    review: Mapping[str, FeedReviewState] | None = None,
) -> list[BoardRow]:
    """The board's rows, failing then late, running, on time, disabled; within a state the
    longest overdue first, then by id. `redact` maps a feed to a callable that masks its
    secrets in a text."""
    rows = [
        board_row(
            feed,
            now,
            timeout_s=timeouts.get(feed.health.id, default_timeout_s),
            domains=tuple(sorted(domains.get(feed.health.id, ()))),
            redact=(redact or {}).get(feed.health.id),
            definition=(definitions or {}).get(feed.health.id),
        )
        for feed in feeds
    ]
    states = review or {}
    rows = [_with_review(row, states.get(row.feed_id)) for row in rows]
    return sorted(rows, key=_rank)


def _with_review(row: BoardRow, state: FeedReviewState | None) -> BoardRow:
    """The row with what the review queue knows of its source."""
    if state is None:
        return row
    return replace(row, open_rejected=state.open_rejected, fault=state.fault)


def board_row(
    feed: BoardFeed,
    now: datetime,
    *,
    timeout_s: int,
    domains: tuple[str, ...] = (),
    redact: object = None,
    definition: Definition | None = None,
) -> BoardRow:
    summary = summarize(feed.health, feed.current, feed.last, now, timeout_s)
    paused = definition is not None and definition.paused
    if paused:  # not scheduled until resumed
        summary = replace(summary, next_run=None)
    error = feed.health.last_error if feed.health.last_status in ("failed", "partial") else None
    if error is not None and callable(redact):
        error = str(redact(error))
    interval = summary.interval
    ratio = summary.lag / interval if summary.lag is not None and interval else None
    return BoardRow(
        summary=summary,
        state=BoardState.DISABLED if paused else BOARD_STATE[summary.status],
        domains=domains,
        timeout_s=timeout_s,
        error=error,
        lag_ratio=ratio,
        days=feed.days,
        quality=quality(feed, now),
        last_duration_ms=feed.last.duration_ms if feed.last else None,
        paused=paused,
        version=definition.version if definition is not None else None,
        origin=_origin(definition),
    )


def _origin(definition: Definition | None) -> str | None:
    if definition is None:
        return None
    if definition.origin == "file":
        return "edited" if definition.overridden else "file"
    return "console"


def quality(feed: BoardFeed, now: datetime) -> Quality:
    """The source's quality over the board's window (see Quality)."""
    accepted = sum(d.accepted for d in feed.days)
    read = accepted + sum(d.rejected for d in feed.days)
    delivered = sum(d.count(s) for d in feed.days for s in DELIVERED)
    interval = timedelta(seconds=max(1, feed.health.interval_s))
    window_start = _day_start(feed.days[0].day) if feed.days else now
    first = feed.first_run_at
    finished = sum(d.count(s) for d in feed.days for s in ("ok", "partial", "failed"))
    if first is None or not feed.days or finished == 0:  # nothing to judge yet (first run going)
        return Quality(
            accepted=accepted / read if read else None,
            timeliness=None,
            completeness=None,
            records_read=read,
            runs_delivered=delivered,
            runs_expected=0,
            days_covered=0,
            days_expected=0,
        )
    span = now - max(first, window_start)
    expected = max(1, math.floor(span / interval))  # a finished run: at least one was due
    watched = [d for d in feed.days if d.day >= first.astimezone(LOCAL_TZ).date()]
    days_expected = max(
        1, min(len(watched), math.ceil(len(watched) * timedelta(days=1) / interval))
    )
    covered = sum(1 for d in watched if any(d.count(s) for s in DELIVERED))
    return Quality(
        accepted=accepted / read if read else None,
        timeliness=min(1.0, delivered / expected),
        completeness=min(1.0, covered / days_expected),
        records_read=read,
        runs_delivered=delivered,
        runs_expected=expected,
        days_covered=covered,
        days_expected=days_expected,
    )


def day_tone(day: DayRuns) -> str:
    """A timeline cell's status: no runs, all delivered, some failed or partial, all failed."""
    finished = day.count("ok") + day.count("partial") + day.count("failed")
    if finished == 0:
        return "running" if day.count("running") else "none"
    if day.count("failed") == finished:
        return "failed"
    if day.count("failed") or day.count("partial"):
        return "mixed"
    return "ok"


def _rank(row: BoardRow) -> tuple[int, float, str]:
    overdue = row.lag_ratio if row.lag_ratio is not None else math.inf
    if row.state is BoardState.FAILING:
        overdue = float(row.summary.consecutive_failures) + 1e6
    return (STATE_RANK[row.state], -overdue, row.feed_id)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL_TZ)

"""Which local days a simulator run generates: a backfill first (resumed where an interrupted one
stopped), then catch-up from the last run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from feeds.base import FeedMisconfigured
from feeds.simulator.geography import Geography
from store.scope import LOCAL_TZ


@dataclass(frozen=True, slots=True)
class SimulationPlan:
    """The days to generate (newest first), the instant they are generated for, and where."""

    days: tuple[date, ...]
    now: datetime
    geography: Geography
    kept: int = 0  # days of an interrupted first load already stored and not planned again
    span: tuple[date, date] | None = None  # (newest, oldest) day that load stored

    def cursor_after(self, day: date | None) -> str | None:
        """The first load's cursor once the days down to `day` (None: no day yet) are stored:
        the span of stored days that runs unbroken from the newest one down."""
        if self.span is None:
            return None if day is None else span_cursor(self.days[0], day)
        newest, oldest = self.span
        if day is None or day > newest:  # the catch-up has not reached the stored span yet
            return span_cursor(newest, oldest)
        return span_cursor(self.days[0], min(day, oldest))

    @property
    def today(self) -> date:
        return local_date(self.now)


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise FeedMisconfigured(f"the clock gave a naive datetime {moment.isoformat()}")
    return moment.astimezone(LOCAL_TZ).date()


def plan_days(now: datetime, last_success: datetime | None, backfill_days: int) -> tuple[date, ...]:
    """Newest first. A first run backfills `backfill_days` before today; later runs restart
    the day before the last success (so yesterday is final and any downtime is filled),
    never reaching further back than the backfill (and always at least yesterday)."""
    today = local_date(now)
    oldest_allowed = today - timedelta(days=max(backfill_days, 1))
    if last_success is None:
        first = today - timedelta(days=backfill_days)
    else:
        first = max(min(local_date(last_success), today) - timedelta(days=1), oldest_allowed)
    return tuple(today - timedelta(days=n) for n in range((today - first).days + 1))


def resumed_days(
    now: datetime, span: tuple[date, date], backfill_days: int
) -> tuple[tuple[date, ...], int]:
    """An interrupted first load's remaining days, newest first: from today down to the newest
    day it stored (that day again: it was unfinished), then from below the oldest one down to
    the backfill's start; with how many of the stored days are not planned again. The whole
    backfill when the stored span is no longer inside it."""
    today = local_date(now)
    start = today - timedelta(days=backfill_days)
    newest, oldest = span
    if not start <= newest <= today or oldest > newest:
        return plan_days(now, None, backfill_days), 0
    catch_up = [today - timedelta(days=n) for n in range((today - newest).days + 1)]
    older = [oldest - timedelta(days=n) for n in range(1, (oldest - start).days + 1)]
    return tuple(catch_up + older), (newest - max(oldest, start)).days


def span_cursor(newest: date, oldest: date) -> str:
    return f"{newest.isoformat()}/{oldest.isoformat()}"


def stored_span(cursor: str | None) -> tuple[date, date] | None:
    """The (newest, oldest) days of a first load's cursor; None for no or another cursor."""
    newest, _, oldest = (cursor or "").partition("/")
    try:
        return date.fromisoformat(newest), date.fromisoformat(oldest)
    except ValueError:
        return None

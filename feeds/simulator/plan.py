"""Which local days a simulator run generates: a backfill first, then catch-up from the last run."""

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

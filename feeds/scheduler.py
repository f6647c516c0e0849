"""APScheduler 3.x wiring: one job per enabled feed, coalesced, never overlapping, jittered."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.runner import FeedRunner
from settings import FeedConfig
from store.writer import RETENTION

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
# A feed's job may start while its previous run goes on (a first load of two years outlasts
# many intervals): APScheduler would warn "maximum number of running instances reached" at
# every such turn. The runner's own guard skips that turn with an INFO line instead, so runs
# of one feed still never overlap.
FEED_MAX_INSTANCES = 2
MAINTENANCE_JOB = "_prune_feed_runs"


def jitter_for(interval_s: int) -> int:
    """Spread runs of feeds with the same interval: a tenth of the interval, at most 30 s."""
    return max(1, min(30, interval_s // 10))


def build_scheduler(
    runner: FeedRunner, feeds: Iterable[FeedConfig], *, blocking: bool = False
) -> BaseScheduler:
    """A scheduler (not started) with one job per enabled feed, each due at once."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone="Asia/Ho_Chi_Minh", job_defaults=JOB_DEFAULTS)
    now = datetime.now(UTC)
    for feed in feeds:
        if not feed.enabled:
            continue
        trigger = IntervalTrigger(seconds=feed.interval, jitter=jitter_for(feed.interval))
        scheduler.add_job(
            runner.run_safely,
            trigger,
            args=[feed.id],
            id=feed.id,
            name=f"feed {feed.id}",
            next_run_time=now,
            max_instances=FEED_MAX_INSTANCES,
        )
        log.info("scheduled feed %s every %d s", feed.id, feed.interval)
    scheduler.add_job(
        _prune, IntervalTrigger(hours=6), args=[runner], id=MAINTENANCE_JOB, next_run_time=now
    )
    return scheduler


def stop_scheduler(scheduler: BaseScheduler, runner: FeedRunner) -> None:
    """Stop within seconds, even during a first load: running feeds end after the block
    they are writing (it is committed), then the scheduler waits for them."""
    runner.stop()
    if scheduler.running:
        scheduler.shutdown(wait=True)


def _prune(runner: FeedRunner) -> None:
    removed = runner.store.writer.prune_runs(datetime.now(UTC) - RETENTION)
    if removed:
        log.info("pruned %d feed runs older than %s", removed, RETENTION)

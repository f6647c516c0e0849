"""APScheduler 3.x wiring: one job per enabled feed, coalesced, never overlapping, jittered."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.base import ListeningFeed
from feeds.registry import feed_types
from feeds.runner import FeedRunner
from settings import FeedConfig
from store.housekeeping import RETENTION

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
        if issubclass(feed_types()[feed.type], ListeningFeed):
            _add_listener(scheduler, runner, feed, now)
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


def _add_listener(
    scheduler: BaseScheduler, runner: FeedRunner, feed: FeedConfig, now: datetime
) -> None:
    """A long-running subscription: woken often, run when it has data or news of its
    connection, and at least every interval; its session ends with the scheduler."""
    cls = feed_types()[feed.type]
    assert issubclass(cls, ListeningFeed)
    wake = cls.wake_s(feed.options)
    scheduler.add_job(
        _Listener(runner, feed, cls),
        IntervalTrigger(seconds=wake),
        id=feed.id,
        name=f"feed {feed.id} (subscription)",
        next_run_time=now,
        max_instances=FEED_MAX_INSTANCES,  # a wake-up during a run returns at once, quietly
        misfire_grace_time=None,
    )
    scheduler.add_listener(lambda event: cls.stop(feed.id), EVENT_SCHEDULER_SHUTDOWN)
    log.info(
        "feed %s listens: woken every %g s, runs at least every %d s", feed.id, wake, feed.interval
    )


class _Listener:
    """The job of a listening feed: one run at a time, when due."""

    def __init__(self, runner: FeedRunner, feed: FeedConfig, cls: type[ListeningFeed]) -> None:
        self.runner, self.feed, self.cls = runner, feed, cls
        self.busy = threading.Lock()
        self.last_run = -math.inf

    def __call__(self) -> None:
        if not self.busy.acquire(blocking=False):
            return  # the previous run goes on; what arrived meanwhile waits for the next wake
        try:
            now = time.monotonic()
            if self.cls.pending(self.feed.id) or now - self.last_run >= self.feed.interval:
                self.last_run = now
                self.runner.run_safely(self.feed.id)
        finally:
            self.busy.release()


def _prune(runner: FeedRunner) -> None:
    removed = runner.store.writer.prune_runs(datetime.now(UTC) - RETENTION)
    if removed:
        log.info("pruned %d feed runs older than %s", removed, RETENTION)

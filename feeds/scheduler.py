"""APScheduler 3.x wiring: one job per enabled feed, coalesced, never overlapping, jittered;
kept in step with the feed definitions in the store (edits, pauses, deletions, run-now
requests from the console) by a cheap sync job, without a restart."""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.base import ListeningFeed
from feeds.registry import feed_types
from feeds.runner import FeedRunner
from settings import FeedConfig
from store.guard import is_database_fault
from store.housekeeping import RETENTION

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
# A feed's job may start while its previous run goes on (a first load of two years outlasts
# many intervals): APScheduler would warn "maximum number of running instances reached" at
# every such turn. The runner's own guard skips that turn with an INFO line instead, so runs
# of one feed still never overlap.
FEED_MAX_INSTANCES = 2
MAINTENANCE_JOB = "_prune_feed_runs"
SYNC_JOB = "_sync_feed_definitions"
# How often the scheduler compares the definitions' revision (one small query): an edit in
# the console reaches the schedule within this, plus the run it asks for.
SYNC_INTERVAL_S = 2.0
EXECUTOR_LOGGER = "apscheduler.executors"
RETIRE_MARGIN_S = 5.0  # beyond a listening feed's timeout, the wait for its run to end


def jitter_for(interval_s: int) -> int:
    """Spread runs of feeds with the same interval: a tenth of the interval, at most 30 s."""
    return max(1, min(30, interval_s // 10))


def build_scheduler(
    runner: FeedRunner,
    feeds: Iterable[FeedConfig] | None = None,
    *,
    blocking: bool = False,
    sync: bool | None = None,
) -> BaseScheduler:
    """A scheduler (not started) with one job per enabled feed, each due at once. `feeds`
    defaults to the runner's; `sync` (default: the runner reads the store's definitions)
    adds the job that keeps the schedule equal to the definitions."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    # APScheduler logs each job's start and end at INFO: with the definitions compared every
    # 2 s that is 86,400 lines a day of a process meant to run for weeks. The runner logs
    # what each run did; the executor keeps its warnings and errors.
    logging.getLogger(EXECUTOR_LOGGER).setLevel(logging.WARNING)
    scheduler = cls(timezone="Asia/Ho_Chi_Minh", job_defaults=JOB_DEFAULTS)
    now = datetime.now(UTC)
    jobs = FeedJobs(scheduler, runner)
    jobs.apply(runner.feeds.values() if feeds is None else feeds, now)
    scheduler.add_job(
        _prune, IntervalTrigger(hours=6), args=[runner], id=MAINTENANCE_JOB, next_run_time=now
    )
    if runner.reads_store if sync is None else sync:
        scheduler.add_job(
            DefinitionSync(scheduler, runner, jobs),
            IntervalTrigger(seconds=SYNC_INTERVAL_S),
            id=SYNC_JOB,
            name="feed definitions",
            next_run_time=now,
            misfire_grace_time=None,
        )
    scheduler.add_listener(lambda event: jobs.stop_listeners(), EVENT_SCHEDULER_SHUTDOWN)
    return scheduler


def stop_scheduler(scheduler: BaseScheduler, runner: FeedRunner) -> None:
    """Stop within seconds, even during a first load: running feeds end after the block
    they are writing (it is committed), then the scheduler waits for them."""
    runner.stop()
    if scheduler.running:
        scheduler.shutdown(wait=True)


def _listening(feed: FeedConfig) -> type[ListeningFeed] | None:
    cls = feed_types()[feed.type]
    return cls if issubclass(cls, ListeningFeed) else None


class FeedJobs:
    """The scheduler's feed jobs, made equal to a list of feeds: new ones added (due at
    once), gone ones removed (a listening feed's subscription ended after its run), a
    changed interval rescheduled; other changes need nothing here, as each run reads its
    feed's current config."""

    def __init__(self, scheduler: BaseScheduler, runner: FeedRunner) -> None:
        self.scheduler = scheduler
        self.runner = runner
        self.active: dict[str, FeedConfig] = {}
        self.listeners: dict[str, _Listener] = {}
        self._lock = threading.Lock()

    def apply(self, feeds: Iterable[FeedConfig], now: datetime) -> None:
        wanted = {feed.id: feed for feed in feeds if feed.enabled}
        with self._lock:
            for feed_id in [f for f in self.active if f not in wanted]:
                self._remove(feed_id)
                log.info("feed %s unscheduled", feed_id)
            for feed in wanted.values():
                old = self.active.get(feed.id)
                if old is None:
                    self._add(feed, now)
                elif old != feed:
                    self._change(old, feed, now)

    def run_now(self, feed_id: str) -> None:
        """A run asked for in the console, in a job of its own (the sync job never waits for
        a run). A listening feed that is not scheduled (paused) does not keep the
        subscription this run opened."""
        self.runner.run_safely(feed_id)
        with self._lock:
            scheduled = feed_id in self.active
        config = self.runner.feeds.get(feed_id)
        cls = _listening(config) if config is not None else None
        if cls is not None and not scheduled:
            cls.stop(feed_id)

    def stop_listeners(self) -> None:
        """End every subscription (the scheduler shuts down)."""
        with self._lock:
            listeners = list(self.listeners.values())
        for listener in listeners:
            listener.cls.stop(listener.feed.id)

    def _add(self, feed: FeedConfig, now: datetime) -> None:
        cls = _listening(feed)
        if cls is not None:
            self._add_listener(feed, cls, now)
        else:
            trigger = IntervalTrigger(seconds=feed.interval, jitter=jitter_for(feed.interval))
            self.scheduler.add_job(
                self.runner.run_safely,
                trigger,
                args=[feed.id],
                id=feed.id,
                name=f"feed {feed.id}",
                next_run_time=now,
                max_instances=FEED_MAX_INSTANCES,
            )
            log.info("scheduled feed %s every %d s", feed.id, feed.interval)
        self.active[feed.id] = feed

    def _add_listener(self, feed: FeedConfig, cls: type[ListeningFeed], now: datetime) -> None:
        """A long-running subscription: woken often, run when it has data or news of its
        connection, and at least every interval; its session ends with the scheduler."""
        wake = cls.wake_s(feed.options)
        listener = _Listener(self.runner, feed, cls)
        self.scheduler.add_job(
            listener,
            IntervalTrigger(seconds=wake),
            id=feed.id,
            name=f"feed {feed.id} (subscription)",
            next_run_time=now,
            max_instances=FEED_MAX_INSTANCES,  # a wake-up during a run returns at once, quietly
            misfire_grace_time=None,
        )
        self.listeners[feed.id] = listener
        log.info(
            "feed %s listens: woken every %g s, runs at least every %d s",
            feed.id,
            wake,
            feed.interval,
        )

    def _remove(self, feed_id: str) -> None:
        with contextlib.suppress(JobLookupError):  # gone already (the scheduler shut down)
            self.scheduler.remove_job(feed_id)
        self.active.pop(feed_id, None)
        listener = self.listeners.pop(feed_id, None)
        if listener is not None:
            listener.retire()

    def _change(self, old: FeedConfig, new: FeedConfig, now: datetime) -> None:
        cls = _listening(new)
        if old.type != new.type:
            self._remove(old.id)
            self._add(new, now)
            log.info("feed %s rescheduled as a %s feed", new.id, new.type)
            return
        listener = self.listeners.get(new.id)
        if cls is not None and listener is not None:
            listener.feed = new  # the next wake-up runs with it; the session follows options
            wake = cls.wake_s(new.options)
            if wake != cls.wake_s(old.options):
                self.scheduler.reschedule_job(new.id, trigger=IntervalTrigger(seconds=wake))
                log.info("feed %s listens: now woken every %g s", new.id, wake)
        elif new.interval != old.interval:
            trigger = IntervalTrigger(seconds=new.interval, jitter=jitter_for(new.interval))
            self.scheduler.reschedule_job(new.id, trigger=trigger)
            log.info("feed %s rescheduled: every %d s", new.id, new.interval)
        self.active[new.id] = new


class _Listener:
    """The job of a listening feed: one run at a time, when due."""

    def __init__(self, runner: FeedRunner, feed: FeedConfig, cls: type[ListeningFeed]) -> None:
        self.runner, self.feed, self.cls = runner, feed, cls
        self.busy = threading.Lock()
        self.last_run = -math.inf
        self.retired = False

    def __call__(self) -> None:
        if not self.busy.acquire(blocking=False):
            return  # the previous run goes on; what arrived meanwhile waits for the next wake
        try:
            if self.retired:
                return
            now = time.monotonic()
            feed = self.feed
            if self.cls.pending(feed.id) or now - self.last_run >= feed.interval:
                self.last_run = now
                self.runner.run_safely(feed.id)
        finally:
            self.busy.release()

    def retire(self) -> None:
        """No more runs; the subscription ends once the run in progress (if any) is over,
        in a thread of its own so that the sync job never waits for it."""
        self.retired = True

        def end() -> None:
            acquired = self.busy.acquire(timeout=self.feed.timeout + RETIRE_MARGIN_S)
            try:
                self.cls.stop(self.feed.id)
                log.info("feed %s: subscription ended", self.feed.id)
            finally:
                if acquired:
                    self.busy.release()

        threading.Thread(target=end, name=f"retire-{self.feed.id}", daemon=True).start()


class DefinitionSync:
    """The sync job: when the definitions' revision moved, read them again and apply them
    to the jobs; then start each claimed run-now request in a job of its own. A database
    that is away is logged once when lost and once when back."""

    def __init__(self, scheduler: BaseScheduler, runner: FeedRunner, jobs: FeedJobs) -> None:
        self.scheduler, self.runner, self.jobs = scheduler, runner, jobs
        self.seen: int | None = None  # None: apply on the first turn (cheap when unchanged)
        self.failing = False

    def __call__(self) -> None:
        definitions = self.runner.store.feed_defs
        try:
            revision = definitions.revision()
            if revision != self.seen:
                self.jobs.apply(self.runner.refresh(), datetime.now(UTC))
                self.seen = revision
            for feed_id in definitions.take_run_requests():
                self.scheduler.add_job(
                    self.jobs.run_now,
                    args=[feed_id],
                    name=f"feed {feed_id} (run now)",
                    misfire_grace_time=None,
                )
                log.info("feed %s: run now, as asked in the console", feed_id)
        except Exception as exc:
            if not is_database_fault(exc):
                log.exception("feed definitions could not be applied")
            elif not self.failing:
                log.warning("feed definitions not read: the database is unavailable")
            self.failing = True
            return
        if self.failing:
            log.info("feed definitions read again")
            self.failing = False


def _prune(runner: FeedRunner) -> None:
    cutoff = datetime.now(UTC) - RETENTION
    removed = runner.store.writer.prune_runs(cutoff)
    if removed:
        log.info("pruned %d feed runs older than %s", removed, RETENTION)
    runner.store.feed_defs.prune_run_requests(cutoff)

"""Runs one feed once: timeout, retries, validation, batched upserts, a recorded run, health."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from pydantic import ValidationError

from feeds.base import ErrorKind, Feed, FeedContext, FeedError
from feeds.registry import feed_types
from feeds.validate import RecordCheck
from settings import FeedConfig
from store import Store
from store.records import Item, Record, Rejection
from store.writer import FeedSpec, RunOutcome

log = logging.getLogger(__name__)
BATCH_SIZE = 20000
LARGE_RUN = 100_000  # rows changed: enough to refresh the planner's statistics afterwards


def utc_now() -> datetime:
    return datetime.now(UTC)


class RunTimeout(FeedError):
    kind = ErrorKind.UNAVAILABLE
    transient = True


@dataclass(frozen=True, slots=True)
class RunReport:
    feed_id: str
    run_id: int
    status: str
    accepted: int
    rejected: int
    changed: int
    duration_ms: float
    error_kind: str | None = None
    error_text: str | None = None


@dataclass
class _Tally:
    accepted: int = 0
    changed: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    error: tuple[ErrorKind, str] | None = None


def classify(exc: BaseException) -> tuple[ErrorKind, str]:
    """Map any failure to one of the four error kinds, with a one-line text."""
    if isinstance(exc, FeedError):
        return exc.kind, str(exc) or type(exc).__name__
    if isinstance(exc, requests.Timeout | TimeoutError | FutureTimeout):
        return ErrorKind.UNAVAILABLE, f"timed out: {exc}"
    if isinstance(exc, requests.ConnectionError | ConnectionError | OSError):
        return ErrorKind.UNAVAILABLE, f"source unreachable: {exc}"
    if isinstance(exc, ValidationError):
        return ErrorKind.MISCONFIGURED, str(exc).splitlines()[0]
    return ErrorKind.BAD_DATA, f"{type(exc).__name__}: {exc}"


class FeedRunner:
    """The one place that runs feeds; the scheduler and the CLI both call it."""

    def __init__(
        self,
        store: Store,
        feeds: Iterable[FeedConfig],
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        backoff_s: float = 2.0,
    ) -> None:
        self.store = store
        self.feeds = {f.id: f for f in feeds}
        self.clock = clock
        self.sleep = sleep
        self.backoff_s = backoff_s
        store.writer.sync_feeds(_spec(f) for f in self.feeds.values())

    def run(self, feed_id: str) -> RunReport:
        config = self.feeds[feed_id]
        started = self.clock()
        monotonic_start = time.monotonic()
        run_id = self.store.writer.start_run(feed_id, started)
        tally = _Tally()
        try:
            feed = self._build(config)
            raw = self._fetch_with_retries(feed, config, monotonic_start)
            self._ingest(feed, raw, config, monotonic_start, tally)
        except Exception as exc:  # every failure becomes a recorded, classified run
            tally.error = classify(exc)
            if tally.error[0] is ErrorKind.BAD_DATA and not isinstance(exc, FeedError):
                log.debug("feed %s: unexpected error", feed_id, exc_info=True)
        return self._finish(run_id, feed_id, tally, monotonic_start)

    def run_safely(self, feed_id: str) -> None:
        """The scheduler's entry point: never lets an exception kill the scheduler thread."""
        try:
            self.run(feed_id)
        except Exception:
            log.exception("feed %s: the run could not be recorded", feed_id)

    def _build(self, config: FeedConfig) -> Feed:
        cls = feed_types()[config.type]
        health = {h.id: h for h in self.store.queries.feed_health()}.get(config.id)
        context = FeedContext(
            areas=self.store.queries.areas.by_code,
            now=self.clock,
            last_success=health.last_success_at if health else None,
        )
        return cls(config.id, config.options, context)

    def _fetch_with_retries(self, feed: Feed, config: FeedConfig, t0: float) -> Any:
        attempt = 0
        while True:
            try:
                return _call_with_timeout(feed.fetch, _remaining(config, t0))
            except Exception as exc:
                kind, _ = classify(exc)
                if kind is not ErrorKind.UNAVAILABLE or attempt >= config.retries:
                    raise
                delay = self.backoff_s * 2**attempt
                if _remaining(config, t0) <= delay:
                    raise
                attempt += 1
                log.debug(
                    "feed %s: attempt %d failed (%s), retrying in %.1f s",
                    config.id,
                    attempt,
                    exc,
                    delay,
                )
                self.sleep(delay)

    def _ingest(self, feed: Feed, raw: Any, config: FeedConfig, t0: float, tally: _Tally) -> None:
        check = RecordCheck(self.store.queries.areas, self.clock())
        for batch in _batches(feed.normalize(raw)):
            records: list[Record] = []
            for item in batch:
                problem = item.reason if isinstance(item, Rejection) else check.problem(item)
                if problem is None:
                    records.append(item)  # type: ignore[arg-type]
                else:
                    tally.rejections.append(_rejection(item, problem))
            tally.changed += self.store.writer.write_records(config.id, records, self.clock())
            tally.accepted += len(records)
            if _remaining(config, t0) <= 0:
                raise RunTimeout(
                    f"run exceeded its {config.timeout:g} s timeout after {tally.accepted} records"
                )

    def _finish(self, run_id: int, feed_id: str, tally: _Tally, t0: float) -> RunReport:
        duration_ms = (time.monotonic() - t0) * 1000
        status = _status(tally)
        kind, text = tally.error if tally.error else (None, None)
        if text is None and tally.rejections:
            text = f"{len(tally.rejections)} records rejected; first: {tally.rejections[0].reason}"
        outcome = RunOutcome(
            status,
            tally.accepted,
            len(tally.rejections),
            tally.changed,
            self.clock(),
            duration_ms,
            kind.value if kind else None,
            text,
        )
        previous = self.store.writer.finish_run(run_id, feed_id, outcome, tally.rejections)
        if tally.changed >= LARGE_RUN:
            self.store.writer.refresh_statistics()
        _log_transition(feed_id, previous, outcome)
        return RunReport(
            feed_id,
            run_id,
            status,
            outcome.accepted,
            outcome.rejected,
            outcome.changed,
            duration_ms,
            outcome.error_kind,
            text,
        )


def _spec(config: FeedConfig) -> FeedSpec:
    demo = feed_types()[config.type].demo
    return FeedSpec(config.id, config.type, config.interval, config.enabled, demo)


def _status(tally: _Tally) -> str:
    if tally.error and tally.accepted == 0:
        return "failed"
    if tally.error or tally.rejections:
        return "partial"
    return "ok"


def _log_transition(feed_id: str, previous: str | None, outcome: RunOutcome) -> None:
    """Log once when a feed starts failing and once when it recovers; stay quiet otherwise."""
    if outcome.status == "failed" and previous != "failed":
        log.warning("feed %s failing (%s): %s", feed_id, outcome.error_kind, outcome.error_text)
    elif outcome.status != "failed" and previous == "failed":
        log.info("feed %s recovered: %d records accepted", feed_id, outcome.accepted)


def _remaining(config: FeedConfig, t0: float) -> float:
    return config.timeout - (time.monotonic() - t0)


def _call_with_timeout(fn: Callable[[], Any], timeout: float) -> Any:
    if timeout <= 0:
        raise RunTimeout("no time left before the run's timeout")
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-fetch")
    future = executor.submit(fn)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise RunTimeout(f"fetch timed out after {timeout:.1f} s") from None
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _batches(items: Iterable[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _rejection(item: Item, reason: str) -> Rejection:
    if isinstance(item, Rejection):
        return item
    from feeds.base import excerpt

    return Rejection(reason, excerpt(item))

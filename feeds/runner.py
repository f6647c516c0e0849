"""Runs one feed once: timeout, retries, validation, chunked upserts, a recorded run, health,
and the progress of a feed's first (long) load."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import requests
from pydantic import ValidationError

from feeds.base import ErrorKind, Feed, FeedContext, FeedError, excerpt
from feeds.bulk_work import bulk_work
from feeds.definitions import Checked, InvalidDefinition, check_definitions, config_of
from feeds.missed import MissedRuns, RunNotRecorded
from feeds.outcome import (
    Tally,
    error_of,
    give_way,
    kept_payload,
    priority_of,
    redacted_items,
    status_of,
)
from feeds.progress import ProgressLog
from feeds.redact import redact, secret_values
from feeds.registry import feed_types
from feeds.validate import RecordCheck
from settings import FeedConfig
from store import Store
from store.feed_defs import FeedDefinition, UnknownFeed
from store.guard import is_database_fault
from store.records import (
    DataWarning,
    Observation,
    ObservationBlock,
    Progress,
    Record,
    Rejection,
    row_count,
)
from store.reference_writes import FeedSpec
from store.run_writes import RunOutcome

log = logging.getLogger(__name__)
# Rows per transaction. Sorted by key, a chunk of ~19 simulated days writes each index page
# once instead of once per day (measured: 100k-row chunks load ≈4× faster than 20k ones),
# and a chunk still commits within a second or two, so readers see the load advance.
CHUNK_ROWS = 100_000
LARGE_RUN = 100_000  # rows changed: enough to refresh the planner's statistics afterwards


def utc_now() -> datetime:
    return datetime.now(UTC)


class RunTimeout(FeedError):
    kind = ErrorKind.UNAVAILABLE
    transient = True


class RunCancelled(FeedError):
    """The process is stopping: the run ends after its last committed block."""

    kind = ErrorKind.UNAVAILABLE


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
class _Chunk:
    """Records waiting for their transaction, and the feed's latest progress mark."""

    records: list[Record] = field(default_factory=list)
    rows: int = 0
    progress: Progress | None = None
    stored: Progress | None = None  # the mark last written to the health row
    marks: int = 0  # progress marks seen in this run


class _FirstLoad:
    """Logs a feed's first load: its start, its progress (ProgressLog's cadence), its end."""

    def __init__(self, feed_id: str, started: float) -> None:
        self.feed_id = feed_id
        self.started = started
        self.cadence: ProgressLog | None = None

    def committed(self, mark: Progress, rows: int) -> None:
        now = time.monotonic()
        if self.cadence is None:
            self.cadence = ProgressLog(mark.total, now)
            if mark.done:  # an earlier run stored part of it
                log.info(
                    "feed %s: first load resumed at %d/%d days", self.feed_id, mark.done, mark.total
                )
            else:
                log.info("feed %s: first load of %d days started", self.feed_id, mark.total)
        if self.cadence.due(mark.done, now):
            log.info(
                "feed %s: first load %d/%d days, %d rows in %.1f s",
                self.feed_id,
                mark.done,
                mark.total,
                rows,
                now - self.started,
            )

    def finished(self, status: str, rows: int) -> None:
        if self.cadence is None:
            return
        seconds = time.monotonic() - self.started
        log.info(
            "feed %s: first load %s: %d rows in %.1f s (%.0f rows/s)",
            self.feed_id,
            "done" if status == "ok" else f"ended {status}",
            rows,
            seconds,
            rows / seconds if seconds > 0 else 0.0,
        )


def classify(exc: BaseException) -> tuple[ErrorKind, str]:
    """Map any failure to one of the four error kinds, with a one-line text."""
    if isinstance(exc, FeedError):
        return exc.kind, str(exc) or type(exc).__name__
    if is_database_fault(exc):
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"]
        return ErrorKind.UNAVAILABLE, f"database unavailable: {lines[0][:300]}"
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
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        self.store = store
        self.feeds = {f.id: f for f in feeds}
        self.clock = clock
        self.sleep = sleep
        self.backoff_s = backoff_s
        self.chunk_rows = chunk_rows
        self._running: set[str] = set()
        self._running_lock = threading.Lock()
        self._stopping = threading.Event()
        self.missed = MissedRuns()
        self.reads_store = False  # True: each run reads its feed's definition from the store
        self._reported_invalid: dict[str, int | None] = {}  # feed id -> definition version
        self._checked: Checked = {}  # each definition version's validation, kept
        store.writer.sync_feeds(_spec(f) for f in self.feeds.values())

    @classmethod
    def from_store(cls, store: Store, **options: Any) -> FeedRunner:
        """A runner of the store's feed definitions: each run reads its feed's current
        definition, so an edit made in the console applies from the next run on."""
        runner = cls(store, (), **options)
        runner.reads_store = True
        runner.refresh()
        return runner

    def refresh(self) -> list[FeedConfig]:
        """Read the feeds again from the store (a runner of definitions only) and record
        them as the store keeps feeds: a paused feed disabled, a deleted one disabled too.
        Returns the effective feeds."""
        if not self.reads_store:
            return list(self.feeds.values())
        definitions = self.store.feed_defs.all(include_deleted=True)
        feeds, invalid = check_definitions(definitions, checked=self._checked)
        live = {f.id for f in feeds}
        cannot_run = {problem.feed_id for problem in invalid}
        specs = [_spec(f) for f in feeds]
        for definition in definitions:
            if definition.id in live:
                continue
            # deleted: disabled; meant to run but invalid here: enabled (and failing)
            meant = definition.id in cannot_run and _meant_to_run(definition)
            spec = _stored_spec(definition.config, enabled=meant)
            if spec is not None:
                specs.append(spec)
        self.store.writer.sync_feeds(specs)
        self.feeds = {f.id: f for f in feeds}
        for problem in invalid:
            if self._reported_invalid.get(problem.feed_id) != problem.version:
                self._reported_invalid[problem.feed_id] = problem.version
                self.record_invalid(problem)
        return feeds

    def record_invalid(self, problem: InvalidDefinition) -> None:
        """A definition this process cannot run (e.g. its ${VAR} is unset here) is recorded
        as a failed, misconfigured run, so that the board says why the feed does not run."""
        log.warning("%s; not run", problem)
        definition = self.store.feed_defs.get(problem.feed_id)
        if definition is None:
            return
        spec = _stored_spec(definition.config, enabled=_meant_to_run(definition))
        if spec is None:
            return  # not even its type and interval can be read: nothing to record it on
        self.store.writer.sync_feeds([spec])  # its health row (unchanged: nothing written)
        now = self.clock()
        run_id = self.store.writer.start_run(problem.feed_id, now)
        outcome = RunOutcome(
            "failed", 0, 0, 0, now, 0.0, ErrorKind.MISCONFIGURED.value, str(problem)
        )
        self.store.writer.finish_run(run_id, problem.feed_id, outcome, [])

    def config(self, feed_id: str) -> FeedConfig:
        """The feed as its next run uses it: read from the store for a runner of
        definitions (UnknownFeed when it is deleted or unknown, InvalidDefinition when it
        does not validate in this process), else from the runner's own list."""
        if not self.reads_store:
            return self.feeds[feed_id]
        definition = self.store.feed_defs.get(feed_id)
        if definition is None:
            raise UnknownFeed(feed_id)
        if definition.deleted:
            raise UnknownFeed(feed_id, "deleted")
        config = config_of(definition)
        known = self.feeds.get(feed_id)
        if known is None or _spec(known) != _spec(config):
            self.store.writer.sync_feeds([_spec(config)])  # a run needs its health row
        self.feeds[feed_id] = config
        return config

    def run(self, feed_id: str) -> RunReport:
        config = self.config(feed_id)
        started = self.clock()
        monotonic_start = time.monotonic()
        run_id = self.store.writer.start_run(feed_id, started)
        tally = Tally()
        load: _FirstLoad | None = None
        feed: Feed | None = None
        payload: bytes | None = None
        checkpoint: str | None = None
        try:
            feed = self._build(config)
            if feed.context.last_success is None:  # never succeeded: this is its first load
                load = _FirstLoad(feed_id, monotonic_start)
            with bulk_work():
                raw = self._fetch_with_retries(feed, config, monotonic_start)
                self._ingest(feed, raw, config, monotonic_start, tally, load)
            checkpoint = feed.checkpoint()
            feed.committed()
        except Exception as exc:  # every failure becomes a recorded, classified run
            tally.error = classify(exc)
            tally.cancelled = isinstance(exc, RunCancelled)
            payload = exc.payload if isinstance(exc, FeedError) else None
            if tally.error[0] is ErrorKind.BAD_DATA and not isinstance(exc, FeedError):
                log.debug("feed %s: unexpected error", feed_id, exc_info=True)
        if payload is None and feed is not None:
            payload = feed.payload()
        try:
            report = self._finish(run_id, config, tally, monotonic_start, payload, checkpoint)
        except Exception as exc:
            if is_database_fault(exc):
                raise RunNotRecorded(run_id, tally.accepted, tally.changed) from exc
            raise
        if load is not None:
            load.finished(report.status, report.accepted)
        return report

    def stop(self) -> None:
        """Ask running feeds to end after their current block (cooperative: what was
        committed stays) and start no new run; for a prompt, clean shutdown."""
        self._stopping.set()

    def run_safely(self, feed_id: str) -> None:
        """The scheduler's entry point: never lets an exception kill the scheduler thread,
        and never starts a feed's run while its previous one is still going (a long first
        load outlasts many intervals): that turn is skipped with an INFO line, not a warning.
        A turn the database was away for is remembered and recorded once it is back."""
        if self._stopping.is_set():
            return
        if not self._claim(feed_id):
            log.info(
                "feed %s: previous run still in progress%s; this turn is skipped",
                feed_id,
                self._load_note(feed_id),
            )
            return
        try:
            self.missed.flush(feed_id, self.store.writer, self.clock())
            self.run(feed_id)
        except UnknownFeed as exc:
            log.warning("%s; not run", exc)
        except InvalidDefinition as exc:
            self.record_invalid(exc)
        except Exception as exc:
            cause = exc.__cause__ if isinstance(exc, RunNotRecorded) else exc
            if cause is not None and is_database_fault(cause):
                self.missed.note(feed_id, self.clock(), classify(cause)[1], exc)
            else:
                log.exception("feed %s: the run could not be recorded", feed_id)
        finally:
            with self._running_lock:
                self._running.discard(feed_id)

    def _claim(self, feed_id: str) -> bool:
        with self._running_lock:
            if feed_id in self._running:
                return False
            self._running.add(feed_id)
            return True

    def _load_note(self, feed_id: str) -> str:
        health = {h.id: h for h in self.store.queries.feed_health()}.get(feed_id)
        if health is None or health.load_total is None:
            return ""
        return f" (first load {health.load_done}/{health.load_total} days)"

    def _build(self, config: FeedConfig) -> Feed:
        cls = feed_types()[config.type]
        health = {h.id: h for h in self.store.queries.feed_health()}.get(config.id)
        context = FeedContext(
            areas=self.store.queries.areas.by_code,
            now=self.clock,
            last_success=health.last_success_at if health else None,
            checkpoint=health.checkpoint if health else None,
            deadline=time.monotonic() + config.timeout,
            own_assets=partial(self.store.queries.feed_assets, config.id),
        )
        return cls(config.id, config.options, context)

    def _fetch_with_retries(self, feed: Feed, config: FeedConfig, t0: float) -> Any:
        attempt = 0
        while True:
            try:
                return _call_with_timeout(feed.fetch, _remaining(config, t0))
            except Exception as exc:
                kind, _ = classify(exc)
                settled = isinstance(exc, FeedError) and not exc.transient  # e.g. broker down
                if kind is not ErrorKind.UNAVAILABLE or settled or attempt >= config.retries:
                    raise
                delay = self.backoff_s * 2**attempt
                if isinstance(exc, FeedError) and exc.retry_after is not None:
                    delay = exc.retry_after  # the source said when to come back
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

    def _ingest(
        self,
        feed: Feed,
        raw: Any,
        config: FeedConfig,
        t0: float,
        tally: Tally,
        load: _FirstLoad | None,
    ) -> None:
        """Check the items and write them in chunks of about `chunk_rows` rows. A feed that
        yields Progress marks is committed at its marks (whole days), the first two at once
        (its start and its newest day: today's numbers within seconds); a chunk between marks
        may grow to twice the size. A feed without marks is committed every `chunk_rows`."""
        check = RecordCheck(self.store.queries.areas, self.clock())
        chunk = _Chunk()
        feed.blocks = True
        for item in feed.normalize(raw):
            if isinstance(item, Progress):
                chunk.progress = item
                chunk.marks += 1
                stopping = self._stopping.is_set()
                if chunk.marks <= 2 or chunk.rows >= self.chunk_rows or stopping:
                    self._commit(config, chunk, tally, load, t0)
                if stopping:
                    raise RunCancelled(f"stopped by shutdown after {tally.accepted} records")
                continue
            self._take(item, check, chunk, tally)
            limit = self.chunk_rows if chunk.progress is None else 2 * self.chunk_rows
            if chunk.rows >= limit:
                self._commit(config, chunk, tally, load, t0)
        self._commit(config, chunk, tally, load, t0)

    def _take(
        self,
        item: Record | Rejection | DataWarning,
        check: RecordCheck,
        chunk: _Chunk,
        tally: Tally,
    ) -> None:
        """Add the item's storable rows to the chunk; count and keep the others as rejections."""
        if isinstance(item, Rejection):
            tally.rejections.append(item)
            return
        if isinstance(item, DataWarning):
            tally.warnings.append(item)
            return
        if isinstance(item, ObservationBlock):
            kept, problems = check.split(item)
            tally.rejections.extend(
                Rejection(reason, excerpt(item.observation(i))) for i, reason in problems
            )
            if len(kept):
                chunk.records.append(kept)
                chunk.rows += len(kept)
            return
        problem = check.problem(item)
        if problem is None:
            chunk.records.append(item)
            chunk.rows += row_count(item)
        else:
            tally.rejections.append(Rejection(problem, excerpt(item)))

    def _commit(
        self,
        config: FeedConfig,
        chunk: _Chunk,
        tally: Tally,
        load: _FirstLoad | None,
        t0: float,
    ) -> None:
        """Write the chunk (and, on a first load, its progress) in one transaction."""
        mark = chunk.progress if load is not None and chunk.progress != chunk.stored else None
        if not chunk.records and mark is None:
            return
        progress = (mark.done, mark.total) if mark is not None else None
        self._give_way(config.id, chunk, tally)
        tally.changed += self.store.writer.write_records(
            config.id,
            chunk.records,
            self.clock(),
            load_progress=progress,
            load_cursor=mark.cursor if mark is not None else None,
        )
        tally.accepted += chunk.rows
        chunk.records, chunk.rows = [], 0
        if mark is not None and load is not None:
            chunk.stored = mark
            load.committed(mark, tally.accepted)
        if _remaining(config, t0) <= 0:
            raise RunTimeout(
                f"run exceeded its {config.timeout:g} s timeout after {tally.accepted} records"
            )

    def _give_way(self, feed_id: str, chunk: _Chunk, tally: Tally) -> None:
        """Take out of the chunk what another feed of at least this priority already stores."""
        observed = [r for r in chunk.records if isinstance(r, Observation | ObservationBlock)]
        owners = self.store.writer.held_by_others(feed_id, observed)
        if owners:
            chunk.records, refused = give_way(chunk.records, owners)
            chunk.rows = sum(row_count(r) for r in chunk.records)
            tally.rejections.extend(refused)

    def _finish(
        self,
        run_id: int,
        config: FeedConfig,
        tally: Tally,
        t0: float,
        payload: bytes | None,
        checkpoint: str | None,
    ) -> RunReport:
        feed_id = config.id
        duration_ms = (time.monotonic() - t0) * 1000
        status = status_of(tally)
        secrets = secret_values(config.options)
        kind, text = error_of(tally)
        text = redact(text, secrets) if text is not None else None
        rejections = redacted_items(tally.rejections, secrets)
        outcome = RunOutcome(
            status,
            tally.accepted,
            len(tally.rejections),
            tally.changed,
            self.clock(),
            duration_ms,
            kind,
            text,
            warnings=[
                w for w in redacted_items(tally.warnings, secrets) if isinstance(w, DataWarning)
            ],
            checkpoint=checkpoint if status != "failed" else None,
        )
        previous = self.store.writer.finish_run(
            run_id, feed_id, outcome, [r for r in rejections if isinstance(r, Rejection)]
        )
        kept = kept_payload(payload, secrets) if status != "ok" else None
        if kept is not None:
            self.store.writer.keep_payload(run_id, feed_id, kept, outcome.finished_at)
        if tally.changed >= LARGE_RUN and not tally.cancelled:  # a stopping process hurries
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
    priority = priority_of(config.priority, demo)
    return FeedSpec(config.id, config.type, config.interval, config.enabled, demo, priority)


def _stored_spec(entry: dict[str, Any], *, enabled: bool) -> FeedSpec | None:
    """The store's record of a feed that is not scheduled here (deleted, or invalid in this
    process), read from its stored entry; None when even that cannot be read."""
    cls = feed_types().get(str(entry.get("type")))
    interval = entry.get("interval")
    if cls is None or not isinstance(interval, int) or not isinstance(entry.get("id"), str):
        return None
    priority = entry.get("priority")
    own = priority_of(priority if isinstance(priority, int) else None, cls.demo)
    return FeedSpec(entry["id"], cls.type, interval, enabled, cls.demo, own)


def _meant_to_run(definition: FeedDefinition) -> bool:
    return not definition.paused and definition.config.get("enabled", True) is not False


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

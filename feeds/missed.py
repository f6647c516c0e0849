"""Turns a feed could not record while the database was away, written once it is back."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from store.run_writes import RunOutcome
from store.writer import Writer

log = logging.getLogger(__name__)


class RunNotRecorded(Exception):
    """A run started, but its outcome could not be written: the database went away."""

    def __init__(self, run_id: int, accepted: int, changed: int) -> None:
        super().__init__(f"run #{run_id} could not be recorded")
        self.run_id = run_id
        self.accepted = accepted
        self.changed = changed


@dataclass
class _Missed:
    first_at: datetime
    last_at: datetime
    turns: int
    reason: str
    unfinished: RunNotRecorded | None  # the run the database left without an outcome


class MissedRuns:
    """Per feed: the turns missed since the database went away (kept in memory, bounded to
    one entry per feed), and the run it interrupted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_feed: dict[str, _Missed] = {}

    def note(self, feed_id: str, at: datetime, reason: str, exc: BaseException) -> None:
        unfinished = exc if isinstance(exc, RunNotRecorded) else None
        with self._lock:
            missed = self._by_feed.get(feed_id)
            if missed is None:
                self._by_feed[feed_id] = _Missed(at, at, 1, reason[:300], unfinished)
                log.warning("feed %s: turn missed, database unavailable: %s", feed_id, reason)
                return
            missed.last_at, missed.turns = at, missed.turns + 1
            missed.unfinished = missed.unfinished or unfinished

    def pending(self, feed_id: str) -> bool:
        return feed_id in self._by_feed

    def flush(self, feed_id: str, writer: Writer, now: datetime) -> None:
        """Write the missed turns as one failed run (and close the interrupted run as failed);
        forgotten only once written, so a database that is still away keeps them."""
        with self._lock:
            missed = self._by_feed.get(feed_id)
        if missed is None:
            return
        text = (
            f"{missed.turns} scheduled run(s) missed while the database was unavailable "
            f"({missed.first_at:%Y-%m-%d %H:%M:%S} – {missed.last_at:%H:%M:%S} UTC): "
            f"{missed.reason}"
        )
        if missed.unfinished is not None:
            run = missed.unfinished
            ended = f"database lost during the run after {run.accepted} records"
            outcome = _failed(now, run.accepted, run.changed, ended)
            writer.finish_run(run.run_id, feed_id, outcome, ())
        run_id = writer.start_run(feed_id, missed.first_at)
        writer.finish_run(run_id, feed_id, _failed(now, 0, 0, text), ())
        with self._lock:
            self._by_feed.pop(feed_id, None)
        log.info("feed %s: recorded %d missed run(s) as run #%d", feed_id, missed.turns, run_id)


def _failed(now: datetime, accepted: int, changed: int, text: str) -> RunOutcome:
    return RunOutcome("failed", accepted, 0, changed, now, 0.0, "unavailable", text)

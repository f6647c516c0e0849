"""The review queue's reads with a busy fortnight of rejected records: the first classification
into reason families, then the groups (with their 14-day trend) and the newest records, each
against its floor — the same SQL replayed on the raw DB-API connection in the same run.

Run: python -m bench.review [--feeds 20] [--per-run 10] [--rounds 5] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.harness import PG_URL, captured_sql, replay_seconds
from store import Store
from store.records import Rejection
from store.reference_writes import FeedSpec
from store.review_models import QueueFilter
from store.run_writes import RunOutcome

NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
REASONS = (
    "row {n}: health.outpatient_visits (field 'so_luot'): value '{n}x' is not a number",
    "unknown area code '9{n}'",
    "record {n}: timestamp 2026-11-{d:02d}T10:00:00+00:00 is in the future",
)


def fill(store: Store, feeds: int, per_run: int) -> int:
    """One run an hour per feed over 14 days, each rejecting `per_run` records."""
    store.writer.sync_feeds(
        [FeedSpec(f"feed_{i:02d}", "http_json", 3600, True, False) for i in range(feeds)]
    )
    stored = 0
    for hour in range(14 * 24):
        started = NOW - timedelta(hours=hour)
        for i in range(feeds):
            run = store.writer.start_run(f"feed_{i:02d}", started)
            rejections = [
                Rejection(REASONS[n % len(REASONS)].format(n=n + hour, d=1 + n % 28), "{}")
                for n in range(per_run)
            ]
            outcome = RunOutcome("partial", 50, per_run, 50, started, 1000.0)
            store.writer.finish_run(run, f"feed_{i:02d}", outcome, rejections)
            stored += per_run
    return stored


def timed(action, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def floor(store: Store, action, rounds: int) -> float:  # type: ignore[no-untyped-def]
    with captured_sql(store) as statements:
        action()
    return statistics.median(replay_seconds(store, statements) for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--per-run", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    schema = f"ioc_bench_review_{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            store = Store.open(f"sqlite:///{Path(folder) / 'ioc.db'}")
        else:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            store = Store.open(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
        try:
            records = fill(store, args.feeds, args.per_run)
            review = store.review
            started = time.perf_counter()
            classified = review.classify()
            first = time.perf_counter() - started
            print(
                f"{args.database}: {records} rejected records; classified {classified}"
                f" in {first:.2f} s"
            )
            cases = {
                "groups (all feeds, 14-day trend)": lambda: review.groups(
                    QueueFilter(status=None), NOW
                ),
                "groups (one feed)": lambda: review.groups(QueueFilter(feed="feed_03"), NOW),
                "records (newest 200)": lambda: review.records(QueueFilter()),
                "feed_states (board)": review.feed_states,
            }
            for name, action in cases.items():
                spent, base = timed(action, args.rounds), floor(store, action, args.rounds)
                print(
                    f"  {name}: {spent * 1000:.1f} ms, floor {base * 1000:.1f} ms,"
                    f" ratio {spent / base:.2f}"
                )
        finally:
            store.engine.dispose()
            if args.database == "postgresql":
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()

"""How fast the console reaches a running scheduler, and what the sync job costs.

`python -m bench.feed_defs --db sqlite|postgresql [--feeds 200] [--trials 10]`: with that
many feed definitions, the sync job's per-turn question (`revision()`) against the raw
`SELECT 1` floor of one round trip; reading and validating every definition (the work of
a turn after a change); and, with the scheduler running, the time from a console action
to its effect: run-now to the run finished, an interval change to the rescheduled job,
pause to the job removed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from access.audit import AuditLog
from bench.harness import PG_URL, summary
from feeds.console import pause_feed, run_feed_now, save_feed
from feeds.definitions import effective_feeds
from feeds.runner import FeedRunner
from feeds.scheduler import build_scheduler, stop_scheduler
from store import Store
from store.accounts import Accounts
from tests.fixtures import payload_json
from tests.fixtures.http_server import Route, serve

PG_SCHEMA = "ioc_bench_feed_defs"  # its own: other benches drop theirs
MAPPING = {
    "records": "data.items",
    "area": {"code": "dia_ban.ma"},
    "period": {"field": "ngay", "format": "iso8601"},
    "observations": [{"metric_field": "chi_tieu", "field": "gia_tri"}],
}
WAIT_S = 60.0
POLL_S = 0.01


@contextmanager
def fresh_store(database: str) -> Iterator[Store]:
    if database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(f"sqlite:///{Path(folder) / 'ioc.db'}")
            try:
                yield store
            finally:
                store.engine.dispose()
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    store = Store.open(PG_URL, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
    try:
        yield store
    finally:
        store.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{PG_SCHEMA}" CASCADE'))
        admin.dispose()


def entry(feed_id: str, url: str, interval: int = 3600) -> dict[str, Any]:
    return {
        "id": feed_id,
        "type": "http_json",
        "interval": interval,
        "timeout": 5,
        "retries": 0,
        "options": {"url": url, "mapping": MAPPING, "timeout_s": 1},
    }


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        values.append((time.perf_counter() - started) * 1000)
    return values


def until(condition: Callable[[], bool]) -> float:
    """Seconds until the condition holds (polled every POLL_S)."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > WAIT_S:
            raise TimeoutError("no effect within the bound")
        time.sleep(POLL_S)
    return time.perf_counter() - started


def finished_runs(store: Store, feed_id: str) -> int:
    sql = text("SELECT count(*) FROM feed_runs WHERE feed_id = :f AND finished_at IS NOT NULL")
    with store.engine.connect() as conn:
        return int(conn.execute(sql, {"f": feed_id}).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    payload = Route.json(payload_json("good_nested.json"))
    with serve({"/data": payload}) as server, fresh_store(args.db) as store:
        audit = AuditLog(Accounts(store.engine))
        url = server.url("/data")
        for i in range(args.feeds):
            saved = save_feed(store, audit, "bench", entry(f"f{i:03d}", url), expected_version=None)
            if i:  # one feed scheduled; the others defined but paused
                pause_feed(store, audit, "bench", saved.id, expected_version=saved.version)
        floor = statistics.median(timed(lambda: _select_one(store), 200))
        revision = statistics.median(timed(store.feed_defs.revision, 200))
        reading = statistics.median(timed(lambda: effective_feeds(store), 20))
        runner = FeedRunner.from_store(store, sleep=lambda _s: None)
        after_one = statistics.median(timed(lambda: _one_change(store, audit, runner), 20))
        print(
            f"{args.db}, {args.feeds} definitions: revision() median {revision:.2f} ms "
            f"against SELECT 1 {floor:.2f} ms (×{revision / floor:.1f}); reading and "
            f"validating all: median {reading:.1f} ms; a sync turn after one change "
            f"(save included): median {after_one:.1f} ms"
        )
        _latencies(store, audit, args.trials)


def _one_change(store: Store, audit: AuditLog, runner: FeedRunner) -> None:
    current = store.feed_defs.get("f199")
    assert current is not None
    interval = 3600 if current.config["interval"] != 3600 else 7200
    config = dict(current.config, interval=interval)
    save_feed(store, audit, "bench", config, expected_version=current.version)
    runner.refresh()


def _select_one(store: Store) -> None:
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 1")).scalar_one()


def _latencies(store: Store, audit: AuditLog, trials: int) -> None:
    runner = FeedRunner.from_store(store, sleep=lambda _s: None)
    scheduler = build_scheduler(runner)
    scheduler.start()
    feed_id = "f000"
    run_now, interval, pause = [], [], []
    try:
        until(lambda: finished_runs(store, feed_id) == 1)
        for trial in range(trials):
            done = finished_runs(store, feed_id)
            run_feed_now(store, audit, "bench", feed_id)
            run_now.append(until(lambda d=done: finished_runs(store, feed_id) > d))
            current = store.feed_defs.get(feed_id)
            assert current is not None
            seconds = 600 + trial * 10
            config = dict(current.config, interval=seconds)
            save_feed(store, audit, "bench", config, expected_version=current.version)
            interval.append(until(lambda s=seconds: _interval(scheduler, feed_id) == s))
        current = store.feed_defs.get(feed_id)
        assert current is not None
        pause_feed(store, audit, "bench", feed_id, expected_version=current.version)
        pause.append(until(lambda: scheduler.get_job(feed_id) is None))
    finally:
        stop_scheduler(scheduler, runner)
    for name, values in (("run-now → run finished", run_now), ("interval → rescheduled", interval)):
        median, p95 = summary(values)
        print(f"  {name}: median {median:.2f} s, p95 {p95:.2f} s ({len(values)} trials)")
    print(f"  pause → unscheduled: {pause[0]:.2f} s")


def _interval(scheduler: Any, feed_id: str) -> float | None:
    job = scheduler.get_job(feed_id)
    return None if job is None else job.trigger.interval.total_seconds()


if __name__ == "__main__":
    main()

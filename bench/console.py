"""Feed board render time with 200 feeds and 30 days of runs, on SQLite and PostgreSQL, as a
ratio against floors measured in the same run: a trivial SELECT and the board's own SQL.

Run: python -m bench.console [--feeds 200] [--days 30] [--rounds 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from bench.harness import PG_URL, captured_sql, replay_seconds
from dashboards import create_app, payloads
from settings import load_settings
from store import Store
from store.guard import Timeouts
from store.models import FeedRunRow
from store.reference_writes import FeedSpec
from tests.fixtures.auth import client_for

PG_SCHEMA = "ioc_bench_console"
NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
MAPPING = {
    "records": "",
    "area": {"code": "area"},
    "period": {"field": "ts", "format": "iso8601"},
    "observations": [{"metric_field": "metric", "field": "value"}],
}
SEED_TIMEOUTS = Timeouts(statement_s=600)  # the seeding statement writes millions of rows
INTERVALS = (60, 300, 900, 3600, 21600, 86400)  # a realistic mix, 1 min to 1 day


def open_store(database: str, directory: Path) -> Store:
    if database == "sqlite":
        return Store.open(f"sqlite:///{directory / 'console.db'}", SEED_TIMEOUTS)
    with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    return Store.open(
        PG_URL,
        SEED_TIMEOUTS,
        connect_args={"options": f"-csearch_path={PG_SCHEMA}"},
    )


def seed(store: Store, feeds: int, days: int) -> int:
    """`feeds` feeds, each run every interval for `days` days (generated in the database, in
    the order they started, as a scheduler writes them):
    one run in 97 failed, one in 13 partial; a few feeds failing now, a few disabled; every
    feed defined in the console (its definition read and validated on each render)."""
    store.writer.sync_feeds(
        [
            FeedSpec(
                f"feed-{i:03d}", "http_json", INTERVALS[i % len(INTERVALS)], i % 25 != 0, False
            )
            for i in range(feeds)
        ]
    )
    for i in range(feeds):  # each with its definition, as the console stores them
        store.feed_defs.create(
            {
                "id": f"feed-{i:03d}",
                "type": "http_json",
                "interval": INTERVALS[i % len(INTERVALS)],
                "options": {"url": f"http://127.0.0.1:9/feed/{i}", "mapping": MAPPING},
            },
            by="bench",
        )
    end = NOW.timestamp()
    span = days * 86400
    if store.engine.dialect.name == "sqlite":
        sql = f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {span // 60})
        INSERT INTO feed_runs (feed_id, started_at, finished_at, status, accepted, rejected,
                               changed, duration_ms, error_text)
        SELECT f.id,
               strftime('%Y-%m-%d %H:%M:%S.000000', {end} - n.i * f.interval_s, 'unixepoch'),
               strftime('%Y-%m-%d %H:%M:%S.000000', {end} - n.i * f.interval_s + 2, 'unixepoch'),
               CASE WHEN n.i % 97 = 0 THEN 'failed' WHEN n.i % 13 = 0 THEN 'partial'
                    ELSE 'ok' END,
               100, n.i % 5, n.i % 7, 2000.0,
               CASE WHEN n.i % 97 = 0 THEN 'HTTP 503' END
        FROM feeds f JOIN n ON n.i * f.interval_s < {span}
        ORDER BY n.i * f.interval_s DESC, f.id
        """
    else:
        sql = f"""
        INSERT INTO feed_runs (feed_id, started_at, finished_at, status, accepted, rejected,
                               changed, duration_ms, error_text)
        SELECT f.id, to_timestamp({end} - g * f.interval_s),
               to_timestamp({end} - g * f.interval_s + 2),
               CASE WHEN g % 97 = 0 THEN 'failed' WHEN g % 13 = 0 THEN 'partial' ELSE 'ok' END,
               100, g % 5, g % 7, 2000.0, CASE WHEN g % 97 = 0 THEN 'HTTP 503' END
        FROM feeds f CROSS JOIN LATERAL generate_series(0, {span} / f.interval_s - 1) AS g
        ORDER BY g * f.interval_s DESC, f.id
        """
    with store.engine.begin() as conn:
        conn.execute(text(sql))
        conn.execute(
            text("UPDATE feeds SET last_run_at = :at, last_success_at = :at, last_status = 'ok'"),
            {"at": NOW - timedelta(minutes=1)},
        )
        conn.execute(
            text(
                "UPDATE feeds SET last_status = 'failed', last_error = 'HTTP 503 token=abc123',"
                " consecutive_failures = 3 WHERE id LIKE '%7'"
            )
        )
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE feed_runs"))
            conn.execute(text("ANALYZE feeds"))
        else:
            conn.execute(text("ANALYZE"))
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(FeedRunRow)).scalar_one())


def timed(action: Any, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure(database: str, feeds: int, days: int, rounds: int) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="bench-console-"))
    store = open_store(database, directory)
    started = time.perf_counter()
    runs = seed(store, feeds, days)
    seeded_s = time.perf_counter() - started
    config = directory / "config.yaml"
    config.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    app = create_app(load_settings(config, env={}), store, clock=lambda: NOW)
    client = client_for(app, "operator")
    body = payloads.router("/nguon-du-lieu")

    def render() -> None:
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.data[:300]

    render()  # warm: the domains read is cached for minutes, as on a running server
    size = len(client.post("/_dash-update-component", json=body).data)
    with captured_sql(store) as statements:
        render()
    board_sql = [s for s in statements if "feed_runs" in s[0]]

    def trivial() -> None:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()

    render_s = timed(render, rounds)
    select_s = timed(trivial, rounds * 5)
    sql_s = statistics.median(replay_seconds(store, board_sql) for _ in range(rounds))
    store.engine.dispose()
    return {
        "database": database,
        "feeds": feeds,
        "runs": runs,
        "seed_s": round(seeded_s, 1),
        "render_ms": round(render_s * 1000, 1),
        "response_bytes": size,
        "select1_ms": round(select_s * 1000, 3),
        "board_sql_ms": round(sql_s * 1000, 1),
        "render_over_select1": round(render_s / select_s),
        "render_over_board_sql": round(render_s / sql_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    for database in ("sqlite", "postgresql"):
        print(json.dumps(measure(database, args.feeds, args.days, args.rounds)), flush=True)


if __name__ == "__main__":
    main()

"""Ingest: the simulator's backfill through the runner against the bulk-insert floor, one run.

Prints, for the same observation rows in fresh stores: the simulator's generation alone; the
floor (a plain `executemany` INSERT on SQLite, a binary COPY on PostgreSQL, in 20k-row
transactions in the order the rows are generated); the same floor in the runner's order
(100k-row chunks sorted by key); and the runner end to end (generation, checks, upserts,
progress), with the time until its first chunk (today's numbers) was committed.

Run: python -m bench.ingest --days 730 --db sqlite|postgresql
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import create_engine, text

from bench.harness import PG_URL, ROOT
from feeds.base import FeedContext
from feeds.runner import CHUNK_ROWS, FeedRunner
from feeds.simulator import SimulatorFeed, SimulatorOptions
from settings import FeedConfig
from store import Store
from store.guard import driver_work
from store.record_writes import OBSERVATION_COLUMNS, PG_COPY_TYPES, column_stamper, observation_rows
from store.records import Item, Observation, ObservationBlock, Progress, Rejection
from store.reference_writes import FeedSpec

FLOOR_BATCH = 20_000
FEED_ID = "simulator"
PG_SCHEMA = "ioc_bench_ingest"
Row = tuple[Any, ...]


@contextmanager
def fresh_store(database: str) -> Iterator[Store]:
    """An empty, migrated store (areas and metrics loaded) with the simulator's feed row."""
    if database == "sqlite":
        path = ROOT / "var" / "bench" / "ingest.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob("ingest.db*"):
            leftover.unlink()
        store = Store.open(f"sqlite:///{path}")
    else:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        store = Store.open(PG_URL, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
    store.writer.sync_feeds([FeedSpec(FEED_ID, "simulator", 60, True, True)])
    try:
        yield store
    finally:
        store.engine.dispose()


def simulator_config(days: int) -> FeedConfig:
    return FeedConfig.model_validate(
        {
            "id": FEED_ID,
            "type": "simulator",
            "interval": 60,
            "timeout": 3600,
            "options": {"backfill_days": days},
        }
    )


def generate(store: Store, days: int, now: datetime) -> tuple[float, list[Item]]:
    """The simulator's items for the backfill, and the seconds it took to make them."""
    context = FeedContext(areas=store.queries.areas.by_code, now=lambda: now)
    feed = SimulatorFeed(FEED_ID, SimulatorOptions(backfill_days=days), context)
    started = time.perf_counter()
    items = list(feed.normalize(feed.fetch()))
    return time.perf_counter() - started, items


def floor_rows(store: Store, items: list[Item], now: datetime) -> list[Row]:
    """The observation rows as the database receives them, in the order they are generated."""
    observations = [i for i in items if isinstance(i, Observation | ObservationBlock)]
    stamp = column_stamper(store.engine)
    return observation_rows(
        observations, store.writer._metric_id, stamp, FEED_ID, stamp(now), numbered=False
    )


def sorted_chunks(rows: list[Row], size: int) -> list[Row]:
    out: list[Row] = []
    for start in range(0, len(rows), size):
        out.extend(sorted(rows[start : start + size]))
    return out


def write_floor(store: Store, rows: list[Row], batch: int, rows_per_statement: int = 1) -> float:
    """Seconds to write the rows with the driver's plainest bulk path, a commit per batch:
    binary COPY on PostgreSQL; on SQLite `executemany` of a one-row INSERT, or with
    `rows_per_statement` > 1 plain INSERTs of that many rows each (as the runner's upsert)."""
    raw: Any = store.engine.raw_connection()
    columns = ", ".join(OBSERVATION_COLUMNS)
    cursor = raw.cursor()
    one_row = "(" + ", ".join("?" * len(OBSERVATION_COLUMNS)) + ")"
    full = f"INSERT INTO observations ({columns}) VALUES " + ", ".join(
        [one_row] * rows_per_statement
    )
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        with driver_work(store.engine, raw.dbapi_connection, 2, "the floor's batch"):
            if store.engine.dialect.name == "postgresql":
                copy_sql = f"COPY observations ({columns}) FROM STDIN (FORMAT BINARY)"
                with cursor.copy(copy_sql) as copy:
                    copy.set_types(PG_COPY_TYPES)
                    for row in chunk:
                        copy.write_row(row)
            elif rows_per_statement == 1:
                cursor.executemany(f"INSERT INTO observations ({columns}) VALUES {one_row}", chunk)
            else:
                for at in range(0, len(chunk), rows_per_statement):
                    part = chunk[at : at + rows_per_statement]
                    insert = full
                    if len(part) < rows_per_statement:
                        values = ", ".join([one_row] * len(part))
                        insert = f"INSERT INTO observations ({columns}) VALUES {values}"
                    cursor.execute(insert, list(chain.from_iterable(part)))
            raw.commit()
    elapsed = time.perf_counter() - started
    raw.close()
    return elapsed


class FirstChunk(logging.Handler):
    """Notes when the runner logs its first committed day (today's numbers are in)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.at: float | None = None
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.lines.append(f"    {time.perf_counter() - STARTED[0]:6.1f} s  {message}")
        if self.at is None and " 1/" in message:
            self.at = time.perf_counter()


STARTED = [0.0]


def run_runner(store: Store, days: int) -> tuple[float, float | None, int, list[str]]:
    handler = FirstChunk()
    logger = logging.getLogger("feeds.runner")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    runner = FeedRunner(store, [simulator_config(days)])
    STARTED[0] = started = time.perf_counter()
    report = runner.run(FEED_ID)
    elapsed = time.perf_counter() - started
    logger.removeHandler(handler)
    if report.status != "ok":
        raise SystemExit(f"runner: {report.status}: {report.error_text}")
    first = handler.at - started if handler.at is not None else None
    return elapsed, first, report.accepted, handler.lines


def line(name: str, rows: int, seconds: float, floor: float | None = None) -> str:
    rate = rows / seconds
    ratio = f"   {rate / floor:5.2f}× floor" if floor else ""
    return f"  {name:<44} {rows:>10,} rows {seconds:8.1f} s {rate / 1000:8.1f} k rows/s{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    now = datetime.now(UTC)
    print(f"ingest bench: {args.days}-day simulator backfill on {args.db}")

    with fresh_store(args.db) as store:
        generation, items = generate(store, args.days, now)
        rows = floor_rows(store, items, now)
        counts = _counts(items)
        floor = write_floor(store, rows, FLOOR_BATCH)
    with fresh_store(args.db) as store:
        floor_sorted = write_floor(store, sorted_chunks(rows, CHUNK_ROWS), CHUNK_ROWS)
    del items
    with fresh_store(args.db) as store:
        runner, first, accepted, log_lines = run_runner(store, args.days)

    floor_rate = len(rows) / floor
    sorted_rate = len(rows) / floor_sorted
    print(f"  generated: {counts}")
    print(line("simulator generation alone", len(rows), generation))
    print(line(f"floor ({FLOOR_BATCH // 1000}k batches, generated order)", len(rows), floor))
    print(
        line(
            f"floor ({CHUNK_ROWS // 1000}k batches sorted, runner's order)", len(rows), floor_sorted
        )
    )
    print(line("runner, end to end (incl. generation)", accepted, runner, floor_rate))
    print(f"  {'runner vs sorted floor':<44} {accepted / runner / sorted_rate:>5.2f}×")
    ingest_only = runner - generation
    print(line("runner minus generation (ingest alone)", accepted, ingest_only, floor_rate))
    print(f"  first chunk (today) committed after {first:.2f} s" if first else "  no first chunk")
    print("  runner log:")
    print("\n".join(log_lines))


def _counts(items: list[Item]) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in items:
        if isinstance(item, Progress | Rejection):
            continue
        name = "Observation" if isinstance(item, ObservationBlock) else type(item).__name__
        found[name] = found.get(name, 0) + (len(item) if isinstance(item, ObservationBlock) else 1)
    return found


if __name__ == "__main__":
    main()

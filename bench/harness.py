"""Shared bench plumbing: a store with the demo backfill, an app, SQL capture and replay."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, select, text

from feeds.runner import FeedRunner
from settings import FeedConfig, Settings, load_settings
from store import Store
from store.models import ObservationRow

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "ioc_bench"


def bench_settings() -> Settings:
    return load_settings(ROOT / "config.yaml", env={})


def open_store(database: str) -> Store:
    if database == "sqlite":
        path = ROOT / "var" / "bench" / "ioc.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return Store.open(f"sqlite:///{path}")
    with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{PG_SCHEMA}"'))
    return Store.open(PG_URL, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})


def ensure_backfill(store: Store, simulator: FeedConfig) -> dict[str, float] | None:
    """Run the simulator's configured backfill once; returns its rows and seconds if it ran."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(ObservationRow)).scalar_one()
    if rows:
        return None
    started = time.perf_counter()
    report = FeedRunner(store, [simulator]).run(simulator.id)
    return {"records": report.accepted, "seconds": time.perf_counter() - started}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)


@contextmanager
def captured_sql(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (with its parameters) the store executes inside the block."""
    statements: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def replay_seconds(store: Store, statements: list[tuple[str, Any]]) -> float:
    """The floor: the same SQL through the raw DB-API connection, results fetched."""
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description:
                cursor.fetchall()
        elapsed = time.perf_counter() - started
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def round_trip_seconds(store: Store, times: int = 200) -> float:
    """The floor of any read: the median of `SELECT 1` through a pooled connection (checkout,
    round trip, return), measured in the same run so that loaded machines compare."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1")).all()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def now_utc() -> datetime:
    return datetime.now(UTC)

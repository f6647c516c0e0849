"""Driver-level statements that follow each other (a COPY, then its upsert; batch after
batch) are not taken by the database watchdog for one statement that got no answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext

import psycopg
import pytest

from store import Store
from store.guard import GRACE_S, Timeouts, driver_work
from tests.conftest import schema_store

pytestmark = pytest.mark.integration
TIMEOUTS = Timeouts(connect_s=2, statement_s=1, pool_s=2, probe_s=1.0, retry_s=0.5)
BUSY_FOR_S = TIMEOUTS.statement_s + GRACE_S + 1.5  # longer than one statement may last


@pytest.fixture
def store(pg_server: str) -> Iterator[Store]:
    with schema_store(pg_server, TIMEOUTS) as opened:
        yield opened


def back_to_back(store: Store, bounded: bool, seconds: float) -> None:
    """Short raw statements, one after the other, for `seconds` (or until the watchdog
    steps in)."""
    with store.engine.connect() as conn:
        raw = conn.connection
        cursor = raw.cursor()
        until = time.monotonic() + seconds
        while time.monotonic() < until and store.guard.lost is None:
            work: AbstractContextManager[None] = (
                driver_work(store.engine, raw.dbapi_connection, 1, "a test statement")
                if bounded
                else nullcontext()
            )
            with work:
                cursor.execute("SELECT pg_sleep(0.5)")  # within the 1-s server limit
                cursor.fetchall()


def test_bounded_driver_statements_in_a_row_keep_the_database_up(store: Store) -> None:
    back_to_back(store, bounded=True, seconds=BUSY_FOR_S)
    assert store.guard.lost is None


def test_unbounded_ones_look_like_one_stuck_statement(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # what the bound is for: without it the watchdog never sees the connection idle (a
    # loaded machine may let it glimpse one gap; it then needs another full limit). Its
    # verdict is read from its log: its probe may find the server up again before the
    # assertion, and `lost` is then cleared.
    caplog.set_level(logging.WARNING, logger="store.guard")
    with pytest.raises(psycopg.OperationalError):  # the watchdog aborted the connection
        back_to_back(store, bounded=False, seconds=10 * BUSY_FOR_S)
    verdicts = [r.getMessage() for r in caplog.records if r.name == "store.guard"]
    assert "database lost: a statement got no answer in time" in verdicts

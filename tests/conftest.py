"""Shared fixtures: a fresh store on SQLite and on PostgreSQL, an injected clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store import Store
from store.guard import Timeouts

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIXED_NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)  # 10:30 in Sóc Trăng


class Clock:
    """A settable clock: tests move time instead of sleeping."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def pytest_setup_options():  # dash.testing hook: Chromium options for browser tests
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in (
        "--window-size=1280,900",
        "--lang=vi-VN",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--disable-sync",
    ):
        options.add_argument(flag)
    return options


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def pg_server() -> str:
    """PostgreSQL must be there: the suite fails loudly instead of skipping."""
    try:
        with create_engine(PG_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL at 127.0.0.1:5432 (database test) is unreachable: {exc}", pytrace=False
        )
    return PG_URL


@contextmanager
def schema_store(url: str, timeouts: Timeouts | None = None) -> Iterator[Store]:
    """A store in a fresh PostgreSQL schema (with `timeouts` when given), dropped afterwards."""
    schema = f"ioc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    store = Store.open(url, timeouts, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield store
    finally:
        store.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgresql_store(pg_server: str) -> Iterator[Store]:
    """A store in a fresh PostgreSQL schema, dropped afterwards."""
    with schema_store(pg_server) as store:
        yield store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'ioc.db'}")
    yield store
    store.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Store:
    """The same test on both databases."""
    return request.getfixturevalue(f"{request.param}_store")

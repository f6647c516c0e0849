"""sql_query through the runner: the provincial reporting database on PostgreSQL and on the
MariaDB at 127.0.0.1:3306, one row per indicator, read incrementally by a bound cursor."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, select, text

from feeds.runner import FeedRunner
from settings import FeedConfig
from store import Store
from store.models import ObservationRow
from tests.conftest import PG_URL, Clock

pytestmark = pytest.mark.integration

MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"
# ma_huyen, ky (report month), ma_chi_tieu, gia_tri (Vietnamese text as typed in), cap_nhat
ROWS = [
    ("941", "10/2026", "DL01", "1.250", datetime(2026, 11, 2, 8, 0)),
    ("941", "10/2026", "DL02", "30.480", datetime(2026, 11, 2, 8, 0)),
    ("943", "10/2026", "DL01", "12", datetime(2026, 11, 3, 9, 30)),
    ("943", "10/2026", "DL99", "5", datetime(2026, 11, 3, 9, 30)),  # not an IOC indicator
    ("999", "10/2026", "DL01", "7", datetime(2026, 11, 3, 9, 30)),  # no such district
]
METRICS = {"DL01": "tourism.visitors_international", "DL02": "tourism.visitors"}


@dataclass(frozen=True)
class Source:
    url: str
    table: str


def _insert(url: str, table: str, rows: list[tuple[Any, ...]]) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(f"INSERT INTO {table} VALUES (:a, :b, :c, :d, :e)"),
            [dict(zip("abcde", row, strict=True)) for row in rows],
        )
    engine.dispose()


@pytest.fixture
def postgres(pg_server: str) -> Iterator[Source]:
    schema = f"bc_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(
            text(
                f"CREATE TABLE {schema}.so_lieu (ma_huyen text, ky text, ma_chi_tieu text,"
                " gia_tri text, cap_nhat timestamp)"
            )
        )
    _insert(PG_URL, f"{schema}.so_lieu", ROWS)
    yield Source(PG_URL, f"{schema}.so_lieu")
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def mariadb() -> Iterator[Source]:
    try:
        socket.create_connection(("127.0.0.1", 3306), timeout=2).close()
    except OSError:
        pytest.fail("MariaDB at 127.0.0.1:3306 is down (.ci/run starts it)", pytrace=False)
    table = f"so_lieu_{uuid.uuid4().hex[:8]}"
    engine = create_engine(MARIADB_URL)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {table} (ma_huyen varchar(8), ky varchar(20), ma_chi_tieu"
                " varchar(10), gia_tri varchar(30), cap_nhat datetime) DEFAULT CHARSET=utf8mb4"
            )
        )
    _insert(MARIADB_URL, table, ROWS)
    yield Source(MARIADB_URL, table)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {table}"))
    engine.dispose()


@pytest.fixture(params=["postgres", "mariadb"])
def source(request: pytest.FixtureRequest) -> Source:
    return request.getfixturevalue(request.param)


def config(source: Source, **options: Any) -> FeedConfig:
    query = (
        "SELECT ma_huyen, ky, ma_chi_tieu, gia_tri, cap_nhat"
        f" FROM {source.table} WHERE cap_nhat > :since ORDER BY cap_nhat"
    )
    return FeedConfig.model_validate(
        {
            "id": "csdl_bao_cao",
            "type": "sql_query",
            "interval": 3600,
            "timeout": 60,
            "options": {
                "url": source.url,
                "query": query,
                "cursor": {"param": "since", "field": "cap_nhat", "initial": "2026-01-01"},
                "timeout_s": 10,
                "mapping": {
                    "area": {"code": "ma_huyen"},
                    "period": {"field": "ky", "format": "mm/yyyy"},
                    "source_time": {"field": "cap_nhat", "format": "iso8601"},
                    "observations": [
                        {
                            "metric_field": "ma_chi_tieu",
                            "metric_map": METRICS,
                            "unmapped_metric": "skip",
                            "field": "gia_tri",
                        }
                    ],
                },
                **options,
            },
        }
    )


def test_reads_incrementally_and_a_rerun_changes_nothing(
    store: Store, clock: Clock, source: Source
) -> None:
    runner = FeedRunner(store, [config(source)], clock=clock)
    first = runner.run("csdl_bao_cao")
    assert (first.status, first.accepted, first.rejected) == ("partial", 3, 1)
    health = {h.id: h for h in store.queries.feed_health()}["csdl_bao_cao"]
    assert health.checkpoint == "2026-11-03 09:30:00"
    again = runner.run("csdl_bao_cao")  # nothing newer than the checkpoint
    assert (again.status, again.accepted, again.changed) == ("ok", 0, 0)

    _insert(source.url, source.table, [("941", "10/2026", "DL01", "1.300", datetime(2026, 11, 4))])
    third = runner.run("csdl_bao_cao")
    assert (third.accepted, third.changed) == (1, 1)
    with store.engine.connect() as conn:
        value = conn.execute(
            text("SELECT value FROM observations WHERE area_code = '941' ORDER BY value")
        ).scalars()
        assert list(value) == [1300.0, 30480.0]
        kept = conn.execute(
            select(ObservationRow.source_time).where(ObservationRow.area_code == "943")
        ).scalar_one()
    # the source's naive local time, kept as the UTC instant it names
    assert kept == datetime(2026, 11, 3, 2, 30, tzinfo=UTC)


def test_a_query_that_is_not_one_select_is_refused_at_config_time(source: Source) -> None:
    with pytest.raises(ValidationError, match="only a SELECT is allowed"):
        config(source, query=f"DELETE FROM {source.table}")
    with pytest.raises(ValidationError, match="cursor parameter :since is not used"):
        config(source, query=f"SELECT * FROM {source.table}")


def test_a_truncated_result_without_a_cursor_fails(
    store: Store, clock: Clock, source: Source
) -> None:
    query = f"SELECT * FROM {source.table}"
    cfg = config(source, query=query, cursor=None, row_limit=2)
    report = FeedRunner(store, [cfg], clock=clock).run("csdl_bao_cao")
    assert (report.status, report.error_kind) == ("failed", "misconfigured")
    assert "more than row_limit (2) rows" in (report.error_text or "")


def test_a_password_in_the_url_never_reaches_the_stored_error(store: Store, clock: Clock) -> None:
    cfg = FeedConfig.model_validate(
        {
            "id": "csdl_bao_cao",
            "type": "sql_query",
            "interval": 3600,
            "options": {
                "url": "postgresql+psycopg://ioc:M4tKhau-bi-mat@127.0.0.1:1/khong_co",
                "query": "SELECT 1 AS x",
                "mapping": {
                    "area": {"fixed": "94"},
                    "period": {"field": "x", "format": "year"},
                    "observations": [{"metric": "tourism.visitors", "field": "x"}],
                },
            },
        }
    )
    report = FeedRunner(store, [cfg], clock=clock, sleep=lambda _: None).run("csdl_bao_cao")
    assert (report.status, report.error_kind) == ("failed", "unavailable")
    health = {h.id: h for h in store.queries.feed_health()}["csdl_bao_cao"]
    assert "M4tKhau-bi-mat" not in (health.last_error or "") + (report.error_text or "")

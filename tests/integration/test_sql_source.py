"""One read-only SELECT against the real PostgreSQL and MariaDB, as external sources."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text

from feeds.base import FeedBadData, FeedMisconfigured, FeedUnavailable
from feeds.sql_source import UnsafeQuery, check_select, run_query
from tests.conftest import PG_URL

MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"
ROWS = [
    (1, "TP. Sóc Trăng", 1234, datetime(2026, 10, 1, 8, 0)),
    (2, "Huyện Kế Sách", 567, datetime(2026, 10, 2, 8, 0)),
    (3, "Huyện Mỹ Tú", 89, datetime(2026, 10, 3, 8, 0)),
    (4, "Thị xã Vĩnh Châu", 10, datetime(2026, 10, 4, 8, 0)),
]


@dataclass(frozen=True)
class Source:
    url: str
    table: str  # qualified name of the table holding ROWS
    writer: str  # a function that inserts into the table when called
    sleep: str  # an expression sleeping 3 s


def _mariadb_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 3306), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres(pg_server: str) -> Iterator[Source]:
    schema = f"ext_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(
            text(
                f"CREATE TABLE {schema}.ho_so (id int PRIMARY KEY, don_vi text, so_ho_so int,"
                " cap_nhat timestamp)"
            )
        )
        conn.execute(
            text(f"INSERT INTO {schema}.ho_so VALUES (:a, :b, :c, :d)"),
            [dict(zip("abcd", row, strict=True)) for row in ROWS],
        )
        conn.execute(
            text(
                f"CREATE FUNCTION {schema}.ghi() RETURNS int LANGUAGE sql AS"
                f" $$ INSERT INTO {schema}.ho_so VALUES (99, 'x', 0, now()) RETURNING 1 $$"
            )
        )
    yield Source(PG_URL, f"{schema}.ho_so", f"{schema}.ghi()", "pg_sleep(3)")
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def mariadb() -> Iterator[Source]:
    if not _mariadb_up():
        pytest.fail("MariaDB at 127.0.0.1:3306 is down (.ci/run starts it)", pytrace=False)
    suffix = uuid.uuid4().hex[:8]
    table, function = f"ho_so_{suffix}", f"ghi_{suffix}"
    engine = create_engine(MARIADB_URL)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {table} (id int PRIMARY KEY, don_vi varchar(100),"
                " so_ho_so int, cap_nhat datetime) DEFAULT CHARSET=utf8mb4"
            )
        )
        conn.execute(
            text(f"INSERT INTO {table} VALUES (:a, :b, :c, :d)"),
            [dict(zip("abcd", row, strict=True)) for row in ROWS],
        )
        conn.execute(
            text(
                f"CREATE FUNCTION {function}() RETURNS int MODIFIES SQL DATA"
                f" BEGIN INSERT INTO {table} VALUES (99, 'x', 0, NOW()); RETURN 1; END"
            )
        )
    yield Source(MARIADB_URL, table, f"{function}()", "SLEEP(3)")
    with engine.begin() as conn:
        conn.execute(text(f"DROP FUNCTION {function}"))
        conn.execute(text(f"DROP TABLE {table}"))
    engine.dispose()


@pytest.fixture(params=["postgres", "mariadb"])
def source(request: pytest.FixtureRequest) -> Source:
    return request.getfixturevalue(request.param)


def _count(source: Source) -> int:
    engine = create_engine(source.url)
    with engine.connect() as conn:
        count = conn.execute(text(f"SELECT count(*) FROM {source.table}")).scalar_one()
    engine.dispose()
    return int(count)


def test_a_select_with_a_bound_cursor(source: Source) -> None:
    result = run_query(
        source.url,
        f"SELECT id, don_vi, so_ho_so, cap_nhat FROM {source.table}"
        " WHERE cap_nhat > :since ORDER BY id;",
        {"since": datetime(2026, 10, 2, 8, 0)},
    )
    assert result.columns == ["id", "don_vi", "so_ho_so", "cap_nhat"]
    assert result.rows == [
        {"id": 3, "don_vi": "Huyện Mỹ Tú", "so_ho_so": 89, "cap_nhat": datetime(2026, 10, 3, 8)},
        {
            "id": 4,
            "don_vi": "Thị xã Vĩnh Châu",
            "so_ho_so": 10,
            "cap_nhat": datetime(2026, 10, 4, 8),
        },
    ]
    assert result.truncated is False


def test_the_row_limit_stops_and_says_so(source: Source) -> None:
    query = f"SELECT id FROM {source.table} ORDER BY id"
    limited = run_query(source.url, query, row_limit=3)
    assert [row["id"] for row in limited.rows] == [1, 2, 3]
    assert limited.truncated is True
    exact = run_query(source.url, query, row_limit=4)
    assert len(exact.rows) == 4
    assert exact.truncated is False


def test_the_statement_timeout_fires(source: Source) -> None:
    with pytest.raises(FeedUnavailable, match=r"longer than 0.5 s and was cancelled"):
        run_query(source.url, f"SELECT {source.sleep} AS s", timeout_seconds=0.5)


def test_a_write_through_a_function_fails_in_the_read_only_transaction(source: Source) -> None:
    with pytest.raises(FeedBadData, match=r"(?i)read.only"):
        run_query(source.url, f"SELECT {source.writer} AS x")
    assert _count(source) == len(ROWS)


def test_a_writing_cte_is_refused_before_it_reaches_the_server(postgres: Source) -> None:
    query = f"WITH d AS (DELETE FROM {postgres.table} RETURNING id) SELECT id FROM d"
    with pytest.raises(UnsafeQuery, match="DELETE"):
        run_query(postgres.url, query)
    assert _count(postgres) == len(ROWS)


def test_postgres_refuses_writes_even_past_the_parser(postgres: Source) -> None:
    """The transaction itself is read-only: nextval, a write the parser cannot see, fails."""
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SEQUENCE {postgres.table}_seq"))
    engine.dispose()
    with pytest.raises(FeedBadData, match="read-only transaction"):
        run_query(postgres.url, f"SELECT nextval('{postgres.table}_seq') AS n")


def test_the_connection_is_closed_afterwards(postgres: Source) -> None:
    marker = f"ioc-{uuid.uuid4().hex[:6]}"
    url = f"{PG_URL}?application_name={marker}"
    run_query(url, "SELECT 1 AS one")
    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :m"), {"m": marker}
        ).scalar_one()
    engine.dispose()
    assert left == 0


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELECT 1; DROP TABLE ho_so", "exactly one statement"),
        ("SELECT 1; SELECT 2", "exactly one statement"),
        ("DELETE FROM ho_so", "only a SELECT"),
        ("INSERT INTO ho_so VALUES (1)", "only a SELECT"),
        ("UPDATE ho_so SET so_ho_so = 0", "only a SELECT"),
        ("DROP TABLE ho_so", "only a SELECT"),
        ("CREATE TABLE x (a int)", "only a SELECT"),
        ("TRUNCATE ho_so", "only a SELECT"),
        ("CALL ghi()", "only a SELECT"),
        ("SELECT * INTO sao_chep FROM ho_so", "INTO"),
        ("SELECT * FROM ho_so FOR UPDATE", "LOCK"),
        ("SELECT * FROM ho_so LOCK IN SHARE MODE", "LOCK"),
        ("WITH d AS (DELETE FROM ho_so RETURNING *) SELECT * FROM d", "DELETE"),
        ("WITH u AS (UPDATE ho_so SET a = 1 RETURNING *) SELECT * FROM u", "UPDATE"),
        ("SELECT 1 /*! ; DROP TABLE ho_so */", "executable comment"),
        ("SELECT 1 /*M!100000 ; DROP TABLE ho_so */", "executable comment"),
        ("SELECT 1 INTO OUTFILE '/tmp/x'", "cannot be parsed"),
    ],
)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_anything_but_one_select_is_refused(query: str, reason: str, dialect: str) -> None:
    with pytest.raises(UnsafeQuery, match=reason):
        check_select(query, dialect)


def test_comments_hide_nothing() -> None:
    assert (
        check_select("SELECT a -- ; DROP TABLE t\nFROM t") == "SELECT a -- ; DROP TABLE t\nFROM t"
    )
    with pytest.raises(UnsafeQuery, match="exactly one statement"):
        check_select("SELECT a /* x */; /* y */ DELETE FROM t")


def test_unions_and_ctes_of_selects_are_allowed() -> None:
    check_select("WITH x AS (SELECT 1 AS a) SELECT a FROM x UNION ALL SELECT 2")


def test_refused_queries_never_reach_the_server(source: Source) -> None:
    with pytest.raises(UnsafeQuery):
        run_query(source.url, f"DELETE FROM {source.table}")
    assert _count(source) == len(ROWS)


def test_an_unsupported_database_is_a_configuration_error() -> None:
    with pytest.raises(FeedMisconfigured, match="not mssql"):
        run_query("mssql+pyodbc://x/y", "SELECT 1")


def test_sqlite_sources_are_read_only_too(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'nguon.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (a int)"))
        conn.execute(text("INSERT INTO t VALUES (1), (2)"))
    engine.dispose()
    assert run_query(url, "SELECT a FROM t ORDER BY a").rows == [{"a": 1}, {"a": 2}]
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with pytest.raises(FeedUnavailable, match="cancelled"):
        run_query(url, slow, timeout_seconds=0.2)

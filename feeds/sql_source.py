"""Read an external database with exactly one SELECT, in a read-only, time- and row-bounded run."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlglot import exp

from feeds.base import FeedBadData, FeedMisconfigured, FeedUnavailable
from feeds.mapping.columns import ColumnRecords

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_ROW_LIMIT = 100_000
_FETCH_BATCH = 1_000
# Nodes that write, lock, or escape the parser: anywhere in the tree, they refuse the query.
_FORBIDDEN: tuple[type[exp.Expr], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Command,
    exp.Into,
    exp.Lock,
    exp.Set,
    exp.Copy,
)
# MySQL runs the text of /*! ... */ and MariaDB of /*M! ... */ comments as SQL.
_EXECUTABLE_COMMENT = re.compile(r"/\*\s*M?!")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # sqlglot underlines the bad token for terminals
DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}


class UnsafeQuery(FeedMisconfigured):
    """The configured query is not exactly one read-only SELECT."""


@dataclass(frozen=True, kw_only=True)
class QueryResult:
    columns: list[str]
    rows: Sequence[dict[str, Any]]
    truncated: bool  # more rows than the limit: only the first `limit` are in `rows`


def check_select(sql: str, dialect: str | None = None) -> str:
    """The query without a trailing `;`, if it is exactly one SELECT; else UnsafeQuery.

    Parsed with sqlglot in the database's dialect: one statement only; its root a SELECT or
    a UNION/INTERSECT/EXCEPT of SELECTs; no write, DDL, SELECT ... INTO, FOR UPDATE/SHARE
    or SET anywhere (including CTEs: WITH d AS (DELETE ...) SELECT ...); no text the parser
    could not understand; no MySQL executable comment. Functions that write or sleep are
    not looked for: the read-only transaction stops the writes and the statement timeout
    the sleeps.
    """
    if _EXECUTABLE_COMMENT.search(sql):
        raise UnsafeQuery("the query holds a MySQL executable comment (/*! ... */)")
    query = sql.strip().removesuffix(";").strip()
    try:
        statements = [s for s in sqlglot.parse(query, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError as error:
        reason = _ANSI.sub("", str(error))
        raise UnsafeQuery(f"the query cannot be parsed as one SELECT: {reason}") from error
    if len(statements) != 1:
        raise UnsafeQuery(f"exactly one statement is allowed, found {len(statements)}")
    root = statements[0]
    if not isinstance(root, exp.Select | exp.SetOperation):
        raise UnsafeQuery(f"only a SELECT is allowed, found {root.key.upper()}")
    for node in root.walk():
        if isinstance(node, _FORBIDDEN):
            raise UnsafeQuery(f"the SELECT holds a forbidden {node.key.upper()} clause")
    return query


def run_query(
    url: str,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    row_limit: int = DEFAULT_ROW_LIMIT,
) -> QueryResult:
    """Run one checked SELECT with bound `params` (e.g. {"since": checkpoint}).

    The connection is opened for this run only (NullPool) and closed afterwards; the
    transaction is READ ONLY and rolled back; the statement is cancelled by the server
    after `timeout_seconds`; at most `row_limit` + 1 rows are fetched.
    """
    backend = make_url(url).get_backend_name()
    if backend not in DIALECTS:
        raise FeedMisconfigured(
            f"sql_query supports postgresql, mysql/mariadb and sqlite, not {backend}"
        )
    query = check_select(sql, DIALECTS[backend])
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            _guard(conn, backend, timeout_seconds)
            try:
                return _fetch(conn, query, dict(params or {}), row_limit)
            finally:
                conn.rollback()
    except OperationalError as error:
        raise _operational(error, timeout_seconds) from error
    except DBAPIError as error:
        raise FeedBadData(f"the database refused the query: {error.orig}") from error
    except SQLAlchemyError as error:
        raise FeedMisconfigured(f"the query could not run: {error}") from error
    finally:
        engine.dispose()


def _guard(conn: Connection, backend: str, timeout_seconds: float) -> None:
    """Make the transaction read-only and give the server a statement timeout."""
    if backend == "postgresql":
        # READ ONLY must come before any query of the transaction; SET LOCAL ends with it.
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_seconds * 1000)}")
    elif backend in ("mysql", "mariadb"):
        version = str(conn.exec_driver_sql("SELECT VERSION()").scalar())
        if "mariadb" in version.lower():
            conn.exec_driver_sql(f"SET SESSION max_statement_time = {float(timeout_seconds)}")
        else:
            conn.exec_driver_sql(f"SET SESSION max_execution_time = {int(timeout_seconds * 1000)}")
        conn.exec_driver_sql("START TRANSACTION READ ONLY")
    else:
        _guard_sqlite(conn, timeout_seconds)


def _guard_sqlite(conn: Connection, timeout_seconds: float) -> None:
    conn.exec_driver_sql("PRAGMA query_only = ON")
    raw = conn.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection):
        deadline = time.monotonic() + timeout_seconds
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)


def _fetch(conn: Connection, query: str, params: dict[str, Any], limit: int) -> QueryResult:
    result = conn.execution_options(stream_results=True).execute(text(query), params)
    columns = list(result.keys())
    rows: list[Sequence[Any]] = []
    while len(rows) <= limit:
        batch = result.fetchmany(min(_FETCH_BATCH, limit + 1 - len(rows)))
        if not batch:
            break
        rows.extend(batch)
    result.close()
    truncated = len(rows) > limit
    return QueryResult(columns=columns, rows=_records(columns, rows[:limit]), truncated=truncated)


def _records(columns: list[str], rows: list[Sequence[Any]]) -> Sequence[dict[str, Any]]:
    """The rows as records by column name; a name given twice (SELECT a, a) keeps the last."""
    if len(set(columns)) == len(columns):
        return ColumnRecords(columns, rows)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _operational(error: OperationalError, timeout_seconds: float) -> Exception:
    message = str(error.orig)
    lowered = message.lower()
    if (
        "statement timeout" in lowered
        or "max_statement_time" in lowered
        or "interrupted" in lowered
    ):
        return FeedUnavailable(f"the query ran longer than {timeout_seconds:g} s and was cancelled")
    if "read-only" in lowered or "read only" in lowered:
        return FeedBadData(f"the query tried to write in a read-only transaction: {message}")
    return FeedUnavailable(f"the database is unreachable or failed: {message}")

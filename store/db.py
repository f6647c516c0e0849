"""Engine creation: SQLite in WAL mode with sane pragmas, or PostgreSQL via psycopg 3; both
with bounded waits (connect, statement, pool, busy) and a guard against a lost database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from store.guard import DatabaseGuard, Timeouts


class DatabaseLocationError(Exception):
    """The SQLite file cannot be where the URL puts it."""


def _sqlite_pragmas(busy_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: the backfill touches the whole index
        cursor.close()

    return set_pragmas


def make_engine(url: str, timeouts: Timeouts | None = None, **kwargs: Any) -> Engine:
    """An engine for the URL. A SQLite file's folder is created when its parent exists (a
    folder missing further up is an error, not a tree made by a typo); SQLite waits for
    locks at most `statement_s`; PostgreSQL connects within `connect_s`, stops statements
    after `statement_s` and waits `pool_s` at most for a pooled connection."""
    engine, _guard = guarded_engine(url, timeouts or Timeouts(), **kwargs)
    return engine


def guarded_engine(url: str, timeouts: Timeouts, **kwargs: Any) -> tuple[Engine, DatabaseGuard]:
    parsed = make_url(url)
    connect_args = dict(kwargs.pop("connect_args", {}))
    if parsed.get_backend_name() == "sqlite":
        _sqlite_folder(parsed.database)
        connect_args.setdefault("timeout", timeouts.statement_s)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(timeouts.statement_s * 1000))
    else:
        connect_args.setdefault("connect_timeout", timeouts.connect_s)
        options = connect_args.get("options", parsed.query.get("options", ""))
        statement = f"-c statement_timeout={timeouts.statement_s * 1000}"
        connect_args["options"] = f"{options} {statement}".strip()
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("pool_timeout", timeouts.pool_s)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
    return engine, DatabaseGuard(engine, timeouts, _connector(engine, connect_args))


def _sqlite_folder(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).parent
    if folder.is_dir():
        return
    if not folder.parent.is_dir():
        raise DatabaseLocationError(f"folder {folder} does not exist")
    folder.mkdir()


def _connector(engine: Engine, connect_args: dict[str, Any]) -> Callable[[], Any]:
    """Opens a DBAPI connection outside the pool and its events (the guard's probe)."""
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    cparams.update(connect_args)

    def connect() -> Any:
        return engine.dialect.connect(*cargs, **cparams)

    return connect

"""Open the store at start-up, or stop with one line naming what is wrong with the database
(unreachable, missing, not a database, read-only) and exit code 2: never a traceback."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from store import Store
from store.db import DatabaseLocationError
from store.guard import DatabaseUnavailable, Timeouts

if TYPE_CHECKING:
    from settings import DatabaseConfig

EXIT_DATABASE = 2
HEADLINE = "Không dùng được cơ sở dữ liệu / database unusable"
_STARTUP_FAULTS = (DatabaseLocationError, DatabaseUnavailable, sa_exc.DBAPIError, OSError)


class ReadOnlyDatabase(Exception):
    """The database opens but refuses writes; the app must write to it."""


def timeouts_of(config: DatabaseConfig) -> Timeouts:
    return Timeouts(
        connect_s=config.connect_timeout,
        statement_s=config.statement_timeout,
        pool_s=config.pool_timeout,
        probe_s=config.probe_timeout,
    )


def open_store_or_exit(config: DatabaseConfig) -> Store:
    """The ready store; on a database fault, one line on stderr and exit code 2."""
    try:
        return Store.open(config.url, timeouts_of(config), preflight=check_writable)
    except (*_STARTUP_FAULTS, ReadOnlyDatabase) as exc:
        _exit(describe_fault(exc), config.url)


def check_writable(engine: Engine) -> None:
    """Connect once and make sure the database takes writes, before any migration runs."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            if conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                raise ReadOnlyDatabase("transactions are read-only")
            return
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:  # a write that changes nothing and is rolled back: refused on a read-only file
            version = cursor.execute("PRAGMA user_version").fetchone()[0]
            raw.commit()
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(f"PRAGMA user_version = {int(version)}")
        except Exception as exc:
            if "readonly" in str(exc) or "read-only" in str(exc):
                raise ReadOnlyDatabase(str(exc)) from exc
            raise
        finally:
            raw.rollback()
            cursor.close()


def describe_fault(exc: BaseException) -> str:
    """A short English reason for the database fault (the driver's first line, classified)."""
    original = exc.orig if isinstance(exc, sa_exc.DBAPIError) and exc.orig else exc
    text = _first_line(original)
    lowered = text.lower()
    sqlstate = getattr(original, "sqlstate", None)
    if isinstance(exc, ReadOnlyDatabase) or "readonly" in lowered or sqlstate == "25006":
        return f"read-only, but the dashboard must write to it ({text})"
    if isinstance(exc, DatabaseLocationError):
        return f"missing: {text}"
    if sqlstate == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return f"missing: {text}"
    if "file is not a database" in lowered or "malformed" in lowered:
        return f"not a SQLite database (corrupt or another kind of file): {text}"
    if "unable to open database file" in lowered:
        return f"cannot open the file: {text}"
    if sqlstate in {"28P01", "28000"}:
        return f"sign-in refused: {text}"
    if isinstance(exc, DatabaseUnavailable | sa_exc.OperationalError | OSError):
        return f"unreachable: {text}"
    return text


def redact(url: str) -> str:
    """The URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "<unparsable database URL>"


def _exit(reason: str, url: str) -> NoReturn:
    line = f"{HEADLINE}: {reason} — {redact(url)}"
    password = _password(url)
    if password:
        line = line.replace(password, "***")
    print(line, file=sys.stderr, flush=True)
    raise SystemExit(EXIT_DATABASE)


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except sa_exc.ArgumentError:
        return None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0][:300] if lines else type(exc).__name__

"""Bounded database faults: statements and pings that outlive their deadline are aborted, a
lost database fails fast instead of hanging callers, and a probe notices when it returns."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)
TICK_S = 0.05  # how often the watchdog looks at what is running
GRACE_S = 2.0  # past the server's statement timeout, before the client gives up itself
FRESH_PROBE_S = 0.5  # a successful probe this recent answers a health check by itself
_ACTIVE = 1  # libpq's PQTRANS_ACTIVE: a command is in progress on the connection


class DatabaseUnavailable(Exception):
    """The database is known to be lost: the caller is refused at once instead of waiting."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long each kind of wait on the database may last (seconds)."""

    connect_s: int = 3
    statement_s: int = 15
    pool_s: int = 2
    probe_s: float = 1.0
    retry_s: float = 1.0  # between probes while the database is lost


@dataclass(frozen=True, slots=True)
class Lost:
    since: float  # monotonic
    reason: str


@dataclass
class _Busy:
    dbapi: Any
    deadline: float
    what: str


def is_database_fault(exc: BaseException) -> bool:
    """Whether the exception means "the database cannot be used now" (not a bug in a query)."""
    if isinstance(exc, DatabaseUnavailable | sa_exc.TimeoutError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    return False


class DatabaseGuard:
    """One per engine. Registers the engine's events; `reachable()` answers within `probe_s`."""

    def __init__(self, engine: Engine, timeouts: Timeouts, connect: Callable[[], Any]) -> None:
        self.engine = engine
        self.timeouts = timeouts
        self._connect = connect  # a fresh DBAPI connection outside the pool, for probes
        self._lock = threading.Lock()
        self._lost: Lost | None = None
        self._busy: dict[int, _Busy] = {}
        self._tracked: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        self._active_since: dict[int, float] = {}
        self._probe_done: threading.Event | None = None
        self._probe_ok_at = 0.0
        self._probe_ok = False  # the last probe's answer
        self._armed = False  # until the store is ready, a fault is the start-up's to report
        _GUARDS[engine] = self
        _install(self)

    def arm(self) -> None:
        """From now on a lost database is recorded, logged and refused fast."""
        self._armed = True

    # -- state ---------------------------------------------------------------------------------
    @property
    def lost(self) -> Lost | None:
        return self._lost

    def check(self) -> None:
        """Raise DatabaseUnavailable while the database is lost (and keep probing for it)."""
        lost = self._lost
        if lost is not None:
            self._start_probe()
            raise DatabaseUnavailable(f"database unavailable: {lost.reason}")

    def reachable(self) -> bool:
        """True when the database answers a probe within `probe_s` (never waits longer)."""
        if self._lost is not None:
            self._start_probe()
            return False
        if time.monotonic() - self._probe_ok_at < FRESH_PROBE_S:
            return True
        done = self._start_probe()
        if not done.wait(self.timeouts.probe_s):
            self.mark_lost(f"no answer within {self.timeouts.probe_s:g} s")
            return False
        return self._lost is None and self._probe_ok

    def mark_lost(self, reason: str) -> None:
        """Record the loss (logged once) and abort whatever still waits on the database."""
        if not self._armed:
            return
        with self._lock:
            first = self._lost is None
            if first:
                self._lost = Lost(time.monotonic(), reason[:300])
            running = [b.dbapi for b in self._busy.values()]
            running += [c for c in list(self._tracked.values()) if _in_progress(c)]
        if first:
            log.warning("database lost: %s", reason[:300])
        for dbapi in running:
            _abort(dbapi)
        self._start_probe()

    def _mark_ok(self) -> None:
        with self._lock:
            lost, self._lost = self._lost, None
            self._probe_ok_at = time.monotonic()
        if lost is not None:
            log.info("database back after %.1f s", time.monotonic() - lost.since)

    # -- bounded waits -------------------------------------------------------------------------
    @contextmanager
    def bounded(self, dbapi: Any, seconds: float, what: str) -> Iterator[None]:
        """Abort the connection if the block is still waiting on it after `seconds`."""
        key = id(dbapi)
        with self._lock:
            self._busy[key] = _Busy(dbapi, time.monotonic() + seconds, what)
        try:
            yield
        finally:
            with self._lock:
                self._busy.pop(key, None)

    def tick(self, now: float) -> None:
        """The watchdog's look: abort overdue waits; a connection busy past the statement
        deadline outside SQLAlchemy's view (a driver-level COPY) is aborted too."""
        with self._lock:
            overdue = [k for k, b in self._busy.items() if b.deadline <= now]
            overdue_busy = [self._busy.pop(k) for k in overdue]
            stuck = self._stuck(now)
        for busy in overdue_busy:
            self.mark_lost(f"{busy.what} got no answer in time")
            _abort(busy.dbapi)
        for dbapi in stuck:
            self.mark_lost("a statement got no answer in time")
            _abort(dbapi)

    def _stuck(self, now: float) -> list[Any]:
        limit = self.timeouts.statement_s + GRACE_S
        stuck = []
        for key, dbapi in list(self._tracked.items()):
            if key in self._busy or not _in_progress(dbapi):
                self._active_since.pop(key, None)
                continue
            since = self._active_since.setdefault(key, now)
            if now - since > limit:
                stuck.append(dbapi)
                self._active_since.pop(key, None)
        return stuck

    # -- probing -------------------------------------------------------------------------------
    def _start_probe(self) -> threading.Event:
        """The event of the running probe round, starting one if none runs."""
        with self._lock:
            if self._probe_done is None:
                self._probe_done = threading.Event()
                threading.Thread(target=self._probe_loop, name="db-probe", daemon=True).start()
            return self._probe_done

    def _probe_loop(self) -> None:
        """Probe once; while the database is lost, probe again every `retry_s`."""
        while True:
            ok = self._probe_once()
            self._probe_ok = ok
            if ok:
                self._mark_ok()
            with self._lock:
                done, self._probe_done = self._probe_done, None
                again = not ok and self._lost is not None
                if again:  # callers from now on wait for the next round
                    self._probe_done = threading.Event()
            if done is not None:
                done.set()
            if not again:
                return
            time.sleep(self.timeouts.retry_s)

    def _probe_once(self) -> bool:
        try:
            dbapi = self._connect()
        except Exception as exc:
            self.mark_lost(_first_line(exc))
            return False
        try:
            with self.bounded(dbapi, self.timeouts.probe_s + GRACE_S, "the health probe"):
                self.engine.dialect.do_ping(dbapi)
            return True
        except Exception as exc:
            self.mark_lost(_first_line(exc))
            return False
        finally:
            try:
                dbapi.close()
            except Exception:  # closing a broken probe connection cannot fail the probe
                log.debug("closing the probe connection failed", exc_info=True)

    # -- engine events -------------------------------------------------------------------------
    def on_connect(self, dbapi: Any, _record: Any) -> None:
        if getattr(dbapi, "pgconn", None) is not None:  # only a network driver can hang
            self._tracked[id(dbapi)] = dbapi

    def on_do_connect(self, *_args: Any) -> None:
        """A new connection waits at least libpq's 2 s when the server hangs: a bounded
        probe first refuses it within `probe_s` instead."""
        self.check()
        if self._armed and not self.reachable():
            self.check()

    def on_checkout(self, dbapi: Any, _record: Any, _proxy: Any) -> None:
        """Fail fast while lost; otherwise a ping bounded by `probe_s` (a dead or hung pooled
        connection is replaced instead of hanging the caller)."""
        self.check()
        try:
            with self.bounded(dbapi, self.timeouts.probe_s, "a pooled connection"):
                self.engine.dialect.do_ping(dbapi)
        except Exception as exc:
            self.check()  # the ping's deadline marked the database lost: refuse at once
            raise sa_exc.DisconnectionError(_first_line(exc)) from exc

    def before_execute(self, conn: Any, *_args: Any) -> None:
        """Bound the statement on the client too (the server's own timeout cannot fire when
        the server no longer hears us); `statement_timeout_s` widens it (migrations)."""
        dbapi = conn.connection.dbapi_connection
        key = id(dbapi)
        limit = conn.get_execution_options().get("statement_timeout_s", self.timeouts.statement_s)
        deadline = time.monotonic() + limit + GRACE_S
        with self._lock:
            self._busy[key] = _Busy(dbapi, deadline, "a statement")

    def after_execute(self, conn: Any, *_args: Any) -> None:
        with self._lock:
            self._busy.pop(id(conn.connection.dbapi_connection), None)

    def on_error(self, context: Any) -> None:
        raw = getattr(context.connection, "connection", None) if context.connection else None
        if raw is not None:
            with self._lock:
                self._busy.pop(id(raw.dbapi_connection), None)
        if context.is_disconnect or _connection_level(context.original_exception):
            self.mark_lost(_first_line(context.original_exception))


_GUARDS: weakref.WeakKeyDictionary[Engine, DatabaseGuard] = weakref.WeakKeyDictionary()


@contextmanager
def driver_work(engine: Engine, dbapi: Any, statements: int, what: str) -> Iterator[None]:
    """Bound driver-level work that SQLAlchemy's statement events do not see (a COPY, then
    the upsert of what it staged) as `statements` statements' worth of time. Unbounded, the
    watchdog would see one connection busy from the first statement to the last, gaps
    shorter than its tick included, and take statements that follow each other for one
    that got no answer."""
    guard = _GUARDS.get(engine)
    if guard is None:
        yield
        return
    limit = statements * (guard.timeouts.statement_s + GRACE_S)
    with guard.bounded(dbapi, limit, what):
        yield


def _install(guard: DatabaseGuard) -> None:
    engine = guard.engine
    event.listen(engine, "connect", guard.on_connect)
    event.listen(engine, "do_connect", guard.on_do_connect)
    event.listen(engine, "checkout", guard.on_checkout)
    event.listen(engine, "before_cursor_execute", guard.before_execute)
    event.listen(engine, "after_cursor_execute", guard.after_execute)
    event.listen(engine, "handle_error", guard.on_error)
    _Watchdog.instance().watch(guard)


class _Watchdog:
    """One thread per process looks at every guard's waits every TICK_S."""

    _instance: _Watchdog | None = None
    _create = threading.Lock()

    def __init__(self) -> None:
        self._guards: weakref.WeakSet[DatabaseGuard] = weakref.WeakSet()
        threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()

    @classmethod
    def instance(cls) -> _Watchdog:
        with cls._create:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def watch(self, guard: DatabaseGuard) -> None:
        self._guards.add(guard)

    def _run(self) -> None:
        while True:
            time.sleep(TICK_S)
            now = time.monotonic()
            for guard in list(self._guards):
                try:
                    guard.tick(now)
                except Exception:  # the watchdog must outlive any one guard's trouble
                    log.exception("database watchdog")


def _in_progress(dbapi: Any) -> bool:
    pgconn = getattr(dbapi, "pgconn", None)
    return pgconn is not None and pgconn.transaction_status == _ACTIVE


def _abort(dbapi: Any) -> None:
    """End the wait on this connection now: the caller gets an error, the pool a dead
    connection it replaces. psycopg: shut the socket down; SQLite: interrupt the statement."""
    pgconn = getattr(dbapi, "pgconn", None)
    try:
        if pgconn is not None:
            fd = pgconn.socket
            with socket.socket(fileno=os.dup(fd)) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        elif hasattr(dbapi, "interrupt"):
            dbapi.interrupt()
    except Exception:  # already closed: nothing left to abort
        log.debug("aborting a database wait failed", exc_info=True)


def _connection_level(exc: BaseException | None) -> bool:
    """psycopg's errors about the connection itself carry no SQLSTATE (refused, reset,
    closed); errors of a statement (timeout, deadlock, constraint) do."""
    return (
        exc is not None
        and type(exc).__module__.startswith("psycopg")
        and type(exc).__name__ == "OperationalError"
        and getattr(exc, "sqlstate", "") is None
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__

"""Read connections: without a transaction, and one per request shared by all its reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, Engine


class _Lease:
    """A connection opened at the first read that needs one, kept until the holder ends."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def get(self) -> Connection:
        if self.connection is None or self.connection.closed:
            self.connection = self.engine.connect()
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


_LEASE: ContextVar[_Lease | None] = ContextVar("ioc_read_lease", default=None)


class ReadConnections:
    """Where the queries get their connections.

    Reads run in autocommit: a read needs no transaction, and each one otherwise costs a BEGIN
    and a ROLLBACK round trip on PostgreSQL. Inside `shared()` (a page callback's request)
    every read uses one connection, checked out (and pinged) once instead of once per read.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        lease = _LEASE.get()
        if lease is not None and lease.engine is self.engine:
            yield lease.get()
            return
        with self.engine.connect() as conn:
            yield conn

    def begin_shared(self) -> object:
        """Start sharing one connection in the current context; pass the token to
        `end_shared` (for hooks that cannot wrap the work in a `with` block)."""
        return _LEASE.set(_Lease(self.engine))

    def end_shared(self, token: object) -> None:
        lease = _LEASE.get()
        _LEASE.reset(token)  # type: ignore[arg-type]
        if lease is not None:
            lease.close()

    @contextmanager
    def shared(self) -> Iterator[None]:
        token = self.begin_shared()
        try:
            yield
        finally:
            self.end_shared(token)

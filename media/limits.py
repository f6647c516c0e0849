"""How many MJPEG relays may run at once, per viewer and per process, and for how long."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class StreamLimiter:
    """Counts open relays; `acquire` refuses past `per_client` for one client or `total`."""

    per_client: int
    total: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    open: Counter[str] = field(default_factory=Counter)

    def acquire(self, client: str) -> Lease | None:
        with self.lock:
            if self.open[client] >= self.per_client or self.running >= self.total:
                return None
            self.open[client] += 1
            return Lease(self, client)

    @property
    def running(self) -> int:
        return sum(self.open.values())


@dataclass
class Lease:
    """One running relay's place; released once, whoever ends the relay first."""

    limiter: StreamLimiter
    client: str
    released: bool = False

    def release(self) -> None:
        with self.limiter.lock:
            if self.released:
                return
            self.released = True
            self.limiter.open[self.client] -= 1
            if self.limiter.open[self.client] <= 0:
                del self.limiter.open[self.client]


class LeasedStream:
    """A relay body that ends at its lifetime and, when closed or ended, releases its lease and
    closes its source. A class, not a generator: the WSGI server calls close() even on a body
    it never started to read, and a generator's finally would not run then."""

    def __init__(
        self,
        chunks: Iterator[bytes],
        lease: Lease,
        lifetime_s: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._chunks = chunks
        self._lease = lease
        self._monotonic = monotonic
        self._deadline = monotonic() + lifetime_s

    def __iter__(self) -> LeasedStream:
        return self

    def __next__(self) -> bytes:
        if self._lease.released or self._monotonic() >= self._deadline:
            self.close()
            raise StopIteration
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._lease.release()
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

"""Relay places: per client and in total, given back once, and a relay ends at its lifetime."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from media.limits import LeasedStream, StreamLimiter

pytestmark = pytest.mark.unit


def test_places_are_limited_per_client_and_in_total() -> None:
    limiter = StreamLimiter(per_client=2, total=3)
    a1, a2 = limiter.acquire("a"), limiter.acquire("a")
    assert a1 and a2 and limiter.acquire("a") is None
    b1 = limiter.acquire("b")
    assert b1 and limiter.acquire("c") is None
    a1.release()
    a1.release()  # twice is once
    assert limiter.running == 2
    assert limiter.acquire("c") is not None


class _Source:
    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return b"frame"

    def close(self) -> None:
        self.closed = True


def test_a_relay_ends_at_its_lifetime_and_closes_its_source() -> None:
    now = [0.0]
    limiter = StreamLimiter(per_client=1, total=1)
    lease = limiter.acquire("a")
    assert lease is not None
    source = _Source()
    stream = LeasedStream(source, lease, lifetime_s=10, monotonic=lambda: now[0])
    assert next(stream) == b"frame"
    now[0] = 10.0
    assert list(stream) == []
    assert source.closed and limiter.running == 0


def test_closing_an_unread_relay_gives_its_place_back() -> None:
    limiter = StreamLimiter(per_client=1, total=1)
    lease = limiter.acquire("a")
    assert lease is not None
    source = _Source()
    LeasedStream(source, lease, lifetime_s=10).close()
    assert source.closed and limiter.running == 0

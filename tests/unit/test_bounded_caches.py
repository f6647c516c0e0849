"""Caches cannot leak: a failed computation keeps nothing, and every in-process cache stays
within its bound in entries and in bytes."""

from __future__ import annotations

import threading

import pytest
from dash import html

from dashboards.cache import LARGEST_SHARE, BoundedCache
from dashboards.wall_state import ScreenState, StateCache, state_bytes
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.unit


def _state(text: str) -> ScreenState:
    return ScreenState(items={0: [("d", html.Div(text))]})


def test_the_wall_cache_stays_within_its_bound_after_10000_failing_refreshes() -> None:
    cache = StateCache(size=32, max_bytes=64 * 1024)
    for n in range(40):  # some successful screens first, so the bound is reached
        cache.get(("default", 1, "94", "vi", n), lambda n=n: _state(f"screen {n}"))

    def failing() -> ScreenState:
        raise RuntimeError("database went away")

    for n in range(10_000):
        key = ("default", 1, "94", "vi", FIXED_NOW, n)  # a new minute / version each time
        with pytest.raises(RuntimeError):
            cache.get(key, failing)
    assert cache.computing == {}  # every failed key released
    assert len(cache.entries) <= 32
    assert cache.bytes <= cache.max_bytes
    assert cache.bytes == sum(size for _state, size in cache.entries.values())
    again = cache.get(("default", 1, "94", "vi", FIXED_NOW, 0), lambda: _state("back"))
    assert again.items[0][0][1].children == "back"  # a failed key computes again later


def test_the_wall_cache_is_bounded_in_bytes_not_only_in_entries() -> None:
    one = state_bytes(_state("x" * 1000))
    cache = StateCache(size=1000, max_bytes=one * 5)
    for n in range(50):
        cache.get(("k", n), lambda: _state("x" * 1000))
    assert len(cache.entries) == 5 and cache.bytes <= one * 5
    huge = cache.get(("huge",), lambda: _state("y" * one * 10))  # larger than the budget
    assert huge.items and ("huge",) not in cache.entries  # served, not kept


def test_one_computation_per_key_under_load() -> None:
    cache = StateCache(size=8, max_bytes=1 << 20)
    calls = []
    gate = threading.Event()

    def slow() -> ScreenState:
        calls.append(1)
        gate.wait(2)
        return _state("s")

    threads = [threading.Thread(target=cache.get, args=(("same",), slow)) for _ in range(8)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert len(calls) == 1


def test_the_result_cache_is_bounded_in_entries_and_bytes() -> None:
    cache = BoundedCache(threshold=100, max_bytes=200_000)
    for n in range(5_000):
        cache.set(f"k{n}", "v" * 1_000)
        assert len(cache._cache) <= 101 and cache.size_bytes <= 200_000
    assert cache.size_bytes == sum(len(v[1]) for v in cache._cache.values())
    assert cache.get("k4999") == "v" * 1_000  # the newest stay
    assert cache.get("k0") is None  # the oldest left


def test_a_result_too_large_to_share_the_cache_is_not_kept() -> None:
    cache = BoundedCache(threshold=100, max_bytes=80_000)
    cache.set("small", "s")
    assert cache.set("large", "x" * (80_000 // LARGEST_SHARE + 100)) is False
    assert cache.get("large") is None and cache.get("small") == "s"
    cache.delete("small")
    cache.clear()
    assert cache.size_bytes == 0

"""Many viewers, one query: reads cached by (query, scope, window, arguments, data version)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask
from flask_caching import Cache
from flask_caching.backends.simplecache import SimpleCache

from settings import CacheConfig
from store.province_context import province_kpis
from store.queries import Queries
from store.read_models import FeedHealth, KpiValue, Place, RunSummary, Trend, TrendPoint
from store.scope import ProvinceContext, Scope

T = TypeVar("T")
VERSION_TTL_S = 1  # the data version itself is re-read at most every second
LARGEST_SHARE = 8  # one result may fill at most 1/8 of the byte budget, else it is not kept


def make_cache(server: Flask, config: CacheConfig) -> Cache:
    options: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": config.default_timeout,
        "CACHE_KEY_PREFIX": "ioc:",
    }
    if config.redis_url:
        options.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=config.redis_url)
    else:
        options.update(
            CACHE_TYPE="dashboards.cache.BoundedCache",
            CACHE_THRESHOLD=config.max_entries,
            CACHE_OPTIONS={"max_bytes": config.max_bytes},
        )
    return Cache(server, config=options)


class _SizedDict(dict[str, Any]):
    """The cache's store, counting the bytes of the pickled values it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0

    def __setitem__(self, key: str, item: tuple[int, bytes]) -> None:
        self.pop(key, None)  # a new value moves the key to the end: evicted last
        super().__setitem__(key, item)
        self.bytes += len(item[1])

    def __delitem__(self, key: str) -> None:
        self.pop(key)

    def pop(self, key: str, *default: Any) -> Any:
        found = super().pop(key, *default)
        if isinstance(found, tuple):
            self.bytes -= len(found[1])
        return found

    def clear(self) -> None:
        super().clear()
        self.bytes = 0


class BoundedCache(SimpleCache):
    """The in-process cache bounded in entries (SimpleCache's threshold) and in bytes: the
    oldest results leave first; a result too large to share the budget is not kept."""

    def __init__(self, threshold: int = 500, max_bytes: int = 64 << 20, **kwargs: Any) -> None:
        super().__init__(threshold=threshold, **kwargs)
        self._cache: _SizedDict = _SizedDict()
        self.max_bytes = max_bytes

    @property
    def size_bytes(self) -> int:
        return self._cache.bytes

    def set(self, key: str, value: Any, timeout: Any = None) -> bool | None:
        data = self.serializer.dumps(value)
        with self._lock:
            if len(data) > self.max_bytes // LARGEST_SHARE:
                self._cache.pop(key, None)
                return False
            expires = self._normalize_timeout(timeout)
            self._prune()
            self._cache[key] = (expires, data)
            while self._cache.bytes > self.max_bytes and self._cache:
                self._cache.pop(next(iter(self._cache)))
        return True

    def add(self, key: str, value: Any, timeout: Any = None) -> bool:
        with self._lock:
            if self.has(key):
                return False
            return bool(self.set(key, value, timeout))


class CachedQueries:
    """The query layer behind a shared cache; same signatures as the reads it wraps."""

    def __init__(self, queries: Queries, cache: Cache) -> None:
        self.queries = queries
        self.cache = cache
        self.areas = queries.areas

    def kpis(self, scope: Scope, keys: Sequence[str]) -> dict[str, KpiValue]:
        return self._memo("kpis", scope, tuple(keys), lambda: self.queries.kpis(scope, keys))

    def province_kpis(self, context: ProvinceContext) -> dict[str, KpiValue]:
        """The province's values of public metrics (see `store.province_context`); the context
        itself was checked when it was built, and the read refuses a non-public key again."""
        return self._memo(
            "province_kpis",
            None,
            (context.window, context.keys),
            lambda: province_kpis(self.queries, context),
        )

    def area_values(
        self, scope: Scope, key: str, areas: Sequence[str] | None = None
    ) -> dict[str, float]:
        args = (key, tuple(areas) if areas is not None else None)
        return self._memo(
            "area_values", scope, args, lambda: self.queries.area_values(scope, key, areas)
        )

    def areas_values(
        self, scope: Scope, keys: Sequence[str], areas: Sequence[str] | None = None
    ) -> dict[str, dict[str, float]]:
        args = (tuple(keys), tuple(areas) if areas is not None else None)
        return self._memo(
            "areas_values", scope, args, lambda: self.queries.areas_values(scope, keys, areas)
        )

    def level_values(self, scope: Scope, key: str, level: str) -> dict[str, float]:
        # Keyed by the permitted root, not the area: every view of a level shares one read.
        self.queries.check(scope)
        root = scope.at_root().area
        return self._memo(
            "level_values",
            None,
            (root, scope.window, key, level),
            lambda: self.queries.level_values(scope, key, level),
        )

    def dim_values(
        self,
        scope: Scope,
        key: str,
        areas: Sequence[str] | None = None,
        members: Sequence[str] | None = None,
    ) -> dict[str, float]:
        args = (key, _tuple(areas), _tuple(members))
        return self._memo(
            "dim_values",
            scope,
            args,
            lambda: self.queries.dim_values(scope, key, areas, members),
        )

    def trend(self, scope: Scope, key: str, grain: str) -> Trend:
        return self._memo(
            "trend", scope, (key, grain), lambda: self.queries.trend(scope, key, grain)
        )

    def dim_trend(
        self,
        scope: Scope,
        key: str,
        grain: str,
        areas: Sequence[str] | None = None,
        members: Sequence[str] | None = None,
    ) -> dict[str, list[TrendPoint]]:
        args = (key, grain, _tuple(areas), _tuple(members))
        return self._memo(
            "dim_trend",
            scope,
            args,
            lambda: self.queries.dim_trend(scope, key, grain, areas, members),
        )

    def assets(self, scope: Scope, domain: str, kinds: Sequence[str] = ()) -> list[Place]:
        return self._memo(
            "assets",
            scope,
            (domain, tuple(kinds)),
            lambda: self.queries.assets(scope, domain, kinds),
        )

    def events(
        self, scope: Scope, domain: str, kinds: Sequence[str] = (), limit: int = 500
    ) -> list[Place]:
        return self._memo(
            "events",
            scope,
            (domain, tuple(kinds), limit),
            lambda: self.queries.events(scope, domain, kinds, limit),
        )

    def durations(
        self,
        scope: Scope,
        domain: str,
        kinds: Sequence[str],
        end_attribute: str,
        max_age: timedelta,
    ) -> tuple[list[float], list[float]]:
        return self._memo(
            "durations",
            scope,
            (domain, tuple(kinds), end_attribute, max_age),
            lambda: self.queries.durations(scope, domain, kinds, end_attribute, max_age),
        )

    def snapshot_times(self, scope: Scope) -> dict[str, datetime]:
        return self._memo("snapshot_times", scope, (), lambda: self.queries.snapshot_times(scope))

    def feed_health(self) -> list[FeedHealth]:
        return self._memo("feed_health", None, (), self.queries.feed_health)

    def last_runs(self) -> dict[str, RunSummary]:
        # A finished run moves the data version (the feeds' last run time), so this is fresh.
        return self._memo("last_runs", None, (), self.queries.last_runs)

    def version(self) -> str:
        """The data version (re-read at most every VERSION_TTL_S): moves with every write."""
        return self._version()

    def _version(self) -> str:
        version = self.cache.get("data-version")
        if version is None:
            version = self.queries.data_version()
            self.cache.set("data-version", version, timeout=VERSION_TTL_S)
        return str(version)

    def _memo(self, name: str, scope: Scope | None, args: tuple, compute: Callable[[], T]) -> T:
        if scope is not None:
            self.queries.check(scope)  # permission checks never come from the cache
        raw = repr((name, scope, args, self._version()))
        key = f"{name}:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"
        found = self.cache.get(key)
        if found is None:
            found = compute()
            self.cache.set(key, found)
        return found  # type: ignore[no-any-return]


def _tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None

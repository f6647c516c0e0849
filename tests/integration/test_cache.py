"""The shared result cache: one query serves many viewers; a write is seen at once; Redis works."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event

from dashboards.cache import CachedQueries, make_cache
from settings import CacheConfig
from store import Store
from store.records import Observation
from store.reference_writes import FeedSpec
from store.scope import ScopeError, Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.integration
KEY = "tourism.visitors"


def cached(store: Store, redis_url: str | None) -> CachedQueries:
    server = Flask(__name__)
    prefix = f"ioc-test-{uuid.uuid4().hex[:8]}:"
    cache = make_cache(server, CacheConfig(redis_url=redis_url, default_timeout=60))
    cache.cache.key_prefix = prefix
    return CachedQueries(store.queries, cache)


def write(store: Store, value: float, when=FIXED_NOW) -> None:  # type: ignore[no-untyped-def]
    day = local_midnight_utc((FIXED_NOW + timedelta(hours=7)).date())
    store.writer.sync_feeds([FeedSpec("t", "http_json", 60, True, False)])
    store.writer.write_records("t", [Observation(KEY, "94", day, value)], when)


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:6379/15"], ids=["local", "redis"])
def test_many_viewers_one_query_and_writes_invalidate(store: Store, redis_url: str | None) -> None:
    queries = cached(store, redis_url)
    scope = scope_within("94", Window.named("7d", FIXED_NOW))
    write(store, 10.0)
    selects: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda *args: selects.append(args[2]) if "observations" in args[2] else None,
    )
    values = [queries.kpis(scope, [KEY])[KEY].value for _ in range(50)]
    assert values == [10.0] * 50
    assert len(selects) <= 2  # current and previous window, once for 50 viewers
    queries.cache.delete("data-version")
    write(store, 25.0, FIXED_NOW + timedelta(seconds=1))
    queries.cache.delete("data-version")
    assert queries.kpis(scope, [KEY])[KEY].value == 25.0


def test_permissions_are_checked_even_on_a_cache_hit(store: Store) -> None:
    queries = cached(store, None)
    window = Window.named("7d", FIXED_NOW)
    queries.kpis(scope_within("94", window, "942"), [KEY])
    with pytest.raises(ScopeError):
        queries.kpis(scope_within("941", window, "942"), [KEY])

"""The source a page names for a value is the feed that owns it: of two feeds whose rows a
value adds up, the one of higher priority (the rule that decides who owns a key), not the
first feed id in alphabetical order. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from store import Store
from store.records import Observation
from store.reference_writes import FeedSpec
from store.scope import Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW

DAILY = "tourism.visitors"
YEARLY = "socio_economic.grdp_growth"
# "simulator" sorts before "so_du_lich": a badge taken as min(feed_id) names the demo
FEEDS = [
    FeedSpec("simulator", "simulator", 60, True, True, priority=0),
    FeedSpec("so_du_lich", "http_json", 3600, True, False, priority=100),
]


def day(back: int) -> date:
    return FIXED_NOW.date() - timedelta(days=back)


def test_a_window_of_two_feeds_names_the_higher_priority_one(store: Store) -> None:
    store.writer.sync_feeds(FEEDS)
    older = [Observation(DAILY, "941", local_midnight_utc(day(b)), 10.0) for b in (3, 4)]
    newer = [Observation(DAILY, "941", local_midnight_utc(day(2)), 20.0)]
    store.writer.write_records("simulator", older, FIXED_NOW)
    store.writer.write_records("so_du_lich", newer, FIXED_NOW)
    scope = scope_within("94", Window.named("7d", FIXED_NOW), "941")
    kpi = store.queries.kpis(scope, [DAILY])[DAILY]
    assert (kpi.value, kpi.feed_id) == (40.0, "so_du_lich")
    # one feed's rows alone: that feed, whatever its priority
    alone = scope.at("942")
    store.writer.write_records(
        "simulator", [Observation(DAILY, "942", older[0].period_start, 5.0)], FIXED_NOW
    )
    assert store.queries.kpis(alone, [DAILY])[DAILY].feed_id == "simulator"


def test_the_priority_decides_not_the_name(store: Store) -> None:
    ranked = [
        FeedSpec("simulator", "simulator", 60, True, True, priority=200),
        FEEDS[1],
    ]
    store.writer.sync_feeds(ranked)
    rows = {
        "simulator": [Observation(DAILY, "941", local_midnight_utc(day(3)), 1.0)],
        "so_du_lich": [Observation(DAILY, "941", local_midnight_utc(day(2)), 2.0)],
    }
    for feed, observations in rows.items():
        store.writer.write_records(feed, observations, FIXED_NOW)
    scope = scope_within("94", Window.named("7d", FIXED_NOW), "941")
    assert store.queries.kpis(scope, [DAILY])[DAILY].feed_id == "simulator"


def test_a_slow_metric_names_the_feed_of_its_latest_period(store: Store) -> None:
    store.writer.sync_feeds(FEEDS)
    years = {2024: ("so_du_lich", 6.1), 2025: ("simulator", 6.8), 2026: ("so_du_lich", 7.1)}
    for y, (feed, value) in years.items():
        start = local_midnight_utc(date(y, 1, 1))
        store.writer.write_records(
            feed, [Observation(YEARLY, "94", start, value, "year")], FIXED_NOW
        )
    kpi = store.queries.kpis(scope_within("94", Window.named("30d", FIXED_NOW)), [YEARLY])[YEARLY]
    assert (kpi.value, kpi.period, kpi.feed_id) == (7.1, date(2026, 1, 1), "so_du_lich")

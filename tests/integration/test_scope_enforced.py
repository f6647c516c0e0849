"""Scope fails closed in the store, on SQLite and PostgreSQL: nothing permitted reads nothing,
a district's scope never reads past the district, and the only way to widen is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import Store
from store.records import Asset, Event, Observation
from store.reference_writes import FeedSpec
from store.scope import ScopeError, Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.integration
VISITS = "tourism.visitors"
HOME, OTHER = "941", "942"


def _seed(store: Store) -> None:
    store.writer.sync_feeds([FeedSpec("scoped", "http_json", 60, True, False)])
    day = local_midnight_utc((FIXED_NOW + timedelta(hours=7)).date())
    home_commune = store.queries.areas.children(HOME)[0]
    other_commune = store.queries.areas.children(OTHER)[0]
    records = [
        Observation(VISITS, HOME, day, 10.0),
        Observation(VISITS, home_commune, day, 4.0),
        Observation(VISITS, OTHER, day, 20.0),
        Observation(VISITS, other_commune, day, 7.0),
        Asset("cameras", "camera", "CAM-HOME", "Cam home", FIXED_NOW, home_commune),
        Asset("cameras", "camera", "CAM-OTHER", "Cam other", FIXED_NOW, other_commune),
        Event("feedback", "report", "EV-OTHER", FIXED_NOW, "Other's report", other_commune),
        Event("feedback", "report", "EV-HOME", FIXED_NOW, "Home report", home_commune),
    ]
    store.writer.write_records("scoped", records, FIXED_NOW)


WINDOW = Window.named("7d", FIXED_NOW)


def _reads(store: Store):
    queries = store.queries
    return {
        "kpis": lambda s: queries.kpis(s, [VISITS]),
        "area_values": lambda s: queries.area_values(s, VISITS),
        "level_values": lambda s: queries.level_values(s, VISITS, "commune"),
        "dim_values": lambda s: queries.dim_values(s, VISITS),
        "trend": lambda s: queries.trend(s, VISITS, "day"),
        "assets": lambda s: queries.assets(s, "cameras"),
        "events": lambda s: queries.events(s, "feedback"),
        "snapshot": lambda s: queries.snapshot(s, "CAM-HOME"),
        "snapshot_times": lambda s: queries.snapshot_times(s),
        "children": lambda s: queries.visible_children(s),
    }


def test_nothing_permitted_reads_nothing_at_all(store: Store) -> None:
    _seed(store)
    nothing = scope_within(None, WINDOW)
    for read in _reads(store).values():  # every read is refused, whichever area it names
        for scope in (nothing, nothing.at(HOME), nothing.at(store.queries.areas.root)):
            with pytest.raises(ScopeError, match="nothing is permitted"):
                read(scope)


def test_a_district_scope_never_reads_past_the_district(store: Store) -> None:
    _seed(store)
    home = scope_within(HOME, WINDOW)
    reads = _reads(store)
    for read in reads.values():
        for outside in (store.queries.areas.root, OTHER, store.queries.areas.children(OTHER)[0]):
            with pytest.raises(ScopeError, match="outside the permitted area"):
                read(home.at(outside))
        read(home)  # and inside the district the same read is answered
    communes = store.queries.level_values(home, VISITS, "commune")
    assert communes == {store.queries.areas.children(HOME)[0]: 4.0}  # not the other's 7
    assert [a.source_id for a in store.queries.assets(home, "cameras")] == ["CAM-HOME"]
    assert [e.source_id for e in store.queries.events(home, "feedback")] == ["EV-HOME"]
    with pytest.raises(ScopeError):
        store.queries.area_values(home, VISITS, [HOME, OTHER])  # explicit areas are checked too


def test_the_whole_province_is_asked_for_by_its_code(store: Store) -> None:
    _seed(store)
    root = store.queries.areas.root
    whole = scope_within(root, WINDOW)
    assert store.queries.area_values(whole, VISITS) == {HOME: 10.0, OTHER: 20.0}
    assert {a.source_id for a in store.queries.assets(whole, "cameras")} == {
        "CAM-HOME",
        "CAM-OTHER",
    }
    with pytest.raises(ScopeError, match="unknown area"):
        store.queries.kpis(scope_within("not-an-area", WINDOW), [VISITS])

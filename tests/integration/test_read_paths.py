"""The lean read paths behind the pages give the same answers as the plain definitions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import Store
from store.records import Event, Observation
from store.reference_writes import FeedSpec
from store.scope import Window, scope_within
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.integration
WINDOW = Window.named("7d", FIXED_NOW)
MAX_AGE = timedelta(days=10)
DAY = 86400.0


def _feed(store: Store) -> str:
    store.writer.sync_feeds([FeedSpec("test", "http_json", 60, True, False)])
    return "test"


def _report(number: int, occurred_days: float, resolved: str | None, area: str = "31498") -> Event:
    return Event(
        "feedback",
        "report",
        f"PA-{number}",
        WINDOW.start + timedelta(days=occurred_days),
        f"report {number}",
        area=area,
        attributes={"resolved_at": resolved},
    )


def _at(days: float) -> str:
    return (WINDOW.start + timedelta(days=days)).isoformat()


def test_durations_split_by_the_window_each_event_ended_in(store: Store) -> None:
    reports = [
        _report(1, 1, _at(3)),  # ended in the window: 2 days
        _report(2, -5, _at(-4.5)),  # ended in the window before: half a day
        _report(3, -6, _at(0.5)),  # started before the window, ended in it: 6.5 days
        _report(4, -12, _at(1)),  # lasted longer than MAX_AGE: left out
        _report(5, 2, None),  # not resolved yet
        _report(6, 2, "soon"),  # not a time: left out, the read does not fail
        _report(7, 3, _at(4).replace("+00:00", "")),  # no zone: read as UTC, 1 day
        _report(8, 1, _at(2), area="31672"),  # outside the scope's area
        _report(9, 4, _at(9)),  # ends after the window
    ]
    store.writer.write_records(_feed(store), reports, FIXED_NOW)
    current, before = store.queries.durations(
        scope_within("94", WINDOW, "941"), "feedback", ("report",), "resolved_at", MAX_AGE
    )
    assert sorted(round(s / DAY, 6) for s in current) == [1.0, 2.0, 6.5]
    assert [round(s / DAY, 6) for s in before] == [0.5]


def test_latest_values_are_each_areas_own_latest_day(store: Store) -> None:
    """A LAST metric's value per area is its own latest day's, also when areas' latest days
    differ (one read asks for every area and day at once)."""
    day = [WINDOW.start + timedelta(days=d) for d in range(7)]
    rows = [
        Observation("education.teachers", "941", day[1], 10.0),
        Observation("education.teachers", "941", day[5], 11.0),
        Observation("education.teachers", "942", day[2], 20.0),
        Observation("education.teachers", "942", day[3], 21.0),
        Observation("education.teachers", "943", day[1], 30.0),
    ]
    store.writer.write_records(_feed(store), rows, FIXED_NOW)
    values = store.queries.area_values(scope_within("94", WINDOW), "education.teachers")
    assert {k: values[k] for k in ("941", "942", "943")} == {"941": 11.0, "942": 21.0, "943": 30.0}


def test_naming_the_members_reads_only_them_and_the_same_values(store: Store) -> None:
    day = WINDOW.start + timedelta(days=2)
    checks = [("94", "p-94", 99.0), ("941", "p-941", 90.0), ("942", "p-942", 80.0)]
    rows = [
        *(Observation("portals.checks", a, day, 100.0, dim=p) for a, p, _up in checks),
        *(Observation("portals.checks_up", a, day, up, dim=p) for a, p, up in checks),
        Observation("portals.response_ms", "941", day, 300.0, dim="p-941"),
        Observation("portals.response_ms", "942", day, 500.0, dim="p-942"),
    ]
    store.writer.write_records(_feed(store), rows, FIXED_NOW)
    scope, homes = scope_within("94", WINDOW), ["94", "941", "942"]
    every = store.queries.dim_values(scope, "portals.uptime_rate", homes)
    named = store.queries.dim_values(scope, "portals.uptime_rate", homes, ["p-94", "p-942"])
    assert every == {"p-94": 99.0, "p-941": 90.0, "p-942": 80.0}
    assert named == {"p-94": 99.0, "p-942": 80.0}
    trend = store.queries.dim_trend(scope, "portals.response_ms", "day", homes, ["p-942"])
    assert set(trend) == {"p-942"}
    assert [p.value for p in trend["p-942"] if p.value is not None] == [500.0]


def test_several_metrics_per_area_in_one_pass_are_each_metrics_own_values(store: Store) -> None:
    """The area table's one read of all its metrics: a sum, a latest value, a ratio of two
    components and a yearly metric each come out as their own read gives them."""
    day = [WINDOW.start + timedelta(days=d) for d in range(7)]
    year_start = WINDOW.start - timedelta(days=100)
    rows = [
        Observation("tourism.visitors", "941", day[1], 5.0),
        Observation("tourism.visitors", "941", day[4], 7.0),
        Observation("tourism.visitors", "942", day[2], 3.0),
        Observation("education.teachers", "941", day[1], 10.0),
        Observation("education.teachers", "941", day[5], 11.0),
        Observation("education.teachers", "943", day[3], 30.0),
        Observation("health.inpatients", "941", day[2], 45.0),
        Observation("health.beds", "941", day[2], 60.0),
        Observation("health.inpatients", "942", day[2], 10.0),  # no beds: no ratio
        Observation("education.exam_candidates", "942", year_start, 900.0, "year"),
    ]
    store.writer.write_records(_feed(store), rows, FIXED_NOW)
    scope = scope_within("94", WINDOW)
    keys = [
        "tourism.visitors",
        "education.teachers",
        "health.bed_occupancy",
        "education.exam_candidates",
    ]
    together = store.queries.areas_values(scope, keys, ["941", "942", "943"])
    assert list(together) == keys
    for key in keys:
        assert together[key] == store.queries.area_values(scope, key, ["941", "942", "943"])
    assert together["tourism.visitors"] == {"941": 12.0, "942": 3.0}
    assert together["education.teachers"] == {"941": 11.0, "943": 30.0}
    assert together["health.bed_occupancy"] == {"941": pytest.approx(75.0)}
    assert together["education.exam_candidates"] == {"942": 900.0}

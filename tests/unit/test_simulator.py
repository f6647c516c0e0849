"""Unit tests for the simulator feed: deterministic, complete, adding up, plausible and fast."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import pytest

from feeds.base import FeedContext
from feeds.simulator import SimulationPlan, SimulatorFeed, SimulatorOptions
from feeds.simulator.plan import plan_days
from geo.hierarchy import AdminUnit, load_admin_units
from store.catalog import METRICS, METRICS_BY_KEY, Aggregation, stored_metrics
from store.records import Asset, Event, Item, Observation
from store.scope import LOCAL_TZ, local_midnight_utc

pytestmark = pytest.mark.unit

FIXED_NOW = datetime(2026, 3, 18, 5, 30, tzinfo=UTC)  # Wednesday 12:30 in Sóc Trăng, dry season
TODAY = date(2026, 3, 18)
BACKFILL_DAYS = 30
TOLERANCE = 1e-6
SALINITY_STATION_COMMUNES = {"31636", "31639", "31673", "31795", "31723", "31756"}
CONTAINED_COMPONENTS = [  # numerator <= denominator for every area and day
    (m.numerator, m.denominator)
    for m in METRICS
    if m.aggregation is Aggregation.RATIO and m.key != "health.bed_occupancy"
]

Key = tuple[str, str, datetime]  # metric, area, period start


@pytest.fixture(scope="module")
def areas() -> dict[str, AdminUnit]:
    return {u.code: u for u in load_admin_units()}


def run(
    areas: dict[str, AdminUnit],
    now: datetime = FIXED_NOW,
    last_success: datetime | None = None,
    backfill_days: int = BACKFILL_DAYS,
) -> list[Item]:
    context = FeedContext(areas=areas, now=lambda: now, last_success=last_success)
    feed = SimulatorFeed("demo", SimulatorOptions(backfill_days=backfill_days), context)
    return list(feed.normalize(feed.fetch()))


def observations(items: Iterable[Item]) -> dict[Key, float]:
    return {
        (o.metric, o.area, o.period_start): o.value for o in items if isinstance(o, Observation)
    }


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


@pytest.fixture(scope="module")
def backfill(areas: dict[str, AdminUnit]) -> list[Item]:
    return run(areas)


@pytest.fixture(scope="module")
def values(backfill: list[Item]) -> dict[Key, float]:
    return observations(backfill)


def province_total(values: dict[Key, float], metric: str, before: date = TODAY) -> float:
    return sum(
        v
        for (m, a, start), v in values.items()
        if m == metric and a == "94" and local_day(start) < before
    )


# --- the plan ----------------------------------------------------------------------------------


def test_backfill_plan_covers_backfill_days_before_today_newest_first() -> None:
    days = plan_days(FIXED_NOW, None, BACKFILL_DAYS)
    assert days[0] == TODAY
    assert days[-1] == TODAY - timedelta(days=BACKFILL_DAYS)
    assert len(days) == BACKFILL_DAYS + 1


def test_catch_up_plan_starts_the_day_before_the_last_success() -> None:
    last_success = FIXED_NOW - timedelta(days=3)
    days = plan_days(FIXED_NOW, last_success, BACKFILL_DAYS)
    assert days == tuple(TODAY - timedelta(days=n) for n in range(5))


def test_catch_up_after_long_downtime_stays_within_the_backfill_window() -> None:
    days = plan_days(FIXED_NOW, FIXED_NOW - timedelta(days=400), BACKFILL_DAYS)
    assert days[-1] == TODAY - timedelta(days=BACKFILL_DAYS)


def test_fetch_returns_a_plan_with_the_injected_clock(areas: dict[str, AdminUnit]) -> None:
    context = FeedContext(areas=areas, now=lambda: FIXED_NOW)
    plan = SimulatorFeed("demo", SimulatorOptions(backfill_days=2), context).fetch()
    assert isinstance(plan, SimulationPlan)
    assert plan.now == FIXED_NOW
    assert plan.days == (TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=2))


def test_feed_is_flagged_as_demo() -> None:
    assert SimulatorFeed.demo is True
    assert SimulatorFeed.type == "simulator"
    assert SimulatorOptions().seed == 94
    assert SimulatorOptions().backfill_days == 365


# --- determinism -------------------------------------------------------------------------------


def test_two_runs_are_identical(areas: dict[str, AdminUnit], backfill: list[Item]) -> None:
    assert run(areas) == backfill


def test_catch_up_reproduces_the_backfill_values(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    catch_up = observations(run(areas, last_success=FIXED_NOW - timedelta(days=3)))
    assert catch_up
    assert {k: values[k] for k in catch_up} == catch_up


def test_finished_days_do_not_depend_on_now(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    later = observations(run(areas, now=FIXED_NOW + timedelta(days=2), backfill_days=10))
    finished = {k: v for k, v in later.items() if local_day(k[2]) < TODAY}
    assert finished
    assert {k: values[k] for k in finished} == finished


def test_todays_counts_only_grow(areas: dict[str, AdminUnit], values: dict[Key, float]) -> None:
    full_day = observations(run(areas, now=FIXED_NOW + timedelta(days=1), backfill_days=1))
    today_start = local_midnight_utc(TODAY)
    sums = [k for k in values if k[2] == today_start and METRICS_BY_KEY[k[0]].aggregation == "sum"]
    assert sums
    assert all(values[k] <= full_day[k] for k in sums)
    assert any(values[k] < full_day[k] for k in sums)


def test_event_source_ids_are_unique_and_stable(backfill: list[Item]) -> None:
    events = [(e.domain, e.kind, e.source_id) for e in backfill if isinstance(e, Event)]
    assert len(events) == len(set(events))


# --- completeness ------------------------------------------------------------------------------


def test_no_future_days_and_no_ratio_metrics(backfill: list[Item]) -> None:
    stored = {m.key for m in stored_metrics()}
    obs = [o for o in backfill if isinstance(o, Observation)]
    assert {o.metric for o in obs} <= stored
    assert max(o.period_start for o in obs) == local_midnight_utc(TODAY)
    assert all(o.period_start <= FIXED_NOW and o.period_kind == "day" for o in obs)
    assert all(math.isfinite(o.value) and o.value >= 0 for o in obs)


def test_records_come_newest_day_first(backfill: list[Item]) -> None:
    starts = [o.period_start for o in backfill if isinstance(o, Observation)]
    assert starts == sorted(starts, reverse=True)


def test_every_stored_metric_is_present_at_each_of_its_levels(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    found = {(m, areas[a].level) for m, a, _ in values}
    expected = {(m.key, level) for m in stored_metrics() for level in m.levels}
    assert found == expected


def test_each_level_has_every_area_for_area_wide_metrics(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    start = local_midnight_utc(TODAY - timedelta(days=1))
    for metric in ("public_services.received", "cameras.total", "tourism.visitors"):
        levels = METRICS_BY_KEY[metric].levels
        expected = {code for code, unit in areas.items() if unit.level in levels}
        assert {a for m, a, s in values if m == metric and s == start} == expected


# --- adding up ---------------------------------------------------------------------------------


def children_sum(values: dict[Key, float], areas: dict[str, AdminUnit], key: Key) -> float:
    metric, area, start = key
    return sum(
        v
        for (m, a, s), v in values.items()
        if m == metric and s == start and areas[a].parent_code == area
    )


@pytest.mark.parametrize(
    "metric",
    ["public_services.received", "health.outpatient_visits", "education.enrolled", "cameras.total"],
)
def test_districts_and_province_are_sums_of_their_children(
    metric: str, areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    uppers = [k for k in values if k[0] == metric and areas[k[1]].level != "commune"]
    assert uppers
    for key in uppers:
        assert values[key] == pytest.approx(children_sum(values, areas, key), abs=TOLERANCE)


def test_district_only_metrics_add_up_to_the_province(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    for metric in ("health.beds", "health.inpatients", "tourism.visitors"):
        provinces = [k for k in values if k[0] == metric and k[1] == "94"]
        for key in provinces:
            assert values[key] == pytest.approx(children_sum(values, areas, key), abs=TOLERANCE)


def test_own_parts_only_add_to_children(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    """Documents, portals and the budget: an area holds its own offices' part plus children."""
    metrics = ("documents.outgoing", "portals.checks", "socio_economic.budget_revenue")
    uppers = [k for k in values if k[0] in metrics and areas[k[1]].level != "commune"]
    assert all(values[k] >= children_sum(values, areas, k) - TOLERANCE for k in uppers)


@pytest.mark.parametrize(("numerator", "denominator"), CONTAINED_COMPONENTS)
def test_ratio_components_are_consistent(
    numerator: str, denominator: str, values: dict[Key, float]
) -> None:
    pairs = [
        (v, values.get((denominator, a, s))) for (m, a, s), v in values.items() if m == numerator
    ]
    assert pairs
    assert all(d is not None and n <= d for n, d in pairs)


# --- plausibility ------------------------------------------------------------------------------


def ratio(values: dict[Key, float], numerator: str, denominator: str) -> float:
    return 100 * province_total(values, numerator) / province_total(values, denominator)


def test_province_on_time_rate_is_near_the_2021_figure(values: dict[Key, float]) -> None:
    rate = ratio(values, "public_services.resolved_on_time", "public_services.resolved")
    assert 99.3 <= rate <= 99.9


def test_province_signed_share_is_near_the_2021_figure(values: dict[Key, float]) -> None:
    assert 85 <= ratio(values, "documents.signed", "documents.outgoing") <= 95


def test_dossier_volume_matches_the_yearly_figure(values: dict[Key, float]) -> None:
    daily = province_total(values, "public_services.received") / BACKFILL_DAYS
    assert 439_851 / 365 * 0.6 < daily < 439_851 / 365 * 1.4


def test_bed_occupancy_is_high_with_district_peaks(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    occupancy = [
        values[("health.inpatients", a, s)] / v
        for (m, a, s), v in values.items()
        if m == "health.beds" and areas[a].level == "district"
    ]
    assert 0.7 < sum(occupancy) / len(occupancy) < 0.95
    assert max(occupancy) > 0.9


def test_thirty_two_portals(backfill: list[Item]) -> None:
    portals = [a for a in backfill if isinstance(a, Asset) and a.kind == "portal"]
    assert len(portals) == 32
    assert sum(a.area == "94" for a in portals) == 21
    assert any(a.name == "Cổng TTĐT huyện Kế Sách" for a in portals)
    assert all(a.attributes["url"].startswith("https://") for a in portals)


def test_salinity_only_where_stations_are(values: dict[Key, float]) -> None:
    districts = {"945", "946", "947", "949", "950", "951"}
    areas_with_salinity = {a for m, a, _ in values if m == "environment.salinity_max"}
    assert areas_with_salinity == SALINITY_STATION_COMMUNES | districts | {"94"}


def test_dry_season_salinity_crosses_the_levels(backfill: list[Item]) -> None:
    exceedances = [e for e in backfill if isinstance(e, Event) and e.kind == "salinity_exceedance"]
    assert {e.severity for e in exceedances} <= {"warning", "critical"}
    assert exceedances


def test_no_education_data_at_weekends(values: dict[Key, float]) -> None:
    education_days = {local_day(s) for m, _, s in values if m.startswith("education.")}
    assert education_days
    assert all(day.weekday() < 5 for day in education_days)


def test_feedback_events_match_the_received_counts(
    areas: dict[str, AdminUnit], backfill: list[Item], values: dict[Key, float]
) -> None:
    first_day = TODAY - timedelta(days=BACKFILL_DAYS)
    reports: Counter[tuple[str | None, datetime]] = Counter(
        (e.area, local_midnight_utc(local_day(e.occurred_at)))
        for e in backfill
        if isinstance(e, Event) and e.kind == "report" and local_day(e.occurred_at) >= first_day
    )
    received = {
        (a, s): v
        for (m, a, s), v in values.items()
        if m == "feedback.received" and v and areas[a].level == "commune"
    }
    assert received == dict(reports)


def test_assets_and_events_are_marked_as_demo_and_placed(
    areas: dict[str, AdminUnit], backfill: list[Item]
) -> None:
    placed = [r for r in backfill if isinstance(r, Asset | Event)]
    assert placed
    for record in placed:
        assert record.attributes["demo"] is True
        assert record.lat is not None and record.lon is not None
        unit = areas[record.area or "94"]
        if unit.level == "commune":
            assert abs(record.lat - unit.lat) < 0.01 and abs(record.lon - unit.lon) < 0.01


# --- speed -------------------------------------------------------------------------------------


def test_full_year_backfill_is_fast(areas: dict[str, AdminUnit]) -> None:
    context = FeedContext(areas=areas, now=lambda: FIXED_NOW)
    feed = SimulatorFeed("demo", SimulatorOptions(), context)
    started = time.perf_counter()
    plan = feed.fetch()
    counts = Counter(type(item).__name__ for item in feed.normalize(plan))
    elapsed = time.perf_counter() - started
    print(f"\n365-day backfill: {len(plan.days)} days, {dict(counts)} in {elapsed:.2f} s")
    assert counts["Observation"] > 900_000
    assert elapsed < 20

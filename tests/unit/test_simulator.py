"""Unit tests for the simulator feed: deterministic, complete, adding up, plausible and fast."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import pytest

from feeds.aqi import vn_aqi
from feeds.base import FeedContext
from feeds.simulator import SimulationPlan, SimulatorFeed, SimulatorOptions
from feeds.simulator.agencies import AGENCY_CODES
from feeds.simulator.plan import plan_days, resumed_days, span_cursor, stored_span
from geo.hierarchy import AdminUnit, load_admin_units
from store.catalog import DIMENSIONS, METRICS, METRICS_BY_KEY, Aggregation, stored_metrics
from store.records import Asset, Event, Item, Observation, ObservationBlock, Progress
from store.scope import LOCAL_TZ, local_midnight_utc

pytestmark = pytest.mark.unit

FIXED_NOW = datetime(2026, 3, 18, 5, 30, tzinfo=UTC)  # Wednesday 12:30 in Sóc Trăng, dry season
TODAY = date(2026, 3, 18)
BACKFILL_DAYS = 30
SUMMER_NOW = datetime(2026, 7, 20, 5, 30, tzinfo=UTC)  # after the exam results, admissions on
AUTUMN_NOW = datetime(2026, 11, 5, 5, 30, tzinfo=UTC)  # the year's highest tides
SEASON_DAYS = 12
TOLERANCE = 1e-6
PROVINCE = "94"
SALINITY_STATION_COMMUNES = {"31636", "31639", "31673", "31795", "31723", "31756"}
AIR_STATION = ("KK-31510", "31510", "941")  # station, commune, district
POLLUTANTS = ("pm25", "pm10", "no2", "so2", "co", "o3")
YEARLY = {
    "socio_economic.budget_revenue_plan",
    "socio_economic.budget_spending_plan",
    "socio_economic.grdp_growth",
    "socio_economic.grdp_share",
}
SCHOOL_YEARLY = {"education.exam_candidates", "education.exam_passed"}
NOT_CONTAINED = {  # ratios whose numerator may exceed the denominator
    "health.bed_occupancy",  # beds are often over-full
    "education.pupil_teacher_ratio",
    "feedback.mean_resolution_days",
}
CONTAINED_COMPONENTS = [  # numerator <= denominator for every area, day and member
    (m.numerator, m.denominator)
    for m in METRICS
    if m.aggregation is Aggregation.RATIO and m.key not in NOT_CONTAINED
]
EXCEEDANCE_KINDS = {"salinity_exceedance", "water_level_exceedance", "aqi_exceedance"}

Key = tuple[str, str, datetime]  # metric, area, period start
SplitKey = tuple[str, str, datetime, str]  # metric, area, period start, member


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
    return list(expanded(feed.normalize(feed.fetch())))


def expanded(items: Iterable[Item]) -> Iterable[Item]:
    """The items with each block as its single observations, in order."""
    for item in items:
        if isinstance(item, ObservationBlock):
            yield from item.observations()
        else:
            yield item


def observations(items: Iterable[Item]) -> dict[Key, float]:
    """The daily totals (no split rows, no yearly values)."""
    return {
        (o.metric, o.area, o.period_start): o.value
        for o in items
        if isinstance(o, Observation) and not o.dim and o.period_kind == "day"
    }


def split_rows(items: Iterable[Item]) -> dict[SplitKey, float]:
    return {
        (o.metric, o.area, o.period_start, o.dim): o.value
        for o in items
        if isinstance(o, Observation) and o.dim and o.period_kind == "day"
    }


def events(items: Iterable[Item], *kinds: str) -> list[Event]:
    return [e for e in items if isinstance(e, Event) and (not kinds or e.kind in kinds)]


def assets(items: Iterable[Item], kind: str) -> list[Asset]:
    return [a for a in items if isinstance(a, Asset) and a.kind == kind]


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


@pytest.fixture(scope="module")
def backfill(areas: dict[str, AdminUnit]) -> list[Item]:
    return run(areas)


@pytest.fixture(scope="module")
def values(backfill: list[Item]) -> dict[Key, float]:
    return observations(backfill)


@pytest.fixture(scope="module")
def splits(backfill: list[Item]) -> dict[SplitKey, float]:
    return split_rows(backfill)


@pytest.fixture(scope="module")
def summer(areas: dict[str, AdminUnit]) -> list[Item]:
    return run(areas, now=SUMMER_NOW, backfill_days=SEASON_DAYS)


@pytest.fixture(scope="module")
def autumn(areas: dict[str, AdminUnit]) -> list[Item]:
    return run(areas, now=AUTUMN_NOW, backfill_days=SEASON_DAYS)


@pytest.fixture(scope="module")
def all_values(
    values: dict[Key, float], summer: list[Item], autumn: list[Item]
) -> dict[Key, float]:
    """Spring, summer (exam results, admissions) and autumn (high tides) together."""
    return {**values, **observations(summer), **observations(autumn), **school_year_rows(summer)}


@pytest.fixture(scope="module")
def all_splits(
    splits: dict[SplitKey, float], summer: list[Item], autumn: list[Item]
) -> dict[SplitKey, float]:
    return {**splits, **split_rows(summer), **split_rows(autumn)}


def province_total(values: dict[Key, float], metric: str, before: date = TODAY) -> float:
    return sum(
        v
        for (m, a, start), v in values.items()
        if m == metric and a == PROVINCE and local_day(start) < before
    )


@pytest.fixture(scope="module")
def child_sums(values: dict[Key, float], areas: dict[str, AdminUnit]) -> dict[Key, float]:
    """The sum of each area's children's values, per metric and day."""
    found: defaultdict[Key, float] = defaultdict(float)
    for (metric, area, start), value in values.items():
        parent = areas[area].parent_code
        if parent:
            found[(metric, parent, start)] += value
    return found


def members(
    splits: dict[SplitKey, float], metric: str
) -> dict[tuple[str, datetime], dict[str, float]]:
    """Split rows of one metric as {(area, start): {member: value}}."""
    found: dict[tuple[str, datetime], dict[str, float]] = defaultdict(dict)
    for (m, area, start, dim), value in splits.items():
        if m == metric:
            found[(area, start)][dim] = value
    return found


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


def test_a_resumed_first_load_catches_up_then_goes_on_below_the_stored_span() -> None:
    stored = (TODAY - timedelta(days=2), TODAY - timedelta(days=5))  # stopped two days ago
    days, kept = resumed_days(FIXED_NOW, stored, BACKFILL_DAYS)
    catch_up = tuple(TODAY - timedelta(days=n) for n in range(3))  # its newest day again
    older = tuple(TODAY - timedelta(days=n) for n in range(6, BACKFILL_DAYS + 1))
    assert days == catch_up + older
    assert kept == 3  # the stored days not planned again
    assert kept + len(days) == BACKFILL_DAYS + 1  # the same whole as a backfill from today


def test_a_resumed_first_load_outside_the_backfill_starts_over() -> None:
    gone = (TODAY - timedelta(days=BACKFILL_DAYS + 3), TODAY - timedelta(days=BACKFILL_DAYS + 9))
    assert resumed_days(FIXED_NOW, gone, BACKFILL_DAYS) == (
        plan_days(FIXED_NOW, None, BACKFILL_DAYS),
        0,
    )
    assert stored_span("not a span") is None and stored_span(None) is None
    assert stored_span(span_cursor(TODAY, TODAY)) == (TODAY, TODAY)


def test_a_resumed_plan_marks_its_progress_from_the_days_kept(
    areas: dict[str, AdminUnit],
) -> None:
    newest, oldest = TODAY - timedelta(days=1), TODAY - timedelta(days=2)
    context = FeedContext(
        areas=areas, now=lambda: FIXED_NOW, checkpoint=span_cursor(newest, oldest)
    )
    feed = SimulatorFeed("sim", SimulatorOptions(backfill_days=BACKFILL_DAYS), context)
    marks = [i for i in feed.normalize(feed.fetch()) if isinstance(i, Progress)]
    total = BACKFILL_DAYS + 1
    assert [(m.done, m.total) for m in marks] == [(n, total) for n in range(1, total + 1)]
    # until the catch-up reaches the stored span, the cursor stays that span
    assert [m.cursor for m in marks[:3]] == [span_cursor(newest, oldest)] * 2 + [
        span_cursor(TODAY, oldest)
    ]
    assert marks[-1].cursor == span_cursor(TODAY, TODAY - timedelta(days=BACKFILL_DAYS))


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
    assert SimulatorOptions().backfill_days == 730  # two years: every year-on-year view has data


# --- determinism -------------------------------------------------------------------------------


def test_two_runs_are_identical(areas: dict[str, AdminUnit], backfill: list[Item]) -> None:
    assert run(areas) == backfill


def test_catch_up_reproduces_the_backfill_values(
    areas: dict[str, AdminUnit], values: dict[Key, float], splits: dict[SplitKey, float]
) -> None:
    items = run(areas, last_success=FIXED_NOW - timedelta(days=3))
    catch_up, catch_up_splits = observations(items), split_rows(items)
    assert catch_up and catch_up_splits
    assert {k: values[k] for k in catch_up} == catch_up
    assert {k: splits[k] for k in catch_up_splits} == catch_up_splits


def test_finished_days_do_not_depend_on_now(
    areas: dict[str, AdminUnit], values: dict[Key, float], splits: dict[SplitKey, float]
) -> None:
    items = run(areas, now=FIXED_NOW + timedelta(days=2), backfill_days=10)
    later = {k: v for k, v in observations(items).items() if local_day(k[2]) < TODAY}
    later_splits = {k: v for k, v in split_rows(items).items() if local_day(k[2]) < TODAY}
    assert later and later_splits
    assert {k: values[k] for k in later} == later
    assert {k: splits[k] for k in later_splits} == later_splits


def test_todays_counts_only_grow(areas: dict[str, AdminUnit], values: dict[Key, float]) -> None:
    full_day = observations(run(areas, now=FIXED_NOW + timedelta(days=1), backfill_days=1))
    today_start = local_midnight_utc(TODAY)
    sums = [k for k in values if k[2] == today_start and METRICS_BY_KEY[k[0]].aggregation == "sum"]
    assert sums
    assert all(values[k] <= full_day[k] for k in sums)
    assert any(values[k] < full_day[k] for k in sums)


def test_event_source_ids_are_unique_and_stable(backfill: list[Item]) -> None:
    found = [(e.domain, e.kind, e.source_id) for e in events(backfill)]
    assert len(found) == len(set(found))


def test_asset_source_ids_are_unique(backfill: list[Item]) -> None:
    found = [(a.domain, a.kind, a.source_id) for a in backfill if isinstance(a, Asset)]
    assert len(found) == len(set(found))


# --- completeness ------------------------------------------------------------------------------


def test_no_future_days_and_no_ratio_metrics(backfill: list[Item]) -> None:
    stored = {m.key for m in stored_metrics()}
    obs = [o for o in backfill if isinstance(o, Observation)]
    assert {o.metric for o in obs} <= stored
    assert max(o.period_start for o in obs) == local_midnight_utc(TODAY)
    assert all(o.period_start <= FIXED_NOW for o in obs)
    assert all(o.period_kind == METRICS_BY_KEY[o.metric].period_kind for o in obs)
    assert all(math.isfinite(o.value) and o.value >= 0 for o in obs)
    assert all(len(o.dim) <= 40 for o in obs)  # the store's column


def test_daily_records_come_newest_day_first(backfill: list[Item]) -> None:
    kinds = [o.period_kind for o in backfill if isinstance(o, Observation)]
    daily = [
        o.period_start for o in backfill if isinstance(o, Observation) and o.period_kind == "day"
    ]
    assert daily == sorted(daily, reverse=True)
    first_daily = kinds.index("day")
    assert "day" not in kinds[:first_daily] and set(kinds[first_daily:]) == {"day"}  # yearly first


def test_each_day_is_followed_by_its_progress_mark(backfill: list[Item]) -> None:
    marks = [item for item in backfill if isinstance(item, Progress)]
    total = BACKFILL_DAYS + 1
    assert [(m.done, m.total) for m in marks] == [(n, total) for n in range(total + 1)]
    # each mark's cursor: the days stored once it is committed, from today down
    assert [m.cursor for m in marks] == [None] + [
        span_cursor(TODAY, TODAY - timedelta(days=n)) for n in range(total)
    ]
    last_day_of_mark: dict[int, datetime] = {}
    newest_seen: datetime | None = None
    for item in backfill:
        if isinstance(item, Observation) and item.period_kind == "day":
            newest_seen = item.period_start
        elif isinstance(item, Progress) and newest_seen is not None:
            last_day_of_mark[item.done] = newest_seen
    assert last_day_of_mark[1] == local_midnight_utc(TODAY)  # the first mark closes today
    assert last_day_of_mark[total] == local_midnight_utc(TODAY - timedelta(days=BACKFILL_DAYS))


def test_every_stored_metric_is_present_at_each_of_its_levels(
    areas: dict[str, AdminUnit], backfill: list[Item], summer: list[Item], autumn: list[Item]
) -> None:
    totals = [o for o in (*backfill, *summer, *autumn) if isinstance(o, Observation) and not o.dim]
    found = {(o.metric, areas[o.area].level) for o in totals}
    expected = {(m.key, level) for m in stored_metrics() for level in m.levels}
    assert found == expected


def test_each_level_has_every_area_for_area_wide_metrics(
    areas: dict[str, AdminUnit], values: dict[Key, float]
) -> None:
    start = local_midnight_utc(TODAY - timedelta(days=1))
    for metric in (
        "public_services.received",
        "cameras.total",
        "tourism.visitors",
        "environment.exceedances",
        "documents.tasks_overdue",
        "feedback.in_progress",
    ):
        levels = METRICS_BY_KEY[metric].levels
        expected = {code for code, unit in areas.items() if unit.level in levels}
        assert {a for m, a, s in values if m == metric and s == start} == expected


def test_split_rows_use_their_metrics_dimension(backfill: list[Item], autumn: list[Item]) -> None:
    split = {o.metric for o in (*backfill, *autumn) if isinstance(o, Observation) and o.dim}
    assert split
    assert all(METRICS_BY_KEY[m].dimension for m in split)
    assert {m for m in split if METRICS_BY_KEY[m].domain == "environment"} == {
        "environment.salinity_max",
        "environment.water_level_max",
        "environment.aqi_max",
        "environment.do",
        "environment.ph",
        *(f"environment.{p}" for p in POLLUTANTS),
    }


# --- adding up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric",
    [
        "health.outpatient_visits",
        "health.vaccinated",
        "education.enrolled",
        "cameras.total",
        "cameras.offline",
        "feedback.received",
        "environment.exceedances",
    ],
)
def test_districts_and_province_are_sums_of_their_children(
    metric: str,
    areas: dict[str, AdminUnit],
    values: dict[Key, float],
    child_sums: dict[Key, float],
) -> None:
    uppers = [k for k in values if k[0] == metric and areas[k[1]].level != "commune"]
    assert uppers
    for key in uppers:
        assert values[key] == pytest.approx(child_sums.get(key, 0.0), abs=TOLERANCE)


def test_district_only_metrics_add_up_to_the_province(
    values: dict[Key, float], child_sums: dict[Key, float]
) -> None:
    for metric in (
        "health.beds",
        "health.inpatients",
        "tourism.visitors",
        "tourism.rooms_available",
        "socio_economic.exports",
        "environment.land_dossiers",
    ):
        provinces = [k for k in values if k[0] == metric and k[1] == PROVINCE]
        assert provinces
        for key in provinces:
            assert values[key] == pytest.approx(child_sums.get(key, 0.0), abs=TOLERANCE)


def test_own_parts_only_add_to_children(
    areas: dict[str, AdminUnit], values: dict[Key, float], child_sums: dict[Key, float]
) -> None:
    """An area holds its own offices' part plus its children's."""
    metrics = (
        "documents.outgoing",
        "documents.tasks_assigned",
        "portals.checks",
        "socio_economic.budget_revenue",
        "socio_economic.investment",
        "public_services.received",
    )
    uppers = [k for k in values if k[0] in metrics and areas[k[1]].level != "commune"]
    assert uppers
    assert all(values[k] >= child_sums.get(k, 0.0) - TOLERANCE for k in uppers)


@pytest.mark.parametrize(("numerator", "denominator"), CONTAINED_COMPONENTS)
def test_ratio_components_are_consistent(
    numerator: str,
    denominator: str,
    all_values: dict[Key, float],
    all_splits: dict[SplitKey, float],
) -> None:
    pairs = [
        (v, all_values.get((denominator, a, s)))
        for (m, a, s), v in all_values.items()
        if m == numerator
    ]
    pairs += [
        (v, all_splits.get((denominator, a, s, d)))
        for (m, a, s, d), v in all_splits.items()
        if m == numerator and (denominator, a, s, d) in all_splits
    ]
    assert pairs
    assert all(d is not None and n <= d for n, d in pairs)


# --- dimension splits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric",
    [
        "public_services.received",
        "public_services.resolved",
        "public_services.resolved_on_time",
        "public_services.resolved_late",
        "documents.tasks_assigned",
        "documents.tasks_done",
        "documents.tasks_done_on_time",
        "documents.tasks_overdue",
    ],
)
def test_agency_parts_make_the_provinces_own_part(
    metric: str,
    values: dict[Key, float],
    child_sums: dict[Key, float],
    splits: dict[SplitKey, float],
) -> None:
    found = members(splits, metric)
    assert found
    assert {area for area, _ in found} == {PROVINCE}
    for (area, start), parts in found.items():
        assert set(parts) == set(AGENCY_CODES)
        own = values[(metric, area, start)] - child_sums.get((metric, area, start), 0.0)
        assert sum(parts.values()) == pytest.approx(own, abs=TOLERANCE)
        assert sum(parts.values()) <= values[(metric, area, start)]


def test_late_dossiers_are_resolved_less_on_time(
    values: dict[Key, float], splits: dict[SplitKey, float]
) -> None:
    for (metric, area, start), late in values.items():
        if metric == "public_services.resolved_late":
            resolved = values[("public_services.resolved", area, start)]
            on_time = values[("public_services.resolved_on_time", area, start)]
            assert late == resolved - on_time
    for (metric, area, start, dim), late in splits.items():
        if metric == "public_services.resolved_late":
            resolved = splits[("public_services.resolved", area, start, dim)]
            assert late == resolved - splits[("public_services.resolved_on_time", area, start, dim)]


@pytest.mark.parametrize("metric", ["documents.outgoing", "documents.signed"])
def test_level_split_of_documents_sums_to_the_province(
    metric: str, values: dict[Key, float], splits: dict[SplitKey, float]
) -> None:
    found = members(splits, metric)
    assert found
    for (area, start), parts in found.items():
        assert area == PROVINCE
        assert set(parts) == set(DIMENSIONS["level"])
        assert sum(parts.values()) == values[(metric, area, start)]


@pytest.mark.parametrize("prefix", ["category", "channel"])
def test_feedback_splits_sum_to_the_total_everywhere(
    prefix: str, values: dict[Key, float], splits: dict[SplitKey, float]
) -> None:
    found = members(splits, "feedback.received")
    for (metric, area, start), total in values.items():
        if metric != "feedback.received":
            continue
        parts = {d: v for d, v in found.get((area, start), {}).items() if d.startswith(prefix)}
        assert sum(parts.values()) == total
        assert all(v > 0 for v in parts.values())
    channels = {d.split(":", 1)[1] for parts in found.values() for d in parts if "channel:" in d}
    assert channels == set(DIMENSIONS["channel"])


def test_portal_splits_sit_at_the_owning_area(
    areas: dict[str, AdminUnit],
    backfill: list[Item],
    values: dict[Key, float],
    child_sums: dict[Key, float],
    splits: dict[SplitKey, float],
) -> None:
    owner = {a.source_id: a.area for a in assets(backfill, "portal")}
    for metric in ("portals.checks", "portals.checks_up", "portals.response_ms"):
        found = members(splits, metric)
        assert found
        for (area, start), parts in found.items():
            assert all(owner[p] == area for p in parts)
            if metric != "portals.response_ms":
                key = (metric, area, start)
                own = values[key] - child_sums.get(key, 0.0)
                assert sum(parts.values()) == pytest.approx(own, abs=TOLERANCE)
            else:
                mean = sum(parts.values()) / len(parts)
                if areas[area].level == "district":
                    assert values[(metric, area, start)] == pytest.approx(mean, abs=0.51)


@pytest.mark.parametrize(
    "metric",
    [
        "environment.salinity_max",
        "environment.water_level_max",
        "environment.do",
        "environment.ph",
        "environment.pm25",
        "environment.aqi_max",
    ],
)
def test_station_splits_sit_at_the_station_district(
    metric: str, values: dict[Key, float], splits: dict[SplitKey, float]
) -> None:
    found = members(splits, metric)
    assert found
    peak = METRICS_BY_KEY[metric].aggregation is Aggregation.MAX
    for (area, start), parts in found.items():
        assert len(area) == 3  # a district
        expected = max(parts.values()) if peak else sum(parts.values()) / len(parts)
        assert values[(metric, area, start)] == pytest.approx(expected, abs=0.006)


# --- yearly values -----------------------------------------------------------------------------


def test_yearly_metrics_are_yearly_observations(backfill: list[Item]) -> None:
    yearly = [o for o in backfill if isinstance(o, Observation) and o.period_kind == "year"]
    assert {o.metric for o in yearly} == YEARLY | SCHOOL_YEARLY
    calendar = {o.period_start for o in yearly if o.metric in YEARLY}
    assert calendar == {local_midnight_utc(date(2026, 1, 1))}
    daily = {o.metric for o in backfill if isinstance(o, Observation) and o.period_kind == "day"}
    assert not daily & (YEARLY | SCHOOL_YEARLY)


def test_yearly_values_cover_every_year_the_plan_touches(areas: dict[str, AdminUnit]) -> None:
    items = run(areas, now=FIXED_NOW, backfill_days=90)
    years = {
        local_day(o.period_start).year
        for o in items
        if isinstance(o, Observation) and o.period_kind == "year" and o.metric in YEARLY
    }
    assert years == {2025, 2026}


def test_budget_plans_add_up_and_match_the_scale(
    areas: dict[str, AdminUnit], backfill: list[Item]
) -> None:
    plans = {
        (o.metric, o.area): o.value
        for o in backfill
        if isinstance(o, Observation) and o.metric.endswith("_plan")
    }
    revenue = plans[("socio_economic.budget_revenue_plan", PROVINCE)]
    spending = plans[("socio_economic.budget_spending_plan", PROVINCE)]
    assert 4_000 < revenue < 5_000 and 8_000 < spending < 9_000
    for metric in ("socio_economic.budget_revenue_plan", "socio_economic.budget_spending_plan"):
        districts = sum(v for (m, a), v in plans.items() if m == metric and a != PROVINCE)
        assert 0 < districts < plans[(metric, PROVINCE)]


def test_grdp_growth_by_sector(backfill: list[Item]) -> None:
    growth = {
        o.dim: o.value
        for o in backfill
        if isinstance(o, Observation) and o.metric == "socio_economic.grdp_growth"
    }
    assert set(growth) == {"", *DIMENSIONS["sector"]} - {"taxes"}
    assert growth[""] == growth["total"]
    assert 6.5 <= growth["total"] <= 7.5
    assert 3 <= growth["agriculture"] <= 4
    assert 8 <= growth["industry"] <= 10
    assert 7 <= growth["services"] <= 9


def test_grdp_structure_starts_from_the_plan_and_adds_up(backfill: list[Item]) -> None:
    shares = {
        o.dim: o.value
        for o in backfill
        if isinstance(o, Observation) and o.metric == "socio_economic.grdp_share"
    }
    assert set(shares) == {"", "agriculture", "industry", "services", "taxes"}
    assert shares[""] == 100.0
    assert sum(v for k, v in shares.items() if k) == pytest.approx(100.0, abs=0.05)
    # 2020: 45.1 / 14.5 / 37 (DOMAIN.md); six years on, agriculture has given up 2.4-6 points
    assert 39 < shares["agriculture"] < 43 and shares["industry"] > 14.5
    assert shares["services"] > 37 and shares["taxes"] == pytest.approx(3.4, abs=0.05)


# --- environment -------------------------------------------------------------------------------


def test_aqi_is_the_vn_aqi_of_the_days_readings(
    all_values: dict[Key, float], all_splits: dict[SplitKey, float]
) -> None:
    station, commune, district = AIR_STATION
    days = [s for m, a, s in all_values if m == "environment.aqi_max" and a == commune]
    assert len(days) == BACKFILL_DAYS + 1 + 2 * (SEASON_DAYS + 1)
    for start in days:
        readings = {p: all_values[(f"environment.{p}", commune, start)] for p in POLLUTANTS}
        aqi = all_values[("environment.aqi_max", commune, start)]
        assert aqi == vn_aqi(readings)
        assert all_values[("environment.aqi_max", PROVINCE, start)] == aqi
        assert all_splits[("environment.aqi_max", district, start, station)] == aqi


def test_air_readings_are_plausible(values: dict[Key, float]) -> None:
    pm25 = [v for (m, a, _), v in values.items() if m == "environment.pm25" and a == PROVINCE]
    assert 20 < sum(pm25) / len(pm25) < 60  # dry season
    assert all(10 < v < 120 for v in pm25)


def exceedance_counts(items: list[Item]) -> tuple[dict, dict]:
    counted = {
        (a, s): v
        for (m, a, s), v in observations(items).items()
        if m == "environment.exceedances" and v and len(a) == 5
    }
    happened = Counter(
        (e.area, local_midnight_utc(local_day(e.occurred_at)))
        for e in events(items, *EXCEEDANCE_KINDS)
    )
    return counted, dict(happened)


def test_exceedance_counts_equal_the_exceedance_events(
    backfill: list[Item], autumn: list[Item]
) -> None:
    for items in (backfill, autumn):
        counted, happened = exceedance_counts(items)
        assert counted
        assert counted == happened


def test_exceedances_of_every_kind_happen_in_season(
    backfill: list[Item], autumn: list[Item]
) -> None:
    spring = {e.kind for e in events(backfill, *EXCEEDANCE_KINDS)}
    high_tides = {e.kind for e in events(autumn, *EXCEEDANCE_KINDS)}
    assert {"salinity_exceedance", "aqi_exceedance"} <= spring
    assert "water_level_exceedance" in high_tides
    assert all(e.severity in ("warning", "critical") for e in events(autumn, *EXCEEDANCE_KINDS))


def test_water_levels_peak_with_the_autumn_tides(
    values: dict[Key, float], autumn: list[Item]
) -> None:
    def peak(found: dict[Key, float]) -> float:
        return max(v for (m, a, _), v in found.items() if m == "environment.water_level_max")

    assert 80 <= peak(values) < 160
    assert 160 <= peak(observations(autumn)) <= 230


def test_salinity_only_where_stations_are(values: dict[Key, float]) -> None:
    districts = {"945", "946", "947", "949", "950", "951"}
    for metric in ("environment.salinity_max", "environment.do", "environment.ph"):
        found = {a for m, a, _ in values if m == metric}
        assert found == SALINITY_STATION_COMMUNES | districts | {PROVINCE}


def test_dry_season_salinity_crosses_the_levels(backfill: list[Item]) -> None:
    exceedances = events(backfill, "salinity_exceedance")
    assert {e.severity for e in exceedances} <= {"warning", "critical"}
    assert exceedances


# --- education and health ----------------------------------------------------------------------


def test_no_education_data_at_weekends(all_values: dict[Key, float]) -> None:
    education_days = {
        local_day(s)
        for m, _, s in all_values
        if m.startswith("education.") and m not in SCHOOL_YEARLY  # those start 1 September
    }
    assert education_days
    assert all(day.weekday() < 5 for day in education_days)


def test_admissions_come_in_the_summer(values: dict[Key, float], summer: list[Item]) -> None:
    def per_day(found: dict[Key, float]) -> float:
        daily = [v for (m, a, _), v in found.items() if m == "education.admitted" and a == "94"]
        return sum(daily) / len(daily)

    assert per_day(observations(summer)) > 10 * per_day(values)


def school_year_rows(items: Iterable[Item]) -> dict[Key, float]:
    return {
        (o.metric, o.area, o.period_start): o.value
        for o in items
        if isinstance(o, Observation) and o.metric in SCHOOL_YEARLY and not o.dim
    }


def test_exam_results_are_one_value_per_school_year_once_published(
    backfill: list[Item], summer: list[Item]
) -> None:
    """Results come out in mid-July; each school year has one row from its 1 September."""
    assert all(
        o.period_kind == "year"
        for o in backfill + summer
        if isinstance(o, Observation) and o.metric in SCHOOL_YEARLY
    )
    spring = school_year_rows(backfill)  # March 2026: the 2024–2025 results only
    assert {s for _, _, s in spring} == {local_midnight_utc(date(2024, 9, 1))}
    july = school_year_rows(summer)  # 20 July 2026: the 2025–2026 results are out
    start = local_midnight_utc(date(2025, 9, 1))
    assert {s for _, _, s in july} == {start, local_midnight_utc(date(2024, 9, 1))}
    candidates = july[("education.exam_candidates", PROVINCE, start)]
    passed = july[("education.exam_passed", PROVINCE, start)]
    assert 9_000 < candidates < 15_000
    assert 0.95 <= passed / candidates <= 0.99


def test_exam_results_are_not_out_before_the_morning_they_come(
    areas: dict[str, AdminUnit],
) -> None:
    before = run(areas, now=datetime(2026, 7, 16, 0, 30, tzinfo=UTC), backfill_days=2)  # 07:30
    after = run(areas, now=datetime(2026, 7, 16, 1, 30, tzinfo=UTC), backfill_days=2)  # 08:30
    fresh = local_midnight_utc(date(2025, 9, 1))
    assert fresh not in {s for _, _, s in school_year_rows(before)}
    assert fresh in {s for _, _, s in school_year_rows(after)}


def test_vaccination_coverage(values: dict[Key, float]) -> None:
    assert 88 <= ratio(values, "health.vaccinated", "health.vaccination_due") <= 98


def test_schools(backfill: list[Item]) -> None:
    schools = assets(backfill, "school")
    levels = Counter(s.attributes["level"] for s in schools)
    assert levels["THPT"] == 39
    assert levels["THCS"] == levels["Tiểu học"] == 108
    assert all(s.domain == "education" and s.attributes["pupils"] > 0 for s in schools)
    assert any(s.name == "Trường THPT Hoàng Diệu" for s in schools)
    assert any(s.name == "Trường THCS Phường 5" for s in schools)
    assert len({s.name for s in schools}) == len(schools)


# --- public services, documents and portals ----------------------------------------------------


def ratio(values: dict[Key, float], numerator: str, denominator: str) -> float:
    return 100 * province_total(values, numerator) / province_total(values, denominator)


def test_province_on_time_rate_is_near_the_2021_figure(values: dict[Key, float]) -> None:
    rate = ratio(values, "public_services.resolved_on_time", "public_services.resolved")
    assert 99.3 <= rate <= 99.9


def test_online_payment_share(values: dict[Key, float]) -> None:
    share = ratio(values, "public_services.payments_online", "public_services.payments")
    assert 15 <= share <= 40


def test_province_signed_share_is_near_the_2021_figure(values: dict[Key, float]) -> None:
    assert 85 <= ratio(values, "documents.signed", "documents.outgoing") <= 95


def test_dossier_volume_matches_the_yearly_figure(values: dict[Key, float]) -> None:
    daily = province_total(values, "public_services.received") / BACKFILL_DAYS
    assert 439_851 / 365 * 0.6 < daily < 439_851 / 365 * 1.4


def test_agencies(backfill: list[Item]) -> None:
    agencies = [a for a in assets(backfill, "agency") if a.domain == "public_services"]
    assert len(agencies) >= 12
    assert {a.source_id for a in agencies} == set(AGENCY_CODES)
    assert all(a.area == PROVINCE for a in agencies)
    assert any(a.name == "Sở Tài nguyên và Môi trường" for a in agencies)


def test_late_dossier_events_match_the_late_counts(
    values: dict[Key, float], splits: dict[SplitKey, float], backfill: list[Item]
) -> None:
    late = [e for e in events(backfill, "late_dossier") if e.status == "resolved_late"]
    assert late
    by_commune = Counter(
        (e.area, local_midnight_utc(local_day(datetime.fromisoformat(e.attributes["resolved_at"]))))
        for e in late
        if e.attributes["agency"].startswith("ubnd-")
    )
    by_day = Counter(
        local_midnight_utc(local_day(datetime.fromisoformat(e.attributes["resolved_at"])))
        for e in late
        if e.attributes["agency"] in AGENCY_CODES
    )
    recent = {local_midnight_utc(TODAY - timedelta(days=n)) for n in range(30)}
    for start in recent:
        communes = {
            a: v
            for (m, a, s), v in values.items()
            if m == "public_services.resolved_late" and s == start and v and len(a) == 5
        }
        assert communes == {a: n for (a, s), n in by_commune.items() if s == start}
        agencies = sum(members(splits, "public_services.resolved_late")[(PROVINCE, start)].values())
        assert agencies == by_day.get(start, 0)
    for event in late:
        assert event.title.endswith(f"trễ {event.attributes['days_late']} ngày")
        assert event.occurred_at.isoformat() == event.attributes["due_at"]


def test_overdue_task_events_match_the_overdue_stock(
    areas: dict[str, AdminUnit], values: dict[Key, float], backfill: list[Item]
) -> None:
    tasks = events(backfill, "task")
    assert {e.status for e in tasks} == {"overdue", "in_progress", "done"}
    assert all(e.area == PROVINCE or areas[e.area or ""].level == "district" for e in tasks)
    key = ("documents.tasks_overdue", PROVINCE, local_midnight_utc(TODAY))
    communes = sum(
        v for (m, a, s), v in values.items() if m == key[0] and s == key[2] and len(a) == 5
    )
    assert sum(e.status == "overdue" for e in tasks) == values[key] - communes
    assert all(e.title.startswith("Báo cáo tình hình ") for e in tasks)


def test_thirty_two_portals(backfill: list[Item]) -> None:
    portals = assets(backfill, "portal")
    assert len(portals) == 32
    assert sum(a.area == PROVINCE for a in portals) == 21
    assert any(a.name == "Cổng TTĐT huyện Kế Sách" for a in portals)
    assert all(a.attributes["url"].startswith("https://") for a in portals)


def test_portal_assets_match_todays_counts(backfill: list[Item], values: dict[Key, float]) -> None:
    portals = assets(backfill, "portal")
    start = local_midnight_utc(TODAY)

    def today(metric: str) -> float:
        return values[(f"portals.{metric}", PROVINCE, start)]

    assert today("total") == len(portals) == 32
    assert today("up") == sum(a.attributes["up"] for a in portals)
    assert today("tls_expiring") == sum(a.attributes["tls_days_left"] < 30 for a in portals)
    stale = [
        a
        for a in portals
        if a.attributes["last_post_at"] is None
        or FIXED_NOW - datetime.fromisoformat(a.attributes["last_post_at"]) > timedelta(days=7)
    ]
    assert today("stale_content") == len(stale)
    assert today("stale_content") < 16  # most portals post every week


# --- tourism, feedback and cameras -------------------------------------------------------------


def test_room_occupancy(values: dict[Key, float]) -> None:
    assert 40 <= ratio(values, "tourism.rooms_occupied", "tourism.rooms_available") <= 75
    rooms = values[("tourism.rooms_available", "941", local_midnight_utc(TODAY))]
    assert rooms == 1_200


def test_attractions_and_the_festival(backfill: list[Item]) -> None:
    names = {a.name for a in assets(backfill, "attraction")}
    assert any(name.startswith("Chùa Dơi") for name in names)
    assert len(names) >= 8
    (festival,) = assets(backfill, "festival")
    assert festival.area == "31510"
    assert date.fromisoformat(festival.attributes["starts"]).month in (11, 12)
    assert festival.attributes["starts"] < festival.attributes["ends"]


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


def test_feedback_events_match_the_received_counts(
    areas: dict[str, AdminUnit], backfill: list[Item], values: dict[Key, float]
) -> None:
    first_day = TODAY - timedelta(days=BACKFILL_DAYS)
    reports: Counter[tuple[str | None, datetime]] = Counter(
        (e.area, local_midnight_utc(local_day(e.occurred_at)))
        for e in events(backfill, "report")
        if local_day(e.occurred_at) >= first_day
    )
    received = {
        (a, s): v
        for (m, a, s), v in values.items()
        if m == "feedback.received" and v and areas[a].level == "commune"
    }
    assert received == dict(reports)


def test_feedback_resolution_hours_match_the_events(
    backfill: list[Item], values: dict[Key, float]
) -> None:
    hours: defaultdict[tuple[str | None, datetime], float] = defaultdict(float)
    for event in events(backfill, "report"):
        if event.attributes["resolved_at"]:
            resolved = datetime.fromisoformat(event.attributes["resolved_at"])
            key = (event.area, local_midnight_utc(local_day(resolved)))
            hours[key] += (resolved - event.occurred_at).total_seconds() / 3600
    found = [
        (v, hours[(a, s)])
        for (m, a, s), v in values.items()
        if m == "feedback.resolution_hours" and len(a) == 5 and local_day(s) < TODAY
    ]
    assert found
    assert all(abs(v - h) <= 0.06 * max(1, v / 24) for v, h in found)
    mean_days = province_total(values, "feedback.resolution_hours") / 24
    mean_days /= province_total(values, "feedback.resolved")
    assert 2 <= mean_days <= 6


def test_feedback_satisfaction(values: dict[Key, float]) -> None:
    assert 80 <= ratio(values, "feedback.satisfied", "feedback.rated") <= 92


def test_open_reports_are_in_progress_or_overdue(
    backfill: list[Item], values: dict[Key, float]
) -> None:
    start = local_midnight_utc(TODAY)
    open_now = Counter(e.status for e in events(backfill, "report") if e.status != "resolved")
    in_progress = values[("feedback.in_progress", PROVINCE, start)]
    assert in_progress == open_now["received"] + open_now["in_progress"]
    assert values[("feedback.overdue", PROVINCE, start)] == open_now["overdue"]


def test_cameras_offline_and_analytics(backfill: list[Item], values: dict[Key, float]) -> None:
    for (metric, area, start), total in values.items():
        if metric == "cameras.total":
            online = values[("cameras.online", area, start)]
            assert values[("cameras.offline", area, start)] == total - online
    detections = Counter(
        (e.area, local_midnight_utc(local_day(e.occurred_at)))
        for e in events(backfill, "analytics")
    )
    recent = {local_midnight_utc(TODAY - timedelta(days=n)) for n in range(14)}
    counted = {
        (a, s): v
        for (m, a, s), v in values.items()
        if m == "cameras.analytics_events" and v and len(a) == 5 and s in recent
    }
    assert counted == dict(detections)
    daily = [
        v for (m, a, s), v in values.items() if m == "cameras.analytics_events" and len(a) == 5
    ]
    assert max(daily) <= 40


def test_camera_assets_say_when_they_were_last_online(backfill: list[Item]) -> None:
    cameras = assets(backfill, "camera")
    streams = Counter(c.attributes["stream"] for c in cameras)
    assert set(streams) == {"mjpeg", None}
    assert 0.03 < streams["mjpeg"] / len(cameras) < 0.2
    for camera in cameras:  # a streaming camera names where the app serves its stream
        url = camera.attributes["stream_url"]
        assert (url == f"/demo/mjpeg/{camera.source_id}") == (
            camera.attributes["stream"] == "mjpeg"
        )
        assert 0 <= camera.attributes["uptime_30d"] <= 100
    mean_uptime = {
        status: sum(c.attributes["uptime_30d"] for c in group) / len(group)
        for status in ("online", "offline")
        if (group := [c for c in cameras if c.status == status])
    }
    assert mean_uptime["online"] > mean_uptime.get("offline", 0)
    for camera in cameras:
        last = camera.attributes["last_online_at"]
        if camera.status == "online":
            assert last == FIXED_NOW.isoformat()
        elif last is not None:
            assert datetime.fromisoformat(last) < FIXED_NOW


def test_assets_and_events_are_marked_as_demo_and_placed(
    areas: dict[str, AdminUnit], backfill: list[Item]
) -> None:
    placed = [r for r in backfill if isinstance(r, Asset | Event)]
    assert placed
    for record in placed:
        assert record.attributes["demo"] is True
        assert record.lat is not None and record.lon is not None
        unit = areas[record.area or PROVINCE]
        if unit.level == "commune":
            assert abs(record.lat - unit.lat) < 0.01 and abs(record.lon - unit.lon) < 0.01


# --- speed -------------------------------------------------------------------------------------


def test_full_year_backfill_size(areas: dict[str, AdminUnit]) -> None:
    context = FeedContext(areas=areas, now=lambda: FIXED_NOW)
    feed = SimulatorFeed("demo", SimulatorOptions(backfill_days=365), context)
    started = time.perf_counter()
    plan = feed.fetch()
    counts: Counter[str] = Counter()
    for item in feed.normalize(plan):
        counts[type(item).__name__] += len(item) if isinstance(item, ObservationBlock) else 1
    elapsed = time.perf_counter() - started
    print(f"\n365-day backfill: {len(plan.days)} days, {dict(counts)} in {elapsed:.2f} s")
    assert counts["ObservationBlock"] > 1_800_000  # rows, with the split rows

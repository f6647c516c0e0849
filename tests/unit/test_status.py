"""Status and freshness rules: thresholds by good direction, stale vs failing feeds."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest

from store.catalog import METRICS_BY_KEY, Direction
from tests.conftest import FIXED_NOW
from ui.kpi import _target_line
from ui.status import (
    Freshness,
    TargetAttainment,
    feed_state,
    judged,
    ranked,
    record_tone,
    target_attainment,
    target_for,
    tile_status,
    value_status,
)

pytestmark = pytest.mark.unit
ON_TIME = METRICS_BY_KEY["public_services.on_time_rate"]  # up: warn < 98, critical < 95
SALINITY = METRICS_BY_KEY["environment.salinity_max"]  # down: warn >= 1, critical >= 4
VISITS = METRICS_BY_KEY["health.outpatient_visits"]  # neutral


@pytest.mark.parametrize(
    ("metric", "value", "status"),
    [
        (ON_TIME, 99.7, "good"),
        (ON_TIME, 97.0, "warn"),
        (ON_TIME, 90.0, "critical"),
        (SALINITY, 0.4, "good"),
        (SALINITY, 1.0, "warn"),
        (SALINITY, 5.2, "critical"),
        (VISITS, 0.0, "good"),
        (VISITS, None, "nodata"),
    ],
)
def test_value_status(metric, value, status) -> None:
    assert value_status(metric, value) == status


def test_feed_freshness() -> None:
    now = FIXED_NOW
    assert feed_state(None, None, 60, now).freshness is Freshness.NEVER
    assert feed_state(now - timedelta(minutes=2), "ok", 60, now).freshness is Freshness.FRESH
    assert feed_state(now - timedelta(minutes=2), "failed", 60, now).freshness is Freshness.FAILING
    assert feed_state(now - timedelta(minutes=6), "ok", 60, now).freshness is Freshness.STALE
    assert feed_state(now - timedelta(minutes=20), "ok", 600, now).freshness is Freshness.FRESH


def test_tile_status_prefers_nodata_then_stale() -> None:
    stale = feed_state(FIXED_NOW - timedelta(hours=2), "ok", 60, FIXED_NOW)
    assert tile_status(ON_TIME, None, stale) == "nodata"
    assert tile_status(ON_TIME, 99.9, stale) == "stale"
    assert tile_status(ON_TIME, 90.0, None) == "critical"


def test_targets_by_level() -> None:
    metric = METRICS_BY_KEY["documents.work_online_rate"]
    assert [target_for(metric, lvl) for lvl in ("province", "district", "commune")] == [90, 80, 60]
    assert target_for(ON_TIME, "province") is None


@pytest.mark.parametrize("key", ["documents.tasks_overdue", "cameras.offline", "feedback.overdue"])
def test_problem_counts_have_thresholds_that_grow_with_the_area(key: str) -> None:
    """A count of problems over a province is not judged by a commune's yardstick."""
    metric = METRICS_BY_KEY[key]
    limits = [metric.limits(level) for level in ("commune", "district", "province")]
    for (warn, critical), (bigger_warn, bigger_critical) in itertools.pairwise(limits):
        assert warn is not None and critical is not None and warn < critical
        assert bigger_warn is not None and bigger_critical is not None
        assert bigger_warn > warn and bigger_critical > critical
    province_warn, province_critical = limits[2]
    assert province_warn is not None and province_critical is not None
    commune_warn = limits[0][0]
    assert commune_warn is not None
    usual_province_day = commune_warn * 3  # a few communes' worth is a normal province day
    assert value_status(metric, usual_province_day, "province") == "good"
    assert value_status(metric, usual_province_day, "commune") == "critical"
    assert value_status(metric, province_warn, "province") == "warn"
    assert value_status(metric, province_critical, "province") == "critical"
    assert tile_status(metric, province_warn, None, "district") == "critical"


def test_metrics_without_level_limits_keep_their_own() -> None:
    assert SALINITY.limits("province") == SALINITY.limits("commune") == (1, 4)
    assert value_status(SALINITY, 1.0, "province") == "warn"


UP, DOWN, NEUTRAL = Direction.UP, Direction.DOWN, Direction.NEUTRAL
NO_LIMITS: tuple[float | None, float | None] = (None, None)
BY_LEVEL = {"commune": (3.0, 6.0), "district": (12.0, 20.0)}  # a count: a commune's yardstick


def _metric(direction: Direction, limits=NO_LIMITS, by_level=None, targets=None):
    """A catalog metric re-declared with the rule's inputs (every other field stays real)."""
    warn, critical = limits
    return replace(
        VISITS,
        direction=direction,
        warn=warn,
        critical=critical,
        limits_by_level=by_level or {},
        targets=targets or {},
    )


# direction × thresholds (none, warn only, both) × level (own limits, limits by level) → status
STATUS_CASES = [
    # no thresholds: nothing is ever wrong, whatever the direction or the target
    *[(d, NO_LIMITS, None, None, v, "good") for d in (UP, DOWN, NEUTRAL) for v in (0, 50, 1e6)],
    *[(d, NO_LIMITS, None, "commune", None, "nodata") for d in (UP, DOWN, NEUTRAL)],
    # higher is better, warn only: below the limit is a warning, never critical
    (UP, (90, None), None, None, 95, "good"),
    (UP, (90, None), None, None, 90, "good"),
    (UP, (90, None), None, None, 89.9, "warn"),
    (UP, (90, None), None, None, 0, "warn"),
    # higher is better, both
    (UP, (90, 80), None, None, 85, "warn"),
    (UP, (90, 80), None, None, 80, "warn"),
    (UP, (90, 80), None, None, 79.9, "critical"),
    # lower is better, warn only: at or above the limit is a warning
    (DOWN, (1, None), None, None, 0.4, "good"),
    (DOWN, (1, None), None, None, 1, "warn"),
    (DOWN, (1, None), None, None, 50, "warn"),
    # lower is better, both (salinity: 1 ‰ watch, 4 ‰ intrusion)
    (DOWN, (1, 4), None, None, 0.99, "good"),
    (DOWN, (1, 4), None, None, 3.99, "warn"),
    (DOWN, (1, 4), None, None, 4, "critical"),
    # neutral: thresholds without a good direction judge nothing
    (NEUTRAL, (1, 4), None, None, 100, "good"),
    # limits by level: the commune's yardstick is not the province's
    (DOWN, (110, 150), BY_LEVEL, "commune", 5, "warn"),
    (DOWN, (110, 150), BY_LEVEL, "commune", 6, "critical"),
    (DOWN, (110, 150), BY_LEVEL, "district", 6, "good"),
    (DOWN, (110, 150), BY_LEVEL, "district", 12, "warn"),
    (DOWN, (110, 150), BY_LEVEL, "province", 100, "good"),  # no province entry: own limits
    (DOWN, (110, 150), BY_LEVEL, "province", 110, "warn"),
    (DOWN, (110, 150), BY_LEVEL, "province", 150, "critical"),
    (DOWN, (110, 150), BY_LEVEL, None, 6, "good"),
    (UP, (None, None), {"commune": (60.0, 40.0)}, "commune", 50, "warn"),
    (UP, (None, None), {"commune": (60.0, 40.0)}, "province", 10, "good"),
]


@pytest.mark.parametrize(
    ("direction", "limits", "by_level", "level", "value", "status"), STATUS_CASES
)
def test_the_status_rule(direction, limits, by_level, level, value, status) -> None:
    metric = _metric(direction, limits, by_level)
    assert value_status(metric, value, level) == status
    # a target never changes the colour: only thresholds do
    with_target = replace(metric, targets={"province": 1e9, "district": 1e9, "commune": 1e9})
    assert value_status(with_target, value, level) == status


@pytest.mark.parametrize(
    ("direction", "limits", "by_level", "level", "expected"),
    [
        (UP, NO_LIMITS, None, "province", False),
        (UP, (90, None), None, "province", True),
        (DOWN, NO_LIMITS, BY_LEVEL, "commune", True),
        (DOWN, NO_LIMITS, BY_LEVEL, "province", False),
        (NEUTRAL, (1, 4), None, "province", False),  # limits without a good direction
    ],
)
def test_judged_says_whether_a_status_means_anything(
    direction, limits, by_level, level, expected
) -> None:
    assert judged(_metric(direction, limits, by_level), level) is expected


LEVEL_TARGETS = {"province": 90.0, "district": 80.0, "commune": 60.0}


@pytest.mark.parametrize(
    ("direction", "targets", "level", "value", "expected"),
    [
        (UP, LEVEL_TARGETS, "province", 86.9, TargetAttainment(90, met=False, gap=3.1)),
        (UP, LEVEL_TARGETS, "province", 90, TargetAttainment(90, met=True, gap=0)),
        (UP, LEVEL_TARGETS, "province", 97, TargetAttainment(90, met=True, gap=0)),
        (UP, LEVEL_TARGETS, "district", 70, TargetAttainment(80, met=False, gap=10)),
        (UP, LEVEL_TARGETS, "commune", 70, TargetAttainment(60, met=True, gap=0)),
        (DOWN, {"province": 5.0}, "province", 4, TargetAttainment(5, met=True, gap=0)),
        (DOWN, {"province": 5.0}, "province", 5, TargetAttainment(5, met=True, gap=0)),
        (DOWN, {"province": 5.0}, "province", 6.5, TargetAttainment(5, met=False, gap=1.5)),
        (DOWN, {"province": 5.0}, "commune", 6.5, None),  # no target for the level
        (NEUTRAL, LEVEL_TARGETS, "province", 50, None),  # nothing to attain
        (UP, LEVEL_TARGETS, "province", None, None),  # no value yet
        (UP, LEVEL_TARGETS, None, 50, None),  # no level, no target
        (UP, {}, "province", 50, None),
    ],
)
def test_target_attainment(direction, targets, level, value, expected) -> None:
    found = target_attainment(_metric(direction, targets=targets), value, level)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.target, found.met) == (expected.target, expected.met)
        assert found.gap == pytest.approx(expected.gap)


WORK_ONLINE = METRICS_BY_KEY["documents.work_online_rate"]  # targets 90 / 80 / 60 %


@pytest.mark.parametrize(
    ("metric", "value", "level", "lang", "text", "state"),
    [
        (WORK_ONLINE, 86.9, "province", "vi", "Chưa đạt mục tiêu 90%, còn 3,1 điểm %", "below"),
        (WORK_ONLINE, 86.9, "province", "en", "Below target 90% by 3.1 pp", "below"),
        (WORK_ONLINE, 86.9, "district", "vi", "Đạt mục tiêu 80%", "met"),
        (WORK_ONLINE, 86.9, "district", "en", "Target 80% met", "met"),
        (WORK_ONLINE, None, "commune", "vi", "Mục tiêu 60%", "none"),
        (ON_TIME, 97.0, "province", "vi", "Mốc 2021: 99,71% (Đề án 03/ĐA-UBND)", None),
        (ON_TIME, 97.0, "province", "en", "Baseline 2021: 99.71% (Scheme 03/DA-UBND)", None),
        (VISITS, 10.0, "province", "vi", "\u00a0", None),
    ],
)
def test_target_line_separates_targets_from_baselines(
    metric, value, level, lang, text, state
) -> None:
    line = _target_line(metric, value, level, lang)
    assert line.children == text
    assert getattr(line, "data-target", None) == state
    assert ("kpi-baseline" in line.className) is (metric is ON_TIME)


def test_record_statuses_share_the_four_colours() -> None:
    assert [record_tone(c) for c in ("online", "warning", "offline", "open", None)] == [
        "good",
        "warn",
        "critical",
        None,
        None,
    ]


def test_rankings_put_the_best_first_and_ties_in_natural_order() -> None:
    names = {"a": "Phường 10", "b": "Phường 2", "c": "Phường 1", "d": "Xã Đại Hải"}
    values = {"a": 5.0, "b": 5.0, "c": 9.0, "d": 1.0}
    assert ranked(values, names, _metric(UP)) == ["c", "b", "a", "d"]
    assert ranked(values, names, _metric(DOWN)) == ["d", "b", "a", "c"]
    assert ranked(values, names, _metric(NEUTRAL)) == ["c", "b", "a", "d"]


def test_ranking_bars_wear_the_status_only_where_thresholds_judge() -> None:
    from ui.charts import BRAND, breakdown_figure
    from ui.palette import STATUS_COLOURS

    names = {"a": "Phường 1", "b": "Phường 2", "c": "Phường 10"}
    salinity = breakdown_figure({"a": 0.4, "b": 1.5, "c": 5.0}, names, SALINITY, "vi", "commune")
    bars = salinity["data"][0]
    assert bars["y"] == ["Phường 1", "Phường 2", "Phường 10"]  # lower is better: best first
    assert bars["marker"]["color"] == [STATUS_COLOURS[s] for s in ("good", "warn", "critical")]
    visits = breakdown_figure({"a": 10.0, "b": 30.0, "c": 30.0}, names, VISITS, "vi", "commune")
    assert visits["data"][0]["y"] == ["Phường 2", "Phường 10", "Phường 1"]  # ties: natural
    assert visits["data"][0]["marker"]["color"] == [BRAND] * 3

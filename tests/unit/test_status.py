"""Status and freshness rules: thresholds by good direction, stale vs failing feeds."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from store.catalog import METRICS_BY_KEY
from tests.conftest import FIXED_NOW
from ui.status import Freshness, feed_state, target_for, tile_status, value_status

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

"""Status and freshness rules: thresholds by good direction, stale vs failing feeds."""

from __future__ import annotations

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

"""The wall's light series equal the trend read per metric, on SQLite and PostgreSQL: sums per
day and per ISO week, and ratios computed from their components' daily values."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import Store
from store.records import Observation
from store.reference_writes import FeedSpec
from store.scope import Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.integration
KEYS = ["health.outpatient_visits", "public_services.on_time_rate"]


@pytest.mark.parametrize("grain", ["day", "week"])
def test_series_equals_the_trend_of_each_metric(store: Store, grain: str) -> None:
    store.writer.sync_feeds([FeedSpec("sim", "simulator", 60, True, True)])
    today = FIXED_NOW.date()
    records = []
    for back in range(20):
        day = local_midnight_utc(today - timedelta(days=back))
        if back != 4:  # a day without visits stays a gap, not a zero
            records.append(Observation("health.outpatient_visits", "94", day, 100.0 + back))
        records.append(Observation("public_services.resolved", "94", day, 10.0 + back % 3))
        records.append(Observation("public_services.resolved_on_time", "94", day, 9.0))
    store.writer.write_records("sim", records, FIXED_NOW)
    queries = store.queries
    scope = scope_within("94", Window.last_days(14, FIXED_NOW))
    series = queries.series(scope, KEYS, grain)
    for key in KEYS:
        expected = [(p.period, p.value) for p in queries.trend(scope, key, grain).current]
        shown = [(p.period, p.value) for p in series[key] if p.value is not None]
        assert shown == [(d, pytest.approx(v)) for d, v in expected if v is not None], key
    if grain == "day":
        days = [p.period for p in series["health.outpatient_visits"]]
        assert len(days) == 14 and days[-1] == today
        gap = {p.period: p.value for p in series["health.outpatient_visits"]}
        assert gap[today - timedelta(days=4)] is None

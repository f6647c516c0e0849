"""The one comparison rule, table-driven: coverage, points vs percent, running periods, labels."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from store.catalog import METRICS_BY_KEY
from store.comparison import (
    Basis,
    Comparison,
    Kind,
    Reading,
    change_kind,
    clock_in_window,
    compare,
    compare_periods,
    covers,
    open_bucket,
    period_before,
    period_start,
    periods_behind,
    season_bars,
)
from store.read_models import KpiValue, Trend, TrendPoint
from store.scope import Window, local_midnight_utc
from ui.changes import change_number, format_points, missing_text, period_label, until_label
from ui.charts import trend_figure
from ui.kpi import kpi_tile
from ui.status import Freshness, feed_state

pytestmark = pytest.mark.unit

VISITORS = METRICS_BY_KEY["tourism.visitors"]  # a count: SUM
REVENUE = METRICS_BY_KEY["socio_economic.budget_revenue"]  # an amount: SUM
ON_TIME = METRICS_BY_KEY["public_services.on_time_rate"]  # a rate: RATIO × 100, "%"
GROWTH = METRICS_BY_KEY["socio_economic.grdp_growth"]  # a rate: LAST, "%"
AQI = METRICS_BY_KEY["environment.pm25"]  # a level: MEAN, not in percent
SALINITY = METRICS_BY_KEY["environment.salinity_max"]  # a peak: MAX
PENDING = METRICS_BY_KEY["public_services.pending"]  # a stock: LAST
PASS_RATE = METRICS_BY_KEY["education.exam_pass_rate"]  # per school year
NOW = datetime(2026, 11, 20, 7, 5, tzinfo=UTC)  # 14:05 in Sóc Trăng


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (7, 7, True),  # full previous
        (8, 7, True),
        (5, 7, False),  # partly covered previous
        (0, 7, False),  # empty previous
        (3, 3, True),  # a young feed: as many days as it has now
        (0, 0, False),  # nothing now: nothing to compare
        (12, 12, True),  # monthly cadence: months with data
        (11, 12, False),
        (1, 1, True),  # yearly cadence: the year before exists
    ],
)
def test_coverage_rule(previous: int, current: int, expected: bool) -> None:
    assert covers(previous, current) is expected


@pytest.mark.parametrize(
    ("metric", "current", "previous", "expected"),
    [
        (ON_TIME, Reading(98.4, 30), Reading(98.0, 30), Comparison(Kind.PP, pytest.approx(0.4))),
        (GROWTH, Reading(7.1, 30), Reading(6.8, 30), Comparison(Kind.PP, pytest.approx(0.3))),
        (VISITORS, Reading(1100, 7), Reading(1000, 7), Comparison(Kind.PCT, pytest.approx(10.0))),
        (REVENUE, Reading(90, 7), Reading(120, 7), Comparison(Kind.PCT, pytest.approx(-25.0))),
        (AQI, Reading(60, 7), Reading(50, 7), Comparison(Kind.PCT, pytest.approx(20.0))),
        (VISITORS, Reading(10, 7), Reading(0, 7), Comparison(Kind.NONE, None, reason="zero_base")),
        (ON_TIME, Reading(5, 7), Reading(0, 7), Comparison(Kind.PP, 5)),  # points over zero
        # ratios: the fewer days of the two components are the reading's periods
        (
            ON_TIME,
            Reading(98, 30),
            Reading(97, 5),
            Comparison(Kind.INSUFFICIENT, reason="coverage"),
        ),
        (
            REVENUE,
            Reading(9000, 30),
            Reading(46, 1),
            Comparison(Kind.INSUFFICIENT, reason="coverage"),
        ),
        (
            VISITORS,
            Reading(100, 7),
            Reading(None),
            Comparison(Kind.INSUFFICIENT, reason="coverage"),
        ),
        (VISITORS, Reading(None), Reading(100, 7), Comparison(Kind.NONE, reason="no_value")),
    ],
)
def test_points_for_rates_percent_for_counts_and_coverage(
    metric, current: Reading, previous: Reading, expected: Comparison
) -> None:
    assert compare(metric, current, previous) == expected


def test_change_kind_by_unit() -> None:
    assert [change_kind(m) for m in (ON_TIME, GROWTH, PASS_RATE)] == [Kind.PP] * 3
    assert [change_kind(m) for m in (VISITORS, REVENUE, AQI, PENDING)] == [Kind.PCT] * 4


def test_a_running_day_is_left_out_of_a_count_on_both_sides() -> None:
    now = Reading(650, 7, settled=600, settled_periods=6)  # today so far: 50 of a usual 100
    before = Reading(700, 7, settled=600, settled_periods=6)
    assert compare(VISITORS, now, before) == Comparison(Kind.PCT, pytest.approx(-7.142857))
    assert compare(VISITORS, now, before, "last") == Comparison(Kind.PCT, 0.0, Basis.SETTLED)
    peak = compare(SALINITY, Reading(3, 7, 4, 6), Reading(4, 7, 4, 6), "last")
    assert peak == Comparison(Kind.PCT, 0.0, Basis.SETTLED)


@pytest.mark.parametrize(
    ("metric", "where", "kind", "reason"),
    [
        (VISITORS, "last", Kind.INSUFFICIENT, "unfinished"),  # today so far vs all of yesterday
        (VISITORS, "inside", Kind.INSUFFICIENT, "unfinished"),
        (ON_TIME, "last", Kind.PP, ""),  # a rate so far estimates the day's rate
        (PENDING, "last", Kind.PCT, ""),  # a stock is what it is now
    ],
)
def test_today_alone(metric, where: str, kind: Kind, reason: str) -> None:
    today = Reading(40, 1, None, 0)
    yesterday = Reading(100, 1, None, 0)
    found = compare(metric, today, yesterday, where)
    assert (found.kind, found.reason) == (kind, reason)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 20, 7, 5, tzinfo=UTC), "last"),
        (datetime(2026, 11, 20, 16, 59, tzinfo=UTC), "last"),  # 23:59 local
        (datetime(2026, 11, 20, 17, 0, tzinfo=UTC), ""),  # local midnight: the window is over
        (datetime(2026, 11, 18, 7, 0, tzinfo=UTC), "inside"),
        (datetime(2026, 11, 1, 7, 0, tzinfo=UTC), ""),  # before the window
    ],
)
def test_where_the_clock_stands_in_a_window(now: datetime, expected: str) -> None:
    window = Window.last_days(7, datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    assert clock_in_window(window.start, window.end, now) == expected


@pytest.mark.parametrize(
    ("bucket", "grain", "now", "running"),
    [
        # 00:30 on 1 December local is still 30 November in UTC
        (date(2026, 12, 1), "day", datetime(2026, 11, 30, 17, 30, tzinfo=UTC), True),
        (date(2026, 11, 30), "day", datetime(2026, 11, 30, 17, 30, tzinfo=UTC), False),
        (date(2026, 12, 1), "month", datetime(2026, 11, 30, 17, 30, tzinfo=UTC), True),
        (date(2026, 11, 1), "month", datetime(2026, 11, 30, 16, 59, tzinfo=UTC), True),
        (date(2026, 11, 1), "month", datetime(2026, 11, 30, 17, 0, tzinfo=UTC), False),
        # ISO weeks start on Monday: Sunday 29 Nov 23:30 local is in the week of 23 Nov
        (date(2026, 11, 23), "week", datetime(2026, 11, 29, 16, 30, tzinfo=UTC), True),
        (date(2026, 11, 30), "week", datetime(2026, 11, 29, 17, 30, tzinfo=UTC), True),
        (date(2026, 11, 23), "week", datetime(2026, 11, 29, 17, 30, tzinfo=UTC), False),
    ],
)
def test_running_bucket_in_local_time(
    bucket: date, grain: str, now: datetime, running: bool
) -> None:
    assert open_bucket(bucket, grain, now) is running


@pytest.mark.parametrize(
    ("day", "cadence", "start", "before"),
    [
        (date(2026, 8, 31), "school_year", date(2025, 9, 1), date(2024, 9, 1)),
        (date(2026, 9, 1), "school_year", date(2026, 9, 1), date(2025, 9, 1)),
        (date(2026, 1, 15), "school_year", date(2025, 9, 1), date(2024, 9, 1)),
        (date(2026, 8, 15), "quarter", date(2026, 7, 1), date(2026, 4, 1)),
        (date(2026, 1, 1), "quarter", date(2026, 1, 1), date(2025, 10, 1)),
        (date(2026, 11, 20), "year", date(2026, 1, 1), date(2025, 1, 1)),
        (date(2026, 11, 20), "month", date(2026, 11, 1), date(2026, 10, 1)),
        (date(2026, 11, 20), "week", date(2026, 11, 16), date(2026, 11, 9)),
    ],
)
def test_cadence_periods(day: date, cadence: str, start: date, before: date) -> None:
    assert period_start(day, cadence) == start
    assert period_before(start, cadence) == before


@pytest.mark.parametrize(
    ("start", "cadence", "vi", "en"),
    [
        (date(2025, 9, 1), "school_year", "năm học 2025–2026", "school year 2025–2026"),
        (date(2026, 7, 1), "quarter", "Quý III/2026", "Q3 2026"),
        (date(2026, 10, 1), "quarter", "Quý IV/2026", "Q4 2026"),
        (date(2026, 1, 1), "quarter", "Quý I/2026", "Q1 2026"),
        (date(2026, 1, 1), "year", "năm 2026", "2026"),
        (date(2026, 11, 1), "month", "tháng 11/2026", "11/2026"),
    ],
)
def test_cadence_labels(start: date, cadence: str, vi: str, en: str) -> None:
    assert period_label(start, cadence, "vi") == vi
    assert period_label(start, cadence, "en") == en


def test_how_changes_read() -> None:
    assert format_points(0.4, "vi") == "+0,4 điểm %"
    assert format_points(-1.25, "en") == "\u22121.2 pp"
    assert change_number(Comparison(Kind.PCT, 3.21), "vi") == "+3,2%"
    assert change_number(Comparison(Kind.INSUFFICIENT, reason="coverage"), "vi") == ""
    assert missing_text(Comparison(Kind.INSUFFICIENT), "vi") == "chưa đủ dữ liệu để so sánh"
    assert missing_text(Comparison(Kind.INSUFFICIENT), "en") == "not enough data to compare"
    assert until_label(NOW, "vi") == "đến 14:05" and until_label(NOW, "en") == "to 14:05"


def test_a_slow_metric_compares_with_the_period_before_it() -> None:
    found = compare_periods(PASS_RATE, 97.5, 96.9, date(2024, 9, 1))
    assert found == Comparison(Kind.PP, pytest.approx(0.6), Basis.PERIOD, period=date(2024, 9, 1))
    alone = compare_periods(PASS_RATE, 97.5, None, None)
    assert alone.kind is Kind.INSUFFICIENT
    kpi = KpiValue(PASS_RATE.key, 97.5, None, "sim", period=date(2025, 9, 1))
    assert kpi.comparison(PASS_RATE, NOW).kind is Kind.INSUFFICIENT


@pytest.mark.parametrize(
    ("latest", "cadence", "today", "behind"),
    [
        (date(2025, 9, 1), "school_year", date(2026, 11, 20), 1),
        (date(2024, 9, 1), "school_year", date(2026, 11, 20), 2),
        (date(2026, 1, 1), "year", date(2026, 11, 20), 0),
        (date(2026, 4, 1), "quarter", date(2026, 11, 20), 2),
    ],
)
def test_periods_behind(latest: date, cadence: str, today: date, behind: int) -> None:
    assert periods_behind(latest, cadence, today) == behind


def test_kpi_without_coverage_never_shows_a_number() -> None:
    window = Window.last_days(7, NOW)
    bare = KpiValue(VISITORS.key, 100.0, 90.0, "sim")
    assert bare.comparison(VISITORS, NOW).kind is Kind.INSUFFICIENT
    full = replace(
        bare, current=Reading(100, 7, 90, 6), before=Reading(90, 7, 90, 6), window=window
    )
    assert full.comparison(VISITORS, NOW) == Comparison(Kind.PCT, 0.0, Basis.SETTLED)
    after = local_midnight_utc(date(2026, 11, 21)) + timedelta(hours=1)
    assert full.comparison(VISITORS, after) == Comparison(Kind.PCT, pytest.approx(100 / 9))


def test_season_bars_compare_like_with_like() -> None:
    months = {
        2025: {11: (900.0, 16), 12: (1000.0, 31)},  # the store began on 15 November 2025
        2026: {10: (950.0, 31), 11: (800.0, 20)},  # November 2026 runs to the 20th
    }
    bars = season_bars(months, NOW)
    assert bars[2025][11].value is None  # 16 days cannot stand beside 20
    assert bars[2025][12].value == 1000.0  # a whole month, this year has none yet
    assert bars[2026][10].value == 950.0
    assert bars[2026][11].value == 800.0 and bars[2026][11].running
    partial = season_bars({2026: {3: (10.0, 12)}}, NOW)
    assert partial[2026][3].value is None  # neither whole nor running


def test_a_slow_metric_is_as_fresh_as_its_latest_period() -> None:
    """Judged by its cadence, not its feed's interval: a feed quiet for two hours does not
    make a school-year figure stale; a school year missing its successor does."""
    quiet = feed_state(NOW - timedelta(hours=2), "ok", 60, NOW)
    assert quiet.freshness is Freshness.STALE  # by the feed's own interval
    kpi = KpiValue(PASS_RATE.key, 97.5, None, "sim", period=date(2025, 9, 1))
    tile = kpi_tile(PASS_RATE, kpi, quiet, "province", "vi", now=NOW)
    assert tile.to_plotly_json()["props"]["data-status"] == "good"
    assert "năm học 2025–2026" in str(tile)
    old = kpi_tile(
        PASS_RATE, replace(kpi, period=date(2024, 9, 1)), quiet, "province", "vi", now=NOW
    )
    assert old.to_plotly_json()["props"]["data-status"] == "stale"
    daily = kpi_tile(VISITORS, KpiValue(VISITORS.key, 5.0, None, "sim"), quiet, "province", "vi")
    assert daily.to_plotly_json()["props"]["data-status"] == "stale"


def _trend(grain_starts: list[date], values: list[float]) -> Trend:
    points = [TrendPoint(d, v, 7) for d, v in zip(grain_starts, values, strict=True)]
    return Trend(
        points, [TrendPoint(d, v * 1.1, 7) for d, v in zip(grain_starts, values, strict=True)]
    )


@pytest.mark.parametrize(
    ("metric", "last_year_at_running"),
    [(VISITORS, None), (ON_TIME, pytest.approx(99.0))],  # a count so far: no last year beside it
)
def test_trend_marks_the_running_day(metric, last_year_at_running) -> None:
    days = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)]
    figure = trend_figure(_trend(days, [100.0, 100.0, 90.0]), metric, "vi", "day", now=NOW)
    last_year, current, running = figure["data"]
    assert current["y"] == [100.0, 100.0, None]  # the running day is not a whole one
    assert running["y"] == [100.0, 90.0] and running["line"]["dash"] == "dot"
    assert running["text"] == ["", "đến 14:05"]
    assert last_year["y"][:2] == [pytest.approx(110.0)] * 2
    assert last_year["y"][2] == last_year_at_running
    over = trend_figure(_trend(days[:2], [100.0, 100.0]), metric, "vi", "day", now=NOW)
    assert len(over["data"]) == 2  # nothing is running: nothing drawn apart


def test_trend_marks_a_first_month_cut_by_the_window() -> None:
    months = [date(2026, 10, 1), date(2026, 11, 1)]
    cut = date(2026, 10, 22)
    figure = trend_figure(
        _trend(months, [400.0, 600.0]),
        VISITORS,
        "en",
        "month",
        now=NOW,
        first_day=cut,
    )
    _last_year, current, running, head = figure["data"]
    assert current["y"] == [None, None]
    assert running["text"] == ["", "to 14:05"] and head["text"] == ["from 22/10", ""]
    rate = trend_figure(
        _trend(months, [97.0, 98.0]), ON_TIME, "en", "month", now=NOW, first_day=cut
    )
    assert len(rate["data"]) == 3  # a rate over part of a month is still the month's rate

"""Unit tests for VN_AQI (Decision 1459/QĐ-TCMT): breakpoints, interpolation, max rule, bands."""

from __future__ import annotations

import math

import pytest

from feeds.aqi import (
    BREAKPOINTS,
    INDEX_LEVELS,
    aqi_band,
    aqi_for,
    daily_aqi,
    eight_hour_means,
    gas_to_ugm3,
    hourly_aqi,
    nowcast,
    o3_8h_aqi,
    vn_aqi,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("pollutant", "concentration", "expected"),
    [
        ("pm25", 0, 0),
        ("pm25", 25, 50),
        ("pm25", 50, 100),
        ("pm25", 80, 150),
        ("pm25", 150, 200),
        ("pm25", 250, 300),
        ("pm10", 50, 50),
        ("pm10", 150, 100),
        ("pm10", 420, 300),
        ("no2", 200, 100),
        ("so2", 125, 50),
        ("co", 30_000, 100),
        ("o3", 160, 50),
    ],
)
def test_breakpoints_give_their_index_exactly(
    pollutant: str, concentration: float, expected: int
) -> None:
    assert aqi_for(pollutant, concentration) == expected


def test_every_breakpoint_of_every_table_maps_to_its_level() -> None:
    for pollutant, points in BREAKPOINTS.items():
        assert len(points) == len(INDEX_LEVELS)
        for point, level in zip(points, INDEX_LEVELS, strict=True):
            assert aqi_for(pollutant, point) == level


@pytest.mark.parametrize(
    ("pollutant", "concentration", "expected"),
    [
        ("pm25", 12.5, 25),  # halfway 0–25
        ("pm25", 37.5, 75),  # halfway 25–50
        ("pm25", 65, 125),  # halfway 50–80
        ("pm25", 35.3, 71),  # 50 + 50 * 10.3 / 25 = 70.6
        ("pm10", 100, 75),
        ("no2", 40, 20),
    ],
)
def test_values_between_breakpoints_are_interpolated_and_rounded(
    pollutant: str, concentration: float, expected: int
) -> None:
    assert aqi_for(pollutant, concentration) == expected


def test_rounding_is_half_up() -> None:
    assert aqi_for("pm25", 0.25) == 1  # 0.5 rounds up, not to even
    assert aqi_for("pm25", 0.24) == 0


def test_beyond_the_table_is_the_end_of_the_scale() -> None:
    assert aqi_for("pm25", 500) == 500
    assert aqi_for("pm25", 900) == 500


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_impossible_readings_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        aqi_for("pm25", bad)


def test_unknown_pollutant_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown pollutant"):
        aqi_for("pm1", 10)


def test_vn_aqi_is_the_highest_pollutant_index() -> None:
    readings = {"pm25": 30.0, "pm10": 60.0, "no2": 40.0, "so2": 10.0, "co": 900.0, "o3": 60.0}
    assert vn_aqi(readings) == max(aqi_for(k, v) for k, v in readings.items()) == 60
    assert vn_aqi({"pm10": 40.0, "o3": 250.0}) == 125  # a gas can lead


def test_vn_aqi_needs_a_dust_reading() -> None:
    assert vn_aqi({"no2": 40.0, "o3": 60.0}) is None
    assert vn_aqi({"pm25": None, "pm10": math.nan, "co": 900.0}) is None
    assert vn_aqi({"pm10": 150.0}) == 100
    assert vn_aqi({"pm25": 50.0, "so2": None}) == 100


@pytest.mark.parametrize(
    ("aqi", "band"),
    [
        (0, "good"),
        (50, "good"),
        (51, "moderate"),
        (100, "moderate"),
        (101, "poor"),
        (150, "poor"),
        (151, "bad"),
        (200, "bad"),
        (201, "very_bad"),
        (300, "very_bad"),
        (301, "hazardous"),
        (500, "hazardous"),
    ],
)
def test_bands(aqi: int, band: str) -> None:
    assert aqi_band(aqi) == band


# --- NowCast, hourly and daily VN_AQI, gas units (Decision 1459/QĐ-TCMT, section 2) ---------


def test_nowcast_worked_example_with_the_floor_weight() -> None:
    """c1..c12 = 60, 40, 30, then 30 µg/m³ for nine hours: c_min/c_max = 0.5, so w = 0.5.
    Σ wⁱ⁻¹cᵢ = 60 + 20 + 7.5 + 30·Σ_{k=3}^{11} 0.5ᵏ = 87.5 + 30·0.24951171875 = 94.9853515625;
    Σ wⁱ⁻¹ = 2·(1 − 0.5¹²) = 1.99951171875; NowCast = 47.5042… µg/m³.
    PM2.5 AQI = 50 + (100 − 50)·(47.5042 − 25)/(50 − 25) = 95.008 → 95."""
    hours = [60.0, 40.0, 30.0, *([30.0] * 9)]
    value = nowcast(hours)
    assert value == pytest.approx(94.9853515625 / 1.99951171875)
    result = hourly_aqi({"pm25": hours})
    assert result is not None
    assert result.value == 95
    assert result.dominant == "pm25"


def test_nowcast_weight_above_one_half_is_the_ratio() -> None:
    hours = [50.0, 40.0]  # w* = 0.8: (50 + 0.8·40) / (1 + 0.8)
    assert nowcast(hours) == pytest.approx((50 + 0.8 * 40) / 1.8)


def test_nowcast_skips_missing_hours_in_both_sums() -> None:
    hours = [40.0, None, 40.0, None, 20.0]  # w = 0.5: (40 + 0.25·40 + 0.0625·20) / 1.3125
    assert nowcast(hours) == pytest.approx((40 + 10 + 1.25) / (1 + 0.25 + 0.0625))


@pytest.mark.parametrize("hours", [[40.0, None, None, 35.0], [None, None, 40.0], []])
def test_no_nowcast_without_two_of_the_three_latest_hours(hours: list[float | None]) -> None:
    assert nowcast(hours) is None
    assert hourly_aqi({"pm25": hours, "no2": [150.0]}) is None  # never from the gases alone


def test_hourly_gases_use_the_hours_mean_and_the_highest_part_wins() -> None:
    result = hourly_aqi({"pm10": [40.0, 40.0], "no2": [150.0, 10.0], "co": [None]})
    assert result is not None
    assert result.parts == {"pm10": 40, "no2": 75}
    assert (result.value, result.dominant) == (75, "no2")


def test_gases_in_ppb_and_ppm_become_micrograms_at_25_degrees() -> None:
    assert gas_to_ugm3("no2", 100, "ppb") == pytest.approx(100 * 46.0055 / 24.45)
    assert gas_to_ugm3("so2", 1, "ppm") == pytest.approx(1000 * 64.066 / 24.45)
    assert gas_to_ugm3("co", 1, "ppm") == pytest.approx(1145.6, abs=0.1)
    with pytest.raises(ValueError, match="neither ppb nor ppm"):
        gas_to_ugm3("o3", 1, "mg/m³")
    with pytest.raises(ValueError, match="molar mass"):
        gas_to_ugm3("pm25", 1, "ppb")


def test_daily_aqi_takes_pm_means_and_gas_peaks_with_18_hours() -> None:
    pm = [30.0] * 18 + [None] * 6  # 18 of 24 hours: enough
    no2 = [20.0] * 23 + [250.0]  # the day's highest hour: 250 → 100 + 50·50/500 = 105
    result = daily_aqi({"pm25": pm, "no2": no2})
    assert result is not None
    assert result.parts == {"pm25": 60, "no2": 105}
    assert result.value == 105


def test_daily_aqi_is_not_published_below_18_hours_of_pm() -> None:
    assert daily_aqi({"pm25": [30.0] * 17 + [None] * 7, "no2": [20.0] * 24}) is None
    assert daily_aqi({"no2": [20.0] * 24, "o3": [50.0] * 24}) is None


def test_daily_o3_takes_the_higher_of_its_1_hour_and_8_hour_indexes() -> None:
    o3 = [110.0] * 24  # 1 h: 110 → 34; 8 h: 110 → 50 + 50·10/20 = 75
    result = daily_aqi({"pm25": [10.0] * 24, "o3": o3}, o3_before=[110.0] * 7)
    assert result is not None
    assert result.parts["o3"] == 75
    assert eight_hour_means([1.0] * 5 + [None] * 3) == []  # 5 of 8 hours: no mean
    assert o3_8h_aqi(401) is None  # above the 8-hour table the 1-hour value decides


# The worked examples of the decision itself (section 2.3 "Tính toán mẫu" and the 8-hour
# example of 2.2.2), as printed in Decision 1459/QĐ-TCMT.
DECISION_PM25_09_TO_20 = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]
DECISION_O3_HOURLY_18_TO_00 = [
    *(15.7, 14.2, 17.7, 18.9, 19.3, 15.7, 19.7, 22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2),
    *(41.6, 45.7, 49.2, 55.8, 69.6, 78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5),
    *(19.4, 20.4, 21.3),
]
DECISION_O3_8H_01_TO_00 = [
    *(18.0, 19.4, 21.2, 23.0, 23.8, 25.8, 28.2, 30.9, 33.8, 36.6, 39.9, 44.7, 51.3, 58.4),
    *(66.2, 71.1, 74.4, 73.7, 71.0, 65.0, 57.8, 48.7, 39.1, 31.6),
]


def test_the_decisions_nowcast_example_gives_20_3() -> None:
    # 20:00 is the current hour (c1): the table's hours reversed
    assert round(nowcast(list(reversed(DECISION_PM25_09_TO_20))) or 0, 1) == 20.3


def test_the_decisions_hourly_example() -> None:
    assert aqi_for("o3", 136.1) == 43
    assert aqi_for("pm25", 20.3) == 41
    # the decision prints 60 for NO₂, but its own formula, (100 − 50) / (200 − 100) ×
    # (118.7 − 100) + 50, is 59.35: 59 rounded, so the hour's AQI is 59, not the printed 60
    assert aqi_for("no2", 118.7) == 59
    hourly = hourly_aqi(
        {"o3": [136.1], "no2": [118.7], "pm25": list(reversed(DECISION_PM25_09_TO_20))}
    )
    assert hourly is not None and (hourly.value, hourly.dominant) == (59, "no2")


def test_the_decisions_daily_example_gives_110() -> None:
    parts = {
        "o3_8h": o3_8h_aqi(89.3),
        "o3_1h": aqi_for("o3", 114.6),
        "no2": aqi_for("no2", 130.8),
        "pm25": aqi_for("pm25", 55.7),
    }
    assert parts == {"o3_8h": 45, "o3_1h": 36, "no2": 65, "pm25": 110}
    assert vn_aqi({"o3": 114.6, "no2": 130.8, "pm25": 55.7}) == 110


def test_the_decisions_eight_hour_example() -> None:
    means = eight_hour_means(DECISION_O3_HOURLY_18_TO_00)
    assert len(means) == 24  # one per hour of the day, 1:00 … 0:00
    for hour, (ours, printed) in enumerate(zip(means, DECISION_O3_8H_01_TO_00, strict=True)):
        # printed to one decimal (21.25 as 21.2); 12:00 is printed 44.7, but its eight hours
        # (5:00–12:00) sum to 357.1: 44.64
        assert abs(ours - printed) <= (0.07 if hour == 11 else 0.05 + 1e-9), (hour, ours)
    assert round(max(means), 1) == 74.4

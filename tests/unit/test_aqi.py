"""Unit tests for VN_AQI (Decision 1459/QĐ-TCMT): breakpoints, interpolation, max rule, bands."""

from __future__ import annotations

import math

import pytest

from feeds.aqi import BREAKPOINTS, INDEX_LEVELS, aqi_band, aqi_for, vn_aqi

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

"""VN_AQI, the Vietnamese air quality index of Decision 1459/QĐ-TCMT (12/11/2019)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

# The index values I_i at the breakpoints (Bảng 1 of the decision's guidance).
INDEX_LEVELS: Final = (0, 50, 100, 150, 200, 300, 400, 500)

# Breakpoints BP_i in µg/m³, aligned with INDEX_LEVELS. Dust uses the 24-hour table; the gases
# use the decision's 1-hour table (O₃ its 1-hour column; CO is in µg/m³, not mg/m³).
BREAKPOINTS: Final[Mapping[str, tuple[float, ...]]] = {
    "pm25": (0, 25, 50, 80, 150, 250, 350, 500),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
    "o3": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "co": (0, 10_000, 30_000, 45_000, 60_000, 90_000, 120_000, 150_000),
    "so2": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "no2": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
}
DUST: Final = ("pm25", "pm10")  # the decision needs at least one of these

# Upper bounds of the six bands (0–50 good … 301–500 hazardous).
BANDS: Final = (
    (50, "good"),
    (100, "moderate"),
    (150, "poor"),
    (200, "bad"),
    (300, "very_bad"),
)


def aqi_for(pollutant: str, concentration_ugm3: float) -> int:
    """The AQI of one pollutant: linear between the two breakpoints around the concentration.

    The decision's daily AQI takes dust as 24-hour means and the gases as the day's highest
    1-hour value; fed daily means for the gases, this is an approximation (a low one). Values
    beyond the last breakpoint count as 500, the end of the scale. Rounded half up.
    """
    if pollutant not in BREAKPOINTS:
        raise ValueError(f"unknown pollutant {pollutant!r} (known: {', '.join(BREAKPOINTS)})")
    if not math.isfinite(concentration_ugm3) or concentration_ugm3 < 0:
        raise ValueError(f"{pollutant}: concentration {concentration_ugm3!r} is not a reading")
    points = BREAKPOINTS[pollutant]
    if concentration_ugm3 >= points[-1]:
        return INDEX_LEVELS[-1]
    upper = next(i for i, bp in enumerate(points) if concentration_ugm3 < bp)
    low_bp, high_bp = points[upper - 1], points[upper]
    low_i, high_i = INDEX_LEVELS[upper - 1], INDEX_LEVELS[upper]
    value = low_i + (high_i - low_i) * (concentration_ugm3 - low_bp) / (high_bp - low_bp)
    return math.floor(value + 0.5)


def vn_aqi(readings: Mapping[str, float | None]) -> int | None:
    """The VN_AQI: the highest of the pollutants' AQIs; None without PM2.5 or PM10.

    Missing readings (None or NaN) are left out.
    """
    present = {
        name: value
        for name, value in readings.items()
        if value is not None and not (isinstance(value, float) and math.isnan(value))
    }
    if not any(name in present for name in DUST):
        return None
    return max(aqi_for(name, value) for name, value in present.items())


def aqi_band(aqi: int) -> str:
    """The band of an AQI value: good, moderate, poor, bad, very_bad or hazardous."""
    for upper, band in BANDS:
        if aqi <= upper:
            return band
    return "hazardous"

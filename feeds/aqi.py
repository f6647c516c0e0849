"""VN_AQI, the Vietnamese air quality index of Decision 1459/QĐ-TCMT (12/11/2019)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
GASES: Final = ("o3", "co", "so2", "no2")
# O₃'s 8-hour table ends at index 300 (400 µg/m³); above it the 1-hour value decides.
O3_8H_BREAKPOINTS: Final = (0, 100, 120, 170, 210, 400)

# Completeness: a mean needs 75 % of its hourly values (18 of 24 hours, 6 of 8 hours), and a
# NowCast needs at least two of the three most recent hours.
DAY_HOURS_NEEDED: Final = 18
EIGHT_HOURS_NEEDED: Final = 6
NOWCAST_HOURS: Final = 12
NOWCAST_RECENT_NEEDED: Final = 2

# Molar masses (g/mol) of the gases, for ppb → µg/m³ at 25 °C and 1 atm (molar volume 24.45 L).
MOLAR_MASS: Final[Mapping[str, float]] = {
    "so2": 64.066,
    "no2": 46.0055,
    "co": 28.010,
    "o3": 47.997,
}
MOLAR_VOLUME_L: Final = 24.45

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


def gas_to_ugm3(pollutant: str, value: float, unit: str) -> float:
    """A gas reading in ppb or ppm as µg/m³ at 25 °C and 1 atm (µg/m³ = ppb × M / 24.45)."""
    if pollutant not in MOLAR_MASS:
        raise ValueError(f"{pollutant!r} is not a gas with a known molar mass")
    ppb = {"ppb": value, "ppm": value * 1000.0}.get(unit)
    if ppb is None:
        raise ValueError(f"{pollutant}: unit {unit!r} is neither ppb nor ppm")
    return ppb * MOLAR_MASS[pollutant] / MOLAR_VOLUME_L


def nowcast(hourly: Sequence[float | None]) -> float | None:
    """The NowCast of PM from its hourly means, most recent hour first (c1, c2, … c12).

    None unless at least two of c1–c3 exist. w* = c_min / c_max over the hours present, and
    w = max(w*, 1/2); NowCast = Σ wⁱ⁻¹·cᵢ / Σ wⁱ⁻¹ over the hours present (missing ones are
    left out of both sums). For w = 1/2 the decision writes Σ (1/2)ⁱ·cᵢ without the divisor;
    with twelve hours that is the same weighted mean to within 0.03 % (Σ (1/2)ⁱ⁻¹ ≈ 2), and
    only the normalised form stays a mean when hours are missing. The decision's worked
    example (20,3 µg/m³) is a unit test.
    """
    hours = list(hourly[:NOWCAST_HOURS])
    recent = sum(1 for c in hours[:3] if c is not None)
    if recent < NOWCAST_RECENT_NEEDED:
        return None
    present = [(i, c) for i, c in enumerate(hours) if c is not None]
    high = max(c for _, c in present)
    low = min(c for _, c in present)
    if high <= 0:
        return 0.0
    weight = max(low / high, 0.5)
    total = sum(weight**i * c for i, c in present)
    return total / sum(weight**i for i, _ in present)


@dataclass(frozen=True, slots=True, kw_only=True)
class AqiResult:
    """A published VN_AQI: its value, each pollutant's AQI and the one that set it."""

    value: int
    parts: Mapping[str, int]
    dominant: str


def _result(parts: Mapping[str, int]) -> AqiResult | None:
    if not any(name in parts for name in DUST):
        return None  # never an index from the gases alone
    dominant = max(parts, key=lambda name: (parts[name], name in DUST))
    return AqiResult(value=parts[dominant], parts=dict(parts), dominant=dominant)


def hourly_aqi(history: Mapping[str, Sequence[float | None]]) -> AqiResult | None:
    """The hour's VN_AQI from each pollutant's hourly means in µg/m³, most recent first.

    PM uses its NowCast, the gases their 1-hour mean of the hour (c1). None when no PM has a
    NowCast (the completeness rule) — never an index from the gases alone.
    """
    parts: dict[str, int] = {}
    for name, hours in history.items():
        if name in DUST:
            value = nowcast(hours)
        elif name in GASES:
            value = hours[0] if hours else None
        else:
            continue
        if value is not None:
            parts[name] = aqi_for(name, value)
    return _result(parts)


def eight_hour_means(hours: Sequence[float | None]) -> list[float]:
    """The 8-hour running means of a day's O₃ (oldest first; `hours` holds the 7 hours before
    the day, then the day's hours), each only when 6 of its 8 hours exist."""
    means = []
    for end in range(8, len(hours) + 1):
        window = [c for c in hours[end - 8 : end] if c is not None]
        if len(window) >= EIGHT_HOURS_NEEDED:
            means.append(sum(window) / len(window))
    return means


def o3_8h_aqi(concentration_ugm3: float) -> int | None:
    """O₃'s AQI from its 8-hour mean; None above the 8-hour table (the 1-hour value decides)."""
    points = O3_8H_BREAKPOINTS
    if concentration_ugm3 > points[-1]:
        return None
    upper = next((i for i, bp in enumerate(points) if concentration_ugm3 < bp), len(points) - 1)
    upper = max(upper, 1)
    low_bp, high_bp = points[upper - 1], points[upper]
    low_i, high_i = INDEX_LEVELS[upper - 1], INDEX_LEVELS[upper]
    value = low_i + (high_i - low_i) * (concentration_ugm3 - low_bp) / (high_bp - low_bp)
    return math.floor(value + 0.5)


def daily_aqi(
    day: Mapping[str, Sequence[float | None]], o3_before: Sequence[float | None] = ()
) -> AqiResult | None:
    """The day's VN_AQI from each pollutant's 24 hourly means in µg/m³ (oldest first).

    PM: the 24-hour mean; SO₂, CO, NO₂: the day's highest 1-hour mean; O₃: the higher of
    the AQIs of its highest 1-hour and highest 8-hour means (`o3_before`: the 7 hours before
    the day, for the first 8-hour windows). Each needs 18 of the 24 hours; None when no PM
    qualifies.
    """
    parts: dict[str, int] = {}
    for name, hours in day.items():
        present = [c for c in hours if c is not None]
        if len(present) < DAY_HOURS_NEEDED:
            continue
        if name in DUST:
            parts[name] = aqi_for(name, sum(present) / len(present))
        elif name in GASES:
            parts[name] = aqi_for(name, max(present))
            if name == "o3":
                eights = eight_hour_means([*o3_before, *hours])
                eight = o3_8h_aqi(max(eights)) if eights else None
                if eight is not None:
                    parts[name] = max(parts[name], eight)
    return _result(parts)


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

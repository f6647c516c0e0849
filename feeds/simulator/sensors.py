"""Salinity stations and rain: the water-side monitoring network and the weather."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.geography import Geography
from feeds.simulator.streams import day_rng, stable_uniform
from feeds.simulator.world import World
from geo.hierarchy import AdminUnit

SALINITY_DECIMALS = 2
SALINITY_LEVELS = (1.0, 4.0)  # ‰: watch (warning), intrusion (critical)
SPRING_TIDE_DAYS = 14.765  # half a synodic month
SPRING_TIDE_ANCHOR = date(2026, 1, 3)  # a full moon
# (commune code, station name, river, dry-season peak ‰)
STATIONS = (
    ("31636", "Trạm quan trắc độ mặn An Thạnh Nam", "sông Hậu (cửa Định An)", 6.0),
    ("31639", "Trạm quan trắc độ mặn Long Phú", "sông Hậu", 3.5),
    ("31673", "Trạm quan trắc độ mặn Trần Đề", "sông Hậu (cửa Trần Đề)", 5.0),
    ("31795", "Trạm quan trắc độ mặn Cổ Cò", "sông Cổ Cò", 5.5),
    ("31723", "Trạm quan trắc độ mặn Mỹ Thanh", "sông Mỹ Thanh", 4.0),
    ("31756", "Trạm quan trắc độ mặn Thạnh Trị", "kênh Nhu Gia", 1.6),
)
RAIN_DECIMALS = 1
RAIN_MM_SCALE = 18.0


@dataclass(frozen=True, slots=True)
class Station:
    source_id: str
    name: str
    river: str
    commune: AdminUnit
    commune_index: int
    peak: float


# --- salinity ------------------------------------------------------------------------------------


def stations(world: World) -> tuple[Station, ...]:
    return world.memo(("stations",), lambda: _build_stations(world.geo))


def _build_stations(geo: Geography) -> tuple[Station, ...]:
    found = []
    for code, name, river, peak in STATIONS:
        if code in geo.commune_index:
            index = geo.commune_index[code]
            found.append(Station(f"MAN-{code}", name, river, geo.communes[index], index, peak))
    return tuple(found)


def salinity(world: World, day: date) -> np.ndarray:
    """Each station's peak salinity (‰) of the day, in `stations()` order."""
    return world.memo(("salinity", day), lambda: _salinity(world, day))


def _salinity(world: World, day: date) -> np.ndarray:
    found = stations(world)
    rng = day_rng(world.seed, "salinity", day)
    peaks = np.array([s.peak for s in found])
    severity = _year_severity(world, day)
    intrusion = peaks * severity * almanac.dry_season(day) * _spring_tide(day)
    noise = rng.lognormal(0.0, 0.1, len(found))
    fresh = rng.uniform(0.05, 0.4, len(found)) * np.minimum(peaks / 5.0, 1.0)
    return np.round(intrusion * noise + fresh, SALINITY_DECIMALS)


def _year_severity(world: World, day: date) -> float:
    """Some dry seasons are harsher than others (one draw per season, named by its year)."""
    season = day.year + 1 if day.month >= 10 else day.year
    return 0.8 + 0.35 * stable_uniform(world.seed, "salinity-year", str(season))


def spring_tide(day: date) -> float:
    """The fortnightly tide cycle in [-1, 1]: 1 at spring tides (full and new moon)."""
    return math.cos(2 * math.pi * (day - SPRING_TIDE_ANCHOR).days / SPRING_TIDE_DAYS)


def _spring_tide(day: date) -> float:
    return 1.0 + 0.15 * spring_tide(day)


def crossed(
    today: np.ndarray, yesterday: np.ndarray, levels: tuple[float, ...]
) -> list[float | None]:
    """Per station, the highest of `levels` crossed upwards since yesterday, or None."""
    found: list[float | None] = []
    for now_value, before in zip(today.tolist(), yesterday.tolist(), strict=True):
        passed = [lv for lv in levels if before < lv <= now_value]
        found.append(max(passed) if passed else None)
    return found


def crossed_level(world: World, day: date) -> list[float | None]:
    """Per station, the highest salinity level crossed upwards on the day, or None."""
    yesterday = salinity(world, day - timedelta(days=1))
    return crossed(salinity(world, day), yesterday, SALINITY_LEVELS)


# --- rain ----------------------------------------------------------------------------------------


def rainfall(world: World, day: date) -> np.ndarray:
    """Rain per commune (mm): a province-wide weather day with patchy local showers."""
    return world.memo(("rain", day), lambda: _rainfall(world, day))


def _rainfall(world: World, day: date) -> np.ndarray:
    geo = world.geo
    rng = day_rng(world.seed, "rain", day)
    n = len(geo.communes)
    chance = 0.02 + 0.65 * almanac.wet_season(day)
    if rng.random() < chance:
        coverage = rng.uniform(0.3, 1.0)
        storm = rng.gamma(2.0, 0.5)
        wet = rng.random(n) < coverage
        amount = rng.gamma(0.9, RAIN_MM_SCALE * storm / 0.9, n)
    else:
        wet = rng.random(n) < 0.02
        amount = rng.gamma(0.8, 3.0, n)
    return np.round(np.where(wet, amount, 0.0), RAIN_DECIMALS)

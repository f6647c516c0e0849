"""Water level, dissolved oxygen and pH at the salinity stations: tides, floods and seasons."""

from __future__ import annotations

from datetime import date

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.sensors import salinity, spring_tide, stations
from feeds.simulator.streams import day_rng
from feeds.simulator.world import World

WATER_LEVELS = (160.0, 180.0)  # cm: alert levels (warning, critical)
WATER_LEVEL_BASE = (90.0, 115.0)  # cm: each station's usual daily peak outside the tide season
HIGH_TIDE_PEAK_DOY = 305  # the year's highest tides: October–November
HIGH_TIDE_HALF_WIDTH = 75
HIGH_TIDE_RISE = 50.0
SPRING_TIDE_SWING = 18.0
FLOOD_RISE = 10.0  # upstream floods in the wet season
WATER_LEVEL_RANGE = (60.0, 230.0)
DO_USUAL = (4.6, 6.2)  # mg/l
DO_RANGE = (3.5, 7.0)
PH_USUAL = (6.9, 7.5)
PH_RANGE = (6.5, 8.0)
QUALITY_DECIMALS = 2


def water_level(world: World, day: date) -> np.ndarray:
    """Each station's highest water level of the day (cm), in `stations()` order."""
    return world.memo(("water-level", day), lambda: _water_level(world, day))


def _water_level(world: World, day: date) -> np.ndarray:
    ids = [s.source_id for s in stations(world)]
    rng = day_rng(world.seed, "water-level", day)
    base = world.profile("water-base", ids, *WATER_LEVEL_BASE)
    season = HIGH_TIDE_RISE * almanac.bump(day, HIGH_TIDE_PEAK_DOY, HIGH_TIDE_HALF_WIDTH)
    swell = FLOOD_RISE * almanac.wet_season(day) + SPRING_TIDE_SWING * spring_tide(day)
    level = base + season + swell + rng.normal(0.0, 5.0, len(ids))
    return np.round(np.clip(level, *WATER_LEVEL_RANGE))


def water_quality(world: World, day: date) -> tuple[np.ndarray, np.ndarray]:
    """Each station's daily mean dissolved oxygen (mg/l) and pH, in `stations()` order."""
    return world.memo(("water-quality", day), lambda: _water_quality(world, day))


def _water_quality(world: World, day: date) -> tuple[np.ndarray, np.ndarray]:
    """Runoff in the rains lowers oxygen and (from acid sulphate soils) pH; brackish water
    raises pH a little."""
    ids = [s.source_id for s in stations(world)]
    rng = day_rng(world.seed, "water-quality", day)
    wet = almanac.wet_season(day)
    oxygen = world.profile("do", ids, *DO_USUAL) - 0.5 * wet + rng.normal(0.0, 0.3, len(ids))
    ph = (
        world.profile("ph", ids, *PH_USUAL)
        + 0.08 * salinity(world, day)
        - 0.15 * wet
        + rng.normal(0.0, 0.08, len(ids))
    )
    return (
        np.round(np.clip(oxygen, *DO_RANGE), QUALITY_DECIMALS),
        np.round(np.clip(ph, *PH_RANGE), QUALITY_DECIMALS),
    )

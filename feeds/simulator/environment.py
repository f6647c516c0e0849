"""The environment domain's day: station readings, air quality, exceedances, land records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.air import POLLUTANTS, air_aqi, air_readings, air_station
from feeds.simulator.exceedances import exceedance_counts
from feeds.simulator.parts import Parts, Rollup
from feeds.simulator.sensors import RAIN_DECIMALS, SALINITY_DECIMALS, rainfall, salinity, stations
from feeds.simulator.streams import day_rng
from feeds.simulator.water import QUALITY_DECIMALS, water_level, water_quality
from feeds.simulator.world import Day, World

LAND_DOSSIERS_PER_WORKDAY = 80  # land-record dossiers province-wide (registration, transfers)


def environment(world: World, day: Day) -> dict[str, Parts]:
    geo = world.geo
    return {
        **_water_stations(world, day.date),
        **_air(world, day.date),
        "environment.rainfall": Parts(
            commune=rainfall(world, day.date),
            rollup=Rollup.WEIGHTED_MEAN,
            commune_weight=geo.commune_area_km2,
            decimals=RAIN_DECIMALS,
        ),
        "environment.exceedances": Parts(commune=exceedance_counts(world, day), exact=True),
        "environment.land_dossiers": _land_dossiers(world, day.date),
    }


def _water_stations(world: World, day: date) -> dict[str, Parts]:
    found = stations(world)
    where = [s.commune_index for s in found]
    ids = [s.source_id for s in found]
    oxygen, ph = water_quality(world, day)
    return {
        "environment.salinity_max": station_parts(
            world, where, ids, salinity(world, day), Rollup.MAX, SALINITY_DECIMALS
        ),
        "environment.water_level_max": station_parts(
            world, where, ids, water_level(world, day), Rollup.MAX, 0
        ),
        "environment.do": station_parts(
            world, where, ids, oxygen, Rollup.WEIGHTED_MEAN, QUALITY_DECIMALS
        ),
        "environment.ph": station_parts(
            world, where, ids, ph, Rollup.WEIGHTED_MEAN, QUALITY_DECIMALS
        ),
    }


def _air(world: World, day: date) -> dict[str, Parts]:
    station = air_station(world)
    where, ids = [station.commune_index], [station.source_id]
    readings = air_readings(world, day)
    found = {
        f"environment.{name}": station_parts(
            world, where, ids, np.array([readings[name]]), Rollup.WEIGHTED_MEAN, 1
        )
        for name in POLLUTANTS
    }
    aqi = np.array([float(air_aqi(world, day))])
    found["environment.aqi_max"] = station_parts(world, where, ids, aqi, Rollup.MAX, 0)
    return found


def station_parts(
    world: World,
    where: Sequence[int],
    ids: Sequence[str],
    values: np.ndarray,
    rollup: Rollup,
    decimals: int,
) -> Parts:
    """Readings at their stations' communes (NaN elsewhere), rolled up by peak or mean, and
    split by station at the station's district."""
    geo = world.geo
    n = len(geo.communes)
    splits = tuple(
        (geo.owner(i).code, sid, float(v))
        for i, sid, v in zip(where, ids, values.tolist(), strict=True)
    )
    index = np.array(where, dtype=int)
    if rollup is Rollup.MAX:
        peak = np.full(n, np.nan)
        np.fmax.at(peak, index, values)
        return Parts(commune=peak, province=np.nan, rollup=rollup, decimals=decimals, splits=splits)
    count = np.bincount(index, minlength=n).astype(float)
    total = np.bincount(index, weights=values, minlength=n)
    mean = np.divide(total, count, out=np.full(n, np.nan), where=count > 0)
    return Parts(
        commune=mean, rollup=rollup, commune_weight=count, decimals=decimals, splits=splits
    )


def _land_dossiers(world: World, day: date) -> Parts:
    """Dossiers at the districts' land registration offices, on office days."""
    rng = day_rng(world.seed, "land", day)
    geo = world.geo
    expected = LAND_DOSSIERS_PER_WORKDAY * almanac.paperwork_weight(day) * rng.lognormal(0, 0.2)
    busy = rng.lognormal(0.0, 0.2, len(geo.districts))
    return Parts(district=rng.poisson(expected * geo.district_share * busy).astype(float))

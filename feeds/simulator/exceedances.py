"""Threshold exceedances at the stations (salinity, water level, VN_AQI): counted and shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from feeds.aqi import aqi_band
from feeds.simulator.air import AQI_LEVELS, air_aqi, air_readings, air_station
from feeds.simulator.geography import near
from feeds.simulator.sensors import SALINITY_LEVELS, crossed, salinity, stations
from feeds.simulator.streams import day_rng
from feeds.simulator.water import WATER_LEVELS, water_level
from feeds.simulator.world import Day, World
from geo.hierarchy import AdminUnit
from store.records import Event

SALINITY_SEVERITY = {SALINITY_LEVELS[0]: "warning", SALINITY_LEVELS[1]: "critical"}
WATER_SEVERITY = {WATER_LEVELS[0]: "warning", WATER_LEVELS[1]: "critical"}
AQI_SEVERITY = {AQI_LEVELS[0]: "warning", AQI_LEVELS[1]: "critical"}
BAND_VI = {"good": "Tốt", "moderate": "Trung bình", "poor": "Kém", "bad": "Xấu",
           "very_bad": "Rất xấu", "hazardous": "Nguy hại"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Exceedance:
    """A reading rising through a threshold: one a station and day, for its highest level."""

    kind: str
    source_id: str
    station: str
    commune: AdminUnit
    commune_index: int
    occurred: datetime
    level: float
    title: str
    severity: str
    attributes: dict[str, Any]
    still_above: bool  # at `now`: the event is open while the reading stays up


def exceedances(world: World, day: date) -> tuple[Exceedance, ...]:
    """All of a day's exceedances (the whole day, whatever the clock says)."""

    def compute() -> tuple[Exceedance, ...]:
        found = [*(e for g in GAUGES for e in _river(world, day, g)), *_air(world, day)]
        return tuple(sorted(found, key=lambda e: e.occurred))

    return world.memo(("exceedances", day), compute)


def exceedance_counts(world: World, day: Day) -> np.ndarray:
    """Exceedances per commune that happened before the day's cut-off."""
    counts = np.zeros(len(world.geo.communes))
    for found in exceedances(world, day.date):
        if found.occurred < day.cutoff:
            counts[found.commune_index] += 1
    return counts


def exceedance_events(world: World, day: date) -> Iterator[Event]:
    for found in exceedances(world, day):
        if found.occurred < world.now:
            lat, lon = near(found.commune, world.seed, found.station)
            yield Event(
                domain="environment",
                kind=found.kind,
                source_id=found.source_id,
                occurred_at=found.occurred,
                title=found.title,
                area=found.commune.code,
                lat=lat,
                lon=lon,
                status="open" if found.still_above else "closed",
                severity=found.severity,
                attributes={**found.attributes, "demo": True},
            )


def _at(
    world: World, name: str, day: date, count: int, hours: tuple[float, float]
) -> list[datetime]:
    """When each station's reading went through the level: a stable hour of the day."""
    drawn = day_rng(world.seed, name, day).uniform(*hours, count)
    start = world.day(day).start
    return [start + timedelta(hours=float(h)) for h in drawn]


@dataclass(frozen=True, slots=True)
class Gauge:
    """A quantity the river stations measure, and how its crossings are reported."""

    kind: str
    id_suffix: str
    series: Callable[[World, date], np.ndarray]
    levels: tuple[float, ...]
    severity: dict[float, str]
    hours: tuple[float, float]
    title: Callable[[float, float, str], str]
    attribute: str
    threshold: str
    as_value: Callable[[Any], float]


GAUGES = (
    Gauge(
        "salinity_exceedance",
        "",
        salinity,
        SALINITY_LEVELS,
        SALINITY_SEVERITY,
        (5.0, 19.0),
        lambda v, lvl, name: f"Độ mặn {_vi(v)}‰ vượt ngưỡng {_vi(lvl)}‰ tại {name}",
        "salinity_permille",
        "threshold_permille",
        float,
    ),
    Gauge(
        "water_level_exceedance",
        "-MN",
        water_level,
        WATER_LEVELS,
        WATER_SEVERITY,
        (2.0, 22.0),
        lambda v, lvl, name: f"Mực nước {v:.0f} cm vượt mức báo động {lvl:.0f} cm tại {name}",
        "water_level_cm",
        "threshold_cm",
        int,
    ),
)


def _river(world: World, day: date, gauge: Gauge) -> Iterator[Exceedance]:
    found = stations(world)
    if not found:
        return
    values, current = gauge.series(world, day), gauge.series(world, world.today)
    times = _at(world, f"{gauge.kind}-hour", day, len(found), gauge.hours)
    levels = crossed(values, gauge.series(world, day - timedelta(days=1)), gauge.levels)
    for i, (station, level) in enumerate(zip(found, levels, strict=True)):
        if level is None:
            continue
        value = gauge.as_value(values[i])
        yield Exceedance(
            kind=gauge.kind,
            source_id=f"{station.source_id}{gauge.id_suffix}-{day:%Y%m%d}",
            station=station.source_id,
            commune=station.commune,
            commune_index=station.commune_index,
            occurred=times[i],
            level=level,
            title=gauge.title(value, level, station.name),
            severity=gauge.severity[level],
            attributes={
                "station": station.source_id,
                gauge.attribute: value,
                gauge.threshold: gauge.as_value(level),
            },
            still_above=bool(current[i] >= level),
        )


def _air(world: World, day: date) -> Iterator[Exceedance]:
    station = air_station(world)
    aqi = air_aqi(world, day)
    before = np.array([air_aqi(world, day - timedelta(days=1))], dtype=float)
    level = crossed(np.array([aqi], dtype=float), before, AQI_LEVELS)[0]
    if level is None:
        return
    band = aqi_band(aqi)
    yield Exceedance(
        kind="aqi_exceedance",
        source_id=f"{station.source_id}-{day:%Y%m%d}",
        station=station.source_id,
        commune=station.commune,
        commune_index=station.commune_index,
        occurred=_at(world, "aqi-hour", day, 1, (9.0, 20.0))[0],
        level=level,
        title=f"VN_AQI {aqi} ({BAND_VI[band]}) tại {station.name}",
        severity=AQI_SEVERITY[level],
        attributes={
            "station": station.source_id,
            "aqi": aqi,
            "band": band,
            "threshold": int(level),
            **air_readings(world, day),
        },
        still_above=air_aqi(world, world.today) >= level,
    )


def _vi(value: float | np.floating) -> str:
    """A number with a Vietnamese decimal comma: 4,35."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")

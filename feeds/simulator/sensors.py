"""Salinity stations, rain and surveillance cameras: fixed installations with a daily state."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.geography import Geography
from feeds.simulator.parts import Parts, Rollup
from feeds.simulator.streams import day_rng, stable_uniform, static_rng
from feeds.simulator.world import Day, World
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
CAMERAS_PER_CITY_WARD = (9, 14)
CAMERAS_PER_TOWN = (4, 9)
CAMERAS_PER_VILLAGE = 0.9  # mean, Poisson
CAMERA_PURPOSES = ("Nút giao thông", "Chợ", "Trụ sở UBND", "Trường học", "Bến xe", "Cầu",
                   "Công viên", "Bến phà")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Station:
    source_id: str
    name: str
    river: str
    commune: AdminUnit
    commune_index: int
    peak: float


@dataclass(frozen=True, slots=True)
class Camera:
    source_id: str
    name: str
    commune: AdminUnit
    commune_index: int
    reliability: float


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


def _spring_tide(day: date) -> float:
    phase = 2 * math.pi * (day - SPRING_TIDE_ANCHOR).days / SPRING_TIDE_DAYS
    return 1.0 + 0.15 * math.cos(phase)


def crossed_level(world: World, day: date) -> list[float | None]:
    """Per station, the highest salinity level crossed upwards on the day, or None."""
    today, yesterday = salinity(world, day), salinity(world, day - timedelta(days=1))
    crossed: list[float | None] = []
    for now_value, before in zip(today, yesterday, strict=True):
        levels = [lv for lv in SALINITY_LEVELS if before < lv <= now_value]
        crossed.append(max(levels) if levels else None)
    return crossed


# --- rain ----------------------------------------------------------------------------------------


def rainfall(world: World, day: date) -> np.ndarray:
    """Rain per commune (mm): a province-wide weather day with patchy local showers."""
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


def environment(world: World, day: Day) -> dict[str, Parts]:
    geo = world.geo
    by_commune = np.full(len(geo.communes), np.nan)
    for station, value in zip(stations(world), salinity(world, day.date), strict=True):
        by_commune[station.commune_index] = np.fmax(by_commune[station.commune_index], value)
    return {
        "environment.salinity_max": Parts(
            commune=by_commune, province=np.nan, rollup=Rollup.MAX, decimals=SALINITY_DECIMALS
        ),
        "environment.rainfall": Parts(
            commune=rainfall(world, day.date),
            rollup=Rollup.WEIGHTED_MEAN,
            commune_weight=geo.commune_area_km2,
            decimals=RAIN_DECIMALS,
        ),
    }


# --- cameras -------------------------------------------------------------------------------------


def cameras(world: World) -> tuple[Camera, ...]:
    return world.memo(("cameras",), lambda: _install_cameras(world))


def _install_cameras(world: World) -> tuple[Camera, ...]:
    geo, seed = world.geo, world.seed
    city = geo.capital().parent_code
    rng = static_rng(seed, "cameras")
    found = []
    for index, commune in enumerate(geo.communes):
        for n in range(_camera_count(commune, city, rng)):
            source_id = f"CAM-{commune.code}-{n + 1:02d}"
            purpose = _pick(CAMERA_PURPOSES, stable_uniform(seed, "cam-purpose", source_id))
            name = f"Camera {purpose.lower()} – {commune.name_vi} ({n + 1:02d})"
            flaky = stable_uniform(seed, "cam-flaky", source_id) < 0.08
            found.append(Camera(source_id, name, commune, index, 0.85 if flaky else 0.985))
    return tuple(found)


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[min(int(u * len(options)), len(options) - 1)]


def _camera_count(commune: AdminUnit, city: str | None, rng: np.random.Generator) -> int:
    if commune.parent_code == city and commune.type_vi == "Phường":
        return int(rng.integers(*CAMERAS_PER_CITY_WARD, endpoint=True))
    if commune.type_vi in ("Phường", "Thị trấn"):
        return int(rng.integers(*CAMERAS_PER_TOWN, endpoint=True))
    return int(rng.poisson(CAMERAS_PER_VILLAGE))


def cameras_online(world: World, day: date) -> np.ndarray:
    """Whether each camera was online at the day's last snapshot, in `cameras()` order."""
    return world.memo(("cameras-online", day), lambda: _camera_snapshot(world, day))


def _camera_snapshot(world: World, day: date) -> np.ndarray:
    found = cameras(world)
    rng = day_rng(world.seed, "cameras", day)
    reliability = np.array([c.reliability for c in found])
    commune_of = np.array([c.commune_index for c in found], dtype=int)
    link_down = rng.random(len(world.geo.communes)) < 0.01  # a commune's network is down
    bad_day = 0.9 if rng.random() < 0.02 else 1.0  # e.g. a storm or a power cut
    online = rng.random(len(found)) < reliability * bad_day
    return online & ~link_down[commune_of] if len(found) else online


def camera_metrics(world: World, day: Day) -> dict[str, Parts]:
    found = cameras(world)
    n = len(world.geo.communes)
    commune_of = np.array([c.commune_index for c in found], dtype=int)
    online = cameras_online(world, day.date)
    return {
        "cameras.total": Parts(commune=np.bincount(commune_of, minlength=n).astype(float)),
        "cameras.online": Parts(
            commune=np.bincount(commune_of, weights=online.astype(float), minlength=n)
        ),
    }

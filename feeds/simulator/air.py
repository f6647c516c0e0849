"""The automatic air station of the Sở TN&MT in the city: daily means and their VN_AQI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feeds.aqi import vn_aqi
from feeds.simulator import almanac
from feeds.simulator.sensors import rainfall
from feeds.simulator.streams import day_rng
from feeds.simulator.world import World
from geo.hierarchy import AdminUnit

STATION_COMMUNE = "31510"  # Phường 2, TP Sóc Trăng (else the provincial capital)
STATION_NAME = "Trạm quan trắc không khí tự động TP Sóc Trăng"
AQI_LEVELS = (101.0, 151.0)  # poor (warning), bad (critical)
DECIMALS = {"pm25": 1, "pm10": 1, "no2": 1, "so2": 1, "co": 0, "o3": 1}
POLLUTANTS = tuple(DECIMALS)
BURNING_ODDS = 0.05  # chance of a straw-burning day in the dry season


@dataclass(frozen=True, slots=True)
class AirStation:
    source_id: str
    name: str
    commune: AdminUnit
    commune_index: int


def air_station(world: World) -> AirStation:
    def build() -> AirStation:
        geo = world.geo
        commune = (
            geo.communes[geo.commune_index[STATION_COMMUNE]]
            if STATION_COMMUNE in geo.commune_index
            else geo.capital()
        )
        index = geo.commune_index[commune.code]
        return AirStation(f"KK-{commune.code}", STATION_NAME, commune, index)

    return world.memo(("air-station",), build)


def air_readings(world: World, day: date) -> dict[str, float]:
    """The day's mean of each pollutant (µg/m³), rounded as reported."""
    return world.memo(("air", day), lambda: _readings(world, day))


def _readings(world: World, day: date) -> dict[str, float]:
    """Dust is highest in the dry season, on straw-burning days and on weekdays; rain washes
    it out."""
    rng = day_rng(world.seed, "air", day)
    dry = 1.0 - almanac.wet_season(day)
    rain = float(rainfall(world, day)[air_station(world).commune_index])
    washout = 0.65 if rain > 10 else (0.85 if rain > 2 else 1.0)
    burning = 1.5 if rng.random() < BURNING_ODDS * dry else 1.0
    traffic = 1.05 if day.weekday() < 5 else 0.92
    pm25 = (17.0 + 25.0 * dry) * washout * burning * traffic * rng.lognormal(0.0, 0.2)
    values = {
        "pm25": pm25,
        "pm10": pm25 * rng.uniform(1.5, 1.9),
        "no2": (16.0 + 8.0 * dry) * traffic * rng.lognormal(0.0, 0.2),
        "so2": (7.0 + 4.0 * dry) * rng.lognormal(0.0, 0.25),
        "co": (750.0 + 450.0 * dry) * traffic * rng.lognormal(0.0, 0.2),
        "o3": (38.0 + 25.0 * dry) * rng.lognormal(0.0, 0.2),
    }
    return {name: round(float(v), DECIMALS[name]) for name, v in values.items()}


def air_aqi(world: World, day: date) -> int:
    """The day's VN_AQI, computed from the reported means."""
    aqi = vn_aqi(air_readings(world, day))
    assert aqi is not None  # the station measures dust every day
    return aqi

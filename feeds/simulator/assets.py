"""The demo's assets as they stand at `now`: portals, cameras, salinity stations, health sites."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from feeds.simulator.geography import near
from feeds.simulator.people import PROVINCIAL_HOSPITAL_BEDS, planned_beds
from feeds.simulator.portals import (
    CHECKS_PER_DAY,
    is_down_at,
    portal_day,
    portals,
    tls_days_left,
)
from feeds.simulator.sensors import SALINITY_LEVELS, cameras, cameras_online, salinity, stations
from feeds.simulator.world import World
from geo.hierarchy import AdminUnit
from store.records import Asset

# Provincial hospitals, all in the provincial capital, with their share of its hospital beds.
HOSPITALS = (
    ("bvdk", "Bệnh viện Đa khoa tỉnh Sóc Trăng", 0.60),
    ("bvsn", "Bệnh viện Chuyên khoa Sản – Nhi tỉnh Sóc Trăng", 0.25),
    ("bvlp", "Bệnh viện Chuyên khoa Lao và Bệnh phổi tỉnh Sóc Trăng", 0.15),
)


@dataclass(frozen=True, slots=True)
class Site:
    """Where an asset is: the area it belongs to and the unit whose label point it sits near."""

    area: AdminUnit
    near: AdminUnit


def all_assets(world: World) -> Iterator[Asset]:
    yield from portal_assets(world)
    yield from camera_assets(world)
    yield from station_assets(world)
    yield from health_assets(world)


def _asset(
    world: World,
    identity: tuple[str, str, str],
    name: str,
    site: Site,
    status: str = "ok",
    attributes: dict[str, Any] | None = None,
) -> Asset:
    domain, kind, source_id = identity
    lat, lon = near(site.near, world.seed, source_id)
    return Asset(
        domain=domain,
        kind=kind,
        source_id=source_id,
        name=name,
        last_seen=world.now,
        area=site.area.code,
        lat=lat,
        lon=lon,
        status=status,
        attributes={**(attributes or {}), "demo": True},
    )


def portal_assets(world: World) -> Iterator[Asset]:
    state = portal_day(world, world.today)
    checks_done = max(1, int(CHECKS_PER_DAY * world.day(world.today).fraction))
    down = is_down_at(state, checks_done)
    geo = world.geo
    for i, portal in enumerate(portals(world)):
        is_provincial = portal.district < 0
        site = Site(portal.area, geo.capital() if is_provincial else geo.seat(portal.area))
        attributes = {
            "url": portal.url,
            "level": "province" if is_provincial else "district",
            "response_ms": int(state.response_ms[i]),
            "tls_days_left": tls_days_left(world, portal, world.today),
        }
        identity = ("portals", "portal", portal.source_id)
        yield _asset(world, identity, portal.name, site, "down" if down[i] else "up", attributes)


def camera_assets(world: World) -> Iterator[Asset]:
    online = cameras_online(world, world.today)
    for camera, is_online in zip(cameras(world), online.tolist(), strict=True):
        identity = ("cameras", "camera", camera.source_id)
        site = Site(camera.commune, camera.commune)
        yield _asset(world, identity, camera.name, site, "online" if is_online else "offline")


def station_assets(world: World) -> Iterator[Asset]:
    latest = salinity(world, world.today)
    for station, value in zip(stations(world), latest.tolist(), strict=True):
        attributes = {
            "salinity_permille": value,
            "levels_permille": list(SALINITY_LEVELS),
            "river": station.river,
            "parameters": ["salinity", "temperature", "water_level", "pH"],
        }
        identity = ("environment", "salinity_station", station.source_id)
        site = Site(station.commune, station.commune)
        yield _asset(world, identity, station.name, site, "ok", attributes)


def health_assets(world: World) -> Iterator[Asset]:
    yield from _hospitals(world)
    yield from _district_centres(world)
    for commune in world.geo.communes:
        name = f"Trạm Y tế {commune.type_vi.lower()} {commune.short_name_vi}"
        identity = ("health", "commune_station", f"TYT-{commune.code}")
        yield _asset(world, identity, name, Site(commune, commune))


def _hospitals(world: World) -> Iterator[Asset]:
    """The provincial hospitals: in the capital's district, whose bed count includes them."""
    geo = world.geo
    capital = geo.capital()
    district = geo.district_index.get(capital.parent_code or "")
    site = Site(geo.province if district is None else geo.districts[district], capital)
    for slug, name, share in HOSPITALS:
        attributes = {"beds": round(PROVINCIAL_HOSPITAL_BEDS * share), "level": "province"}
        yield _asset(world, ("health", "hospital", f"BV-{slug}"), name, site, "ok", attributes)


def _district_centres(world: World) -> Iterator[Asset]:
    geo = world.geo
    capital_district = geo.capital().parent_code
    for district, beds in zip(geo.districts, planned_beds(world).tolist(), strict=True):
        hospitals = PROVINCIAL_HOSPITAL_BEDS if district.code == capital_district else 0
        name = f"Trung tâm Y tế {district.type_vi.lower()} {district.short_name_vi}"
        identity = ("health", "district_health_centre", f"TTYT-{district.code}")
        site = Site(district, geo.seat(district))
        yield _asset(world, identity, name, site, "ok", {"beds": int(beds - hospitals)})

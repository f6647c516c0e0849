"""The demo's assets as they stand at `now`: every domain's installations, offices and places."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from feeds.aqi import aqi_band
from feeds.simulator.agencies import AGENCIES
from feeds.simulator.air import POLLUTANTS, air_aqi, air_readings, air_station
from feeds.simulator.attractions import tourism_assets
from feeds.simulator.cameras import (
    cameras,
    cameras_online,
    last_online,
    stream_kind,
    stream_url,
    uptime_share,
)
from feeds.simulator.people import PROVINCIAL_HOSPITAL_BEDS, planned_beds
from feeds.simulator.portals import (
    TLS_WARNING_DAYS,
    checks_done,
    is_down_at,
    is_stale,
    last_post,
    portal_day,
    portals,
    tls_days_left,
)
from feeds.simulator.schools import school_assets
from feeds.simulator.sensors import SALINITY_LEVELS, salinity, stations
from feeds.simulator.sites import Site, make_asset
from feeds.simulator.water import WATER_LEVELS, water_level, water_quality
from feeds.simulator.world import World
from store.records import Asset

# Provincial hospitals, all in the provincial capital, with their share of its hospital beds.
HOSPITALS = (
    ("bvdk", "Bệnh viện Đa khoa tỉnh Sóc Trăng", 0.60),
    ("bvsn", "Bệnh viện Chuyên khoa Sản – Nhi tỉnh Sóc Trăng", 0.25),
    ("bvlp", "Bệnh viện Chuyên khoa Lao và Bệnh phổi tỉnh Sóc Trăng", 0.15),
)
AGENCY_DOMAINS = ("public_services", "documents")  # agencies name the dims of both pages


def all_assets(world: World) -> Iterator[Asset]:
    yield from portal_assets(world)
    yield from camera_assets(world)
    yield from station_assets(world)
    yield from air_assets(world)
    yield from health_assets(world)
    yield from school_assets(world)
    yield from agency_assets(world)
    yield from tourism_assets(world)


def portal_assets(world: World) -> Iterator[Asset]:
    today = world.day(world.today)
    state = portal_day(world, world.today)
    down = is_down_at(state, max(1, checks_done(today)))
    posted = last_post(world, world.now)
    stale = is_stale(world, world.now)
    geo = world.geo
    for i, portal in enumerate(portals(world)):
        is_provincial = portal.district < 0
        site = Site(portal.area, geo.capital() if is_provincial else geo.seat(portal.area))
        days_left = tls_days_left(world, portal, world.today)
        attributes = {
            "url": portal.url,
            "level": "province" if is_provincial else "district",
            "up": not bool(down[i]),
            "response_ms": int(state.response_ms[i]),
            "tls_days_left": days_left,
            "tls_expiring": days_left < TLS_WARNING_DAYS,
            "last_post_at": _iso(float(posted[i])),
            "stale": bool(stale[i]),
        }
        identity = ("portals", "portal", portal.source_id)
        yield make_asset(
            world, identity, portal.name, site, "down" if down[i] else "up", attributes
        )


def camera_assets(world: World) -> Iterator[Asset]:
    online = cameras_online(world, world.today)
    seen = last_online(world)
    uptime = uptime_share(world).tolist()
    for camera, is_online, last, share in zip(
        cameras(world), online.tolist(), seen, uptime, strict=True
    ):
        identity = ("cameras", "camera", camera.source_id)
        site = Site(camera.commune, camera.commune)
        attributes = {
            "purpose": camera.purpose,
            "stream": stream_kind(world, camera),
            "stream_url": stream_url(world, camera),
            "uptime_30d": round(share * 100, 1),
            "last_online_at": last.isoformat() if last else None,
        }
        status = "online" if is_online else "offline"
        yield make_asset(world, identity, camera.name, site, status, attributes)


def station_assets(world: World) -> Iterator[Asset]:
    """The salinity stations, which also measure water level, dissolved oxygen and pH."""
    latest = salinity(world, world.today)
    level = water_level(world, world.today)
    oxygen, ph = water_quality(world, world.today)
    for i, station in enumerate(stations(world)):
        attributes = {
            "salinity_permille": float(latest[i]),
            "levels_permille": list(SALINITY_LEVELS),
            "water_level_cm": int(level[i]),
            "water_levels_cm": [int(v) for v in WATER_LEVELS],
            "do": float(oxygen[i]),
            "ph": float(ph[i]),
            "river": station.river,
            "parameters": ["salinity", "temperature", "water_level", "do", "pH"],
        }
        identity = ("environment", "salinity_station", station.source_id)
        site = Site(station.commune, station.commune)
        yield make_asset(world, identity, station.name, site, "ok", attributes)


def air_assets(world: World) -> Iterator[Asset]:
    station = air_station(world)
    aqi = air_aqi(world, world.today)
    attributes = {
        **air_readings(world, world.today),
        "aqi": aqi,
        "band": aqi_band(aqi),
        "parameters": list(POLLUTANTS),
        "operator": "Sở Tài nguyên và Môi trường",
    }
    identity = ("environment", "air_station", station.source_id)
    site = Site(station.commune, station.commune)
    yield make_asset(world, identity, station.name, site, "ok", attributes)


def agency_assets(world: World) -> Iterator[Asset]:
    geo = world.geo
    site = Site(geo.province, geo.capital())
    for domain in AGENCY_DOMAINS:
        for agency in AGENCIES:
            identity = (domain, "agency", agency.code)
            yield make_asset(world, identity, agency.name_vi, site)


def health_assets(world: World) -> Iterator[Asset]:
    yield from _hospitals(world)
    yield from _district_centres(world)
    for commune in world.geo.communes:
        name = f"Trạm Y tế {commune.type_vi.lower()} {commune.short_name_vi}"
        identity = ("health", "commune_station", f"TYT-{commune.code}")
        yield make_asset(world, identity, name, Site(commune, commune))


def _hospitals(world: World) -> Iterator[Asset]:
    """The provincial hospitals: in the capital's district, whose bed count includes them."""
    geo = world.geo
    capital = geo.capital()
    district = geo.district_index.get(capital.parent_code or "")
    site = Site(geo.province if district is None else geo.districts[district], capital)
    for slug, name, share in HOSPITALS:
        attributes = {"beds": round(PROVINCIAL_HOSPITAL_BEDS * share), "level": "province"}
        yield make_asset(world, ("health", "hospital", f"BV-{slug}"), name, site, "ok", attributes)


def _district_centres(world: World) -> Iterator[Asset]:
    geo = world.geo
    capital_district = geo.capital().parent_code
    for district, beds in zip(geo.districts, planned_beds(world).tolist(), strict=True):
        hospitals = PROVINCIAL_HOSPITAL_BEDS if district.code == capital_district else 0
        name = f"Trung tâm Y tế {district.type_vi.lower()} {district.short_name_vi}"
        identity = ("health", "district_health_centre", f"TTYT-{district.code}")
        site = Site(district, geo.seat(district))
        yield make_asset(world, identity, name, site, "ok", {"beds": int(beds - hospitals)})


def _iso(seconds: float) -> str | None:
    if seconds != seconds:  # NaN: nothing found
        return None
    return datetime.fromtimestamp(round(seconds), tz=UTC).isoformat()

"""Surveillance cameras: where they are, whether they are online, and what their video AI sees."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from feeds.simulator.geography import Geography, near
from feeds.simulator.parts import Parts
from feeds.simulator.streams import day_rng, stable_uniform, static_rng
from feeds.simulator.world import Day, World
from geo.hierarchy import AdminUnit
from store.records import Event

CAMERAS_PER_CITY_WARD = (9, 14)
CAMERAS_PER_TOWN = (4, 9)
CAMERAS_PER_VILLAGE = 0.9  # mean, Poisson
CAMERA_PURPOSES = ("Nút giao thông", "Chợ", "Trụ sở UBND", "Trường học", "Bến xe", "Cầu",
                   "Công viên", "Bến phà")  # fmt: skip
# What the video analytics detects at each kind of place, and how often a day (in town).
DETECTIONS = {
    "Nút giao thông": ("traffic", 1.4),
    "Bến xe": ("traffic", 0.8),
    "Cầu": ("traffic", 0.6),
    "Bến phà": ("traffic", 0.6),
    "Chợ": ("crowd", 1.0),
    "Công viên": ("crowd", 0.5),
    "Trường học": ("crowd", 0.4),
    "Trụ sở UBND": ("crowd", 0.3),
}
DETECTION_TYPES = ("traffic", "crowd")
DETECTION_TITLES = {
    "traffic": "Phát hiện ùn tắc giao thông",
    "crowd": "Phát hiện tụ tập đông người",
}
RURAL_DETECTIONS = 0.3  # quieter roads and markets in the villages
RUSH_HOURS = (7.3, 11.5, 17.2)
RUSH_ODDS = (0.4, 0.2, 0.4)
ANALYTICS_EVENT_DAYS = 14  # detections become events for the last two weeks only
OPEN_S = 3600.0  # a detection is open for an hour
STREAM_SHARE = 0.10  # cameras that also offer an MJPEG stream
OFFLINE_LOOKBACK_DAYS = 90
UPTIME_DAYS = 30
DEMO_STREAM_PATH = "/demo/mjpeg/"


@dataclass(frozen=True, slots=True)
class Camera:
    source_id: str
    name: str
    commune: AdminUnit
    commune_index: int
    reliability: float
    purpose: str
    urban: bool


@dataclass(frozen=True, slots=True)
class Detections:
    """One day's video-analytics detections, ordered by time (POSIX seconds)."""

    camera: np.ndarray
    time: np.ndarray
    kind: np.ndarray  # index into DETECTION_TYPES


def cameras(world: World) -> tuple[Camera, ...]:
    return world.memo(("cameras",), lambda: _install_cameras(world))


def _install_cameras(world: World) -> tuple[Camera, ...]:
    geo, seed = world.geo, world.seed
    city = geo.capital().parent_code
    rng = static_rng(seed, "cameras")
    places = _place_names(geo)
    found = []
    for index, commune in enumerate(geo.communes):
        urban = commune.type_vi in ("Phường", "Thị trấn")
        count = _camera_count(commune, city, rng)
        purposes = [
            _pick(CAMERA_PURPOSES, stable_uniform(seed, "cam-purpose", _camera_id(commune, n)))
            for n in range(count)
        ]
        for n, purpose in enumerate(purposes):
            source_id = _camera_id(commune, n)
            name = _camera_name(purpose, purposes[: n + 1].count(purpose), purposes.count(purpose))
            name = f"{name} – {places[index]}"
            flaky = stable_uniform(seed, "cam-flaky", source_id) < 0.08
            reliability = 0.85 if flaky else 0.985
            found.append(Camera(source_id, name, commune, index, reliability, purpose, urban))
    return tuple(found)


def _camera_id(commune: AdminUnit, n: int) -> str:
    return f"CAM-{commune.code}-{n + 1:02d}"


def _camera_name(purpose: str, ordinal: int, of: int) -> str:
    """ "Camera chợ", or "Camera chợ 2" where a commune has more than one at that kind of place
    (acronyms such as UBND keep their capitals)."""
    name = f"Camera {purpose[0].lower()}{purpose[1:]}"
    return f"{name} {ordinal}" if of > 1 else name


def _place_names(geo: Geography) -> list[str]:
    """Each commune's name, with its district where the name recurs (Phường 1 of the city and
    Phường 1 of Vĩnh Châu town), so that camera names are unique in the province."""
    seen = Counter(c.name_vi for c in geo.communes)
    names = []
    for index, commune in enumerate(geo.communes):
        owner = geo.owner(index)
        recurs = seen[commune.name_vi] > 1 and owner.level == "district"
        where = f", {owner.type_vi.lower()} {owner.short_name_vi}" if recurs else ""
        names.append(commune.name_vi + where)
    return names


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
    total = np.bincount(commune_of, minlength=n).astype(float)
    online = np.bincount(
        commune_of, weights=cameras_online(world, day.date).astype(float), minlength=n
    )
    seen = detections(world, day.date)
    so_far = seen.camera[seen.time < day.cutoff.timestamp()]
    return {
        "cameras.total": Parts(commune=total),
        "cameras.online": Parts(commune=online),
        "cameras.offline": Parts(commune=total - online),
        "cameras.analytics_events": Parts(
            commune=np.bincount(commune_of[so_far], minlength=n).astype(float), exact=True
        ),
    }


# --- video analytics -----------------------------------------------------------------------------


def detections(world: World, day: date) -> Detections:
    """The day's detections (the whole day): by online cameras, around the rush hours."""
    return world.memo(("detections", day), lambda: _detect(world, day))


def _detect(world: World, day: date) -> Detections:
    rng = day_rng(world.seed, "camera-analytics", day)
    rates = _detection_rates(world) * cameras_online(world, day)
    camera = np.repeat(np.arange(len(rates)), rng.poisson(rates))
    n = len(camera)
    hour = rng.choice(RUSH_HOURS, n, p=RUSH_ODDS) + rng.normal(0.0, 1.0, n)
    time = world.day(day).start.timestamp() + np.clip(hour, 0.0, 23.99) * 3600.0
    order = np.argsort(time, kind="stable")
    return Detections(camera[order], time[order], _detection_kinds(world)[camera[order]])


def _detection_rates(world: World) -> np.ndarray:
    def compute() -> np.ndarray:
        found = cameras(world)
        rates = [DETECTIONS[c.purpose][1] * (1.0 if c.urban else RURAL_DETECTIONS) for c in found]
        return np.array(rates, dtype=float)

    return world.memo(("detection-rates",), compute)


def _detection_kinds(world: World) -> np.ndarray:
    def compute() -> np.ndarray:
        kinds = [DETECTION_TYPES.index(DETECTIONS[c.purpose][0]) for c in cameras(world)]
        return np.array(kinds, dtype=int)

    return world.memo(("detection-kinds",), compute)


def analytics_events(world: World, day: date) -> Iterator[Event]:
    """The detections of a recent day up to now, each as an event at its camera."""
    if (world.today - day).days >= ANALYTICS_EVENT_DAYS:
        return
    seen = detections(world, day)
    now = world.now.timestamp()
    found = cameras(world)
    for sequence, (index, time, kind) in enumerate(
        zip(seen.camera.tolist(), seen.time.tolist(), seen.kind.tolist(), strict=True)
    ):
        if time >= now:
            break
        yield _analytics_event(world, found[index], day, sequence, time, DETECTION_TYPES[kind])


def _analytics_event(
    world: World, camera: Camera, day: date, sequence: int, time: float, kind: str
) -> Event:
    lat, lon = near(camera.commune, world.seed, camera.source_id)  # where the camera is
    return Event(
        domain="cameras",
        kind="analytics",
        source_id=f"AI-{day:%Y%m%d}-{sequence:04d}",
        occurred_at=datetime.fromtimestamp(round(time), tz=UTC),
        title=f"{DETECTION_TITLES[kind]} tại {camera.commune.name_vi}",
        area=camera.commune.code,
        lat=lat,
        lon=lon,
        status="open" if world.now.timestamp() - time < OPEN_S else "resolved",
        severity="warning" if kind == "crowd" else "info",
        attributes={"camera": camera.source_id, "type": kind, "demo": True},
    )


# --- asset state ---------------------------------------------------------------------------------


def last_online(world: World) -> list[datetime | None]:
    """When each camera was last online: now if it is, else the moment it went offline (None if
    not for months)."""
    online_now = cameras_online(world, world.today)
    found: list[datetime | None] = []
    for index, is_online in enumerate(online_now.tolist()):
        found.append(world.now if is_online else _went_offline(world, index))
    return found


def _went_offline(world: World, index: int) -> datetime | None:
    """From the status history: the camera was online at the last check of its last day online
    and offline at the next day's check, so it went down at a moment between the two (the same
    moment on every run)."""
    camera = cameras(world)[index]
    for back in range(1, OFFLINE_LOOKBACK_DAYS + 1):
        day = world.today - timedelta(days=back)
        if cameras_online(world, day)[index]:
            seen_up = world.day(day).end
            seen_down = world.day(day + timedelta(days=1)).cutoff
            u = stable_uniform(world.seed, "cam-went-offline", f"{camera.source_id}|{day}")
            moment = seen_up + (seen_down - seen_up) * u
            return moment.replace(second=0, microsecond=0)
    return None


def uptime_share(world: World, days: int = UPTIME_DAYS) -> np.ndarray:
    """Each camera's share of the last `days` daily checks it passed online, in `cameras()`
    order."""
    checks = [cameras_online(world, world.today - timedelta(days=back)) for back in range(days)]
    return np.mean(np.array(checks, dtype=float), axis=0) if checks else np.zeros(0)


def stream_url(world: World, camera: Camera) -> str | None:
    """Where the camera's MJPEG stream is served: the demo cameras' streams are drawn by the
    app itself at this path (a real camera would give an http:// address)."""
    return f"{DEMO_STREAM_PATH}{camera.source_id}" if stream_kind(world, camera) else None


def stream_kind(world: World, camera: Camera) -> str | None:
    """The cameras that also serve an MJPEG stream (the rest give snapshots only)."""
    return (
        "mjpeg"
        if stable_uniform(world.seed, "cam-stream", camera.source_id) < STREAM_SHARE
        else None
    )

"""Events of the demo: citizen feedback reports and salinity exceedances, stable per day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np

from feeds.simulator.feedback import CATEGORIES, CHANNELS, DEADLINE_S, Reports, reports
from feeds.simulator.geography import near
from feeds.simulator.sensors import (
    SALINITY_LEVELS,
    Station,
    crossed_level,
    salinity,
    stations,
)
from feeds.simulator.streams import day_rng
from feeds.simulator.world import World
from store.records import Event
from store.scope import LOCAL_TZ

RECENT_REPORT_S = 4 * 3600.0  # a report is "received" until someone picks it up
SEVERITY_BY_LEVEL = {SALINITY_LEVELS[0]: "warning", SALINITY_LEVELS[1]: "critical"}


def day_events(world: World, day: date) -> Iterator[Event]:
    """The events that happened on a day, up to `now` when the day is today."""
    yield from _report_events(world, reports(world, day), only_before=world.now)
    yield from _exceedance_events(world, day)


def carried_over_events(world: World, first_day: date, lookback_days: int) -> Iterator[Event]:
    """Earlier reports still open when the plan starts, so their status gets updated too."""
    start = world.day(first_day).start.timestamp()
    for back in range(lookback_days, 0, -1):
        earlier = reports(world, first_day - timedelta(days=back))
        yield from _report_events(world, earlier, only_before=world.now, open_after=start)


# --- feedback reports --------------------------------------------------------------------------


def _report_events(
    world: World, found: Reports, only_before: datetime, open_after: float | None = None
) -> Iterator[Event]:
    now_s = only_before.timestamp()
    for index in range(len(found)):
        if found.received[index] > now_s:
            break
        if open_after is not None and found.resolved[index] < open_after:
            continue
        yield _report_event(world, found, index, now_s)


def _report_event(world: World, found: Reports, index: int, now_s: float) -> Event:
    commune = world.geo.communes[int(found.commune[index])]
    category = CATEGORIES[int(found.category[index])]
    source_id = f"PA-{found.day.year}-{found.day.timetuple().tm_yday:03d}{index:03d}"
    lat, lon = near(commune, world.seed, source_id)
    received, resolved = float(found.received[index]), float(found.resolved[index])
    return Event(
        domain="feedback",
        kind="report",
        source_id=source_id,
        occurred_at=_utc(received),
        title=f"{category.title_vi} tại {commune.name_vi}",
        area=commune.code,
        lat=lat,
        lon=lon,
        status=_report_status(received, resolved, now_s),
        severity=category.severity,
        attributes={
            "category": category.key,
            "category_vi": category.name_vi,
            "channel": CHANNELS[int(found.channel[index])][0],
            "due_at": _utc(received + DEADLINE_S).isoformat(),
            "resolved_at": _utc(resolved).isoformat() if resolved <= now_s else None,
            "on_time": bool(found.on_time[index]) if resolved <= now_s else None,
            "demo": True,
        },
    )


def _report_status(received: float, resolved: float, now_s: float) -> str:
    if resolved <= now_s:
        return "resolved"
    if received + DEADLINE_S < now_s:
        return "overdue"
    return "received" if now_s - received < RECENT_REPORT_S else "in_progress"


# --- salinity exceedances ----------------------------------------------------------------------


def _exceedance_events(world: World, day: date) -> Iterator[Event]:
    """One event per station on a day its salinity rises through a level (the highest one)."""
    found = stations(world)
    if not found:
        return
    values, current = salinity(world, day), salinity(world, world.today)
    hours = day_rng(world.seed, "salinity-hour", day).uniform(5.0, 19.0, len(found))
    for i, (station, level) in enumerate(zip(found, crossed_level(world, day), strict=True)):
        occurred = world.day(day).start + timedelta(hours=float(hours[i]))
        if level is not None and occurred <= world.now:
            still_above = bool(current[i] >= level)
            yield _exceedance(world, station, level, float(values[i]), occurred, still_above)


def _exceedance(
    world: World, station: Station, level: float, value: float, occurred: datetime, open_: bool
) -> Event:
    lat, lon = near(station.commune, world.seed, station.source_id)
    return Event(
        domain="environment",
        kind="salinity_exceedance",
        source_id=f"{station.source_id}-{occurred.astimezone(LOCAL_TZ):%Y%m%d}",
        occurred_at=occurred,
        title=f"Độ mặn {_vi(value)}‰ vượt ngưỡng {_vi(level)}‰ tại {station.name}",
        area=station.commune.code,
        lat=lat,
        lon=lon,
        status="open" if open_ else "closed",
        severity=SEVERITY_BY_LEVEL[level],
        attributes={
            "station": station.source_id,
            "salinity_permille": value,
            "threshold_permille": level,
            "demo": True,
        },
    )


def _vi(value: float | np.floating) -> str:
    """A number with a Vietnamese decimal comma: 4,35."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(seconds), tz=UTC)

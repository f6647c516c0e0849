"""Events of the demo, day by day: feedback reports, exceedances, late dossiers, detections."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from feeds.simulator.cameras import analytics_events
from feeds.simulator.exceedances import exceedance_events
from feeds.simulator.feedback import CATEGORIES, CHANNELS, DEADLINE_S, Reports, reports
from feeds.simulator.geography import near
from feeds.simulator.services import late_dossier_events
from feeds.simulator.world import World
from i18n.names import member_name
from store.records import Event

RECENT_REPORT_S = 4 * 3600.0  # a report is "received" until someone picks it up


def day_events(world: World, day: date) -> Iterator[Event]:
    """The events that happened on a day, up to `now` when the day is today."""
    yield from _report_events(world, reports(world, day), only_before=world.now)
    yield from exceedance_events(world, day)
    yield from late_dossier_events(world, day)
    yield from analytics_events(world, day)


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
    channel = CHANNELS[int(found.channel[index])][0]
    source_id = f"PA-{found.day.year}-{found.day.timetuple().tm_yday:03d}{index:03d}"
    lat, lon = near(commune, world.seed, source_id)
    received, resolved = float(found.received[index]), float(found.resolved[index])
    done = resolved <= now_s
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
            "channel": channel,
            "channel_vi": member_name("channel", channel, "vi"),
            "due_at": _utc(received + DEADLINE_S).isoformat(),
            "resolved_at": _utc(resolved).isoformat() if done else None,
            "on_time": bool(found.on_time[index]) if done else None,
            "rating": _rating(found, index) if done else None,
            "demo": True,
        },
    )


def _rating(found: Reports, index: int) -> str | None:
    if not found.rated[index]:
        return None
    return "satisfied" if found.satisfied[index] else "unsatisfied"


def _report_status(received: float, resolved: float, now_s: float) -> str:
    if resolved <= now_s:
        return "resolved"
    if received + DEADLINE_S < now_s:
        return "overdue"
    return "received" if now_s - received < RECENT_REPORT_S else "in_progress"


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(seconds), tz=UTC)

"""What the stations' history publishes: daily observations per station and area, and each
station's asset (its current state, latest values and VN_AQI)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from feeds.aqi import aqi_band
from feeds.station_files.aggregate import Hourly, hour_aqi, latest_hour, recent_hourly_aqi
from feeds.station_files.files import StationFile
from feeds.station_files.options import StationSpec
from feeds.station_files.parameters import BY_KEY
from feeds.station_files.readings import Reading
from feeds.station_files.status import station_state
from geo.hierarchy import AdminUnit
from store.catalog import METRICS_BY_KEY, Aggregation
from store.records import Asset, Observation
from store.scope import local_midnight_utc

DOMAIN = "environment"

# day → metric → station code → the station's value that day
DayValues = Mapping[date, Mapping[str, Mapping[str, float]]]


def area_chain(area: str, areas: Mapping[str, AdminUnit]) -> list[str]:
    """The area and every unit above it, nearest first."""
    chain: list[str] = []
    code: str | None = area
    while code is not None and code in areas and code not in chain:
        chain.append(code)
        code = areas[code].parent_code
    return chain


def observations(
    values: DayValues, stations: Mapping[str, StationSpec], areas: Mapping[str, AdminUnit]
) -> Iterator[Observation]:
    """Each station's daily values as rows split by station (dim = its code) at its area and
    every area above, and each area's own total: the peak or the mean of its stations."""
    for day in sorted(values):
        start = local_midnight_utc(day)
        for key in sorted(values[day]):
            peak = METRICS_BY_KEY[key].aggregation is Aggregation.MAX
            groups: dict[str, list[float]] = defaultdict(list)
            for code, value in sorted(values[day][key].items()):
                for area in area_chain(stations[code].area, areas):
                    groups[area].append(value)
                    yield Observation(key, area, start, value, dim=code)
            for area, found in groups.items():
                total = max(found) if peak else round(sum(found) / len(found), 3)
                yield Observation(key, area, start, total)


@dataclass(frozen=True, slots=True, kw_only=True)
class StationView:
    """Everything the station's asset is built from."""

    spec: StationSpec
    newest: StationFile  # the station's newest file (by the time its name gives)
    readings: Mapping[tuple[str, datetime], float]  # (parameter, UTC time) → value
    hourly: Hourly
    daily_aqi: tuple[date, int] | None  # the latest day with a published daily VN_AQI


def station_asset(view: StationView, areas: Mapping[str, AdminUnit]) -> Asset:
    spec, newest = view.spec, view.newest
    checked = newest.checked
    state = station_state(checked.codes, len(checked.readings), checked.future)
    latest = _latest_values(view.readings)
    attributes: dict[str, object] = {
        BY_KEY[parameter].attribute: round(value, 3) for parameter, (_, value) in latest.items()
    }
    attributes.update(
        {
            "parameters": sorted(BY_KEY[p].label for p in latest),
            "last_file": original_name(newest.name),
            "file_notes": list(checked.notes),
            "status_counts": dict(sorted(checked.codes.items())),
            # which parameters each code held back: what the alert ticker names
            "status_parameters": {c: sorted(p) for c, p in sorted(checked.held.items())},
            "rejected_lines": len(checked.problems),
        }
    )
    attributes.update(_aqi_attributes(view))
    reading_times = [when for when, _ in latest.values()]
    if reading_times:
        attributes["last_reading_at"] = max(reading_times).isoformat()
    last_seen = max(reading_times) if reading_times else min(newest.named, newest.landed)
    unit = areas.get(spec.area)
    return Asset(
        domain=DOMAIN,
        kind=spec.kind,
        source_id=spec.code,
        name=spec.name,
        last_seen=last_seen,
        area=spec.area,
        lat=spec.lat if spec.lat is not None else (unit.lat if unit else None),
        lon=spec.lon if spec.lon is not None else (unit.lon if unit else None),
        status=state,
        attributes=attributes,
    )


def original_name(name: str) -> str:
    """The name as the station sent it, without the suffix a duplicate got on its move."""
    stem, _, rest = name.partition(".")
    extension = rest.rsplit(".", 1)[-1] if rest else ""
    return f"{stem}.{extension}" if extension else stem


def _latest_values(
    readings: Mapping[tuple[str, datetime], float],
) -> dict[str, tuple[datetime, float]]:
    latest: dict[str, tuple[datetime, float]] = {}
    for (parameter, when), value in readings.items():
        known = latest.get(parameter)
        if known is None or when > known[0]:
            latest[parameter] = (when, value)
    return latest


def _aqi_attributes(view: StationView) -> dict[str, object]:
    found: dict[str, object] = {}
    hour = latest_hour(view.hourly)
    if hour is not None:
        result = hour_aqi(view.hourly, hour)
        found["aqi_hourly"] = recent_hourly_aqi(view.hourly, hour)
        if result is not None:
            found.update(
                {
                    "aqi": result.value,
                    "band": aqi_band(result.value),
                    "aqi_hour": hour.isoformat(),
                    "aqi_dominant": BY_KEY[result.dominant].label,
                }
            )
    if view.daily_aqi is not None:
        day, value = view.daily_aqi
        found["aqi_day"] = day.isoformat()
        found["aqi_daily"] = value
    return found


def merge(files: list[StationFile]) -> dict[tuple[str, datetime], float]:
    """The readings of a station's files, oldest file first, so a later file's reading of the
    same parameter and time replaces an earlier one (a corrected re-send)."""
    merged: dict[tuple[str, datetime], float] = {}
    for station_file in files:
        for reading in station_file.checked.readings:
            merged[(reading.parameter, reading.time)] = reading.value
    return merged


def as_readings(merged: Mapping[tuple[str, datetime], float]) -> list[Reading]:
    return [Reading(parameter=p, time=t, value=v) for (p, t), v in merged.items()]

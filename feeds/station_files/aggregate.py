"""A station's readings as hourly means, daily values per metric, and VN_AQI (hourly, daily)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from feeds.aqi import DUST, GASES, AqiResult, daily_aqi, hourly_aqi
from feeds.station_files.parameters import BY_KEY
from feeds.station_files.readings import Reading
from store.catalog import METRICS_BY_KEY, Aggregation
from store.scope import LOCAL_TZ, local_midnight_utc

HOUR = timedelta(hours=1)
HOURLY_SHARE_NEEDED = 0.75  # an hourly mean needs 75 % of the readings the hour should hold
AQI_POLLUTANTS = (*DUST, *GASES)


@dataclass(frozen=True, slots=True)
class Hourly:
    """One station's hourly means: parameter → UTC hour start → mean (canonical unit), and the
    raw peak of each parameter per local day (for the daily maxima)."""

    means: Mapping[str, Mapping[datetime, float]]
    peaks: Mapping[str, Mapping[date, float]]


def hourly(readings: Iterable[Reading], readings_per_hour: int) -> Hourly:
    """Hourly means of the readings of [hour, hour + 1), where the hour holds enough of them."""
    buckets: dict[str, dict[datetime, list[float]]] = defaultdict(lambda: defaultdict(list))
    peaks: dict[str, dict[date, float]] = defaultdict(dict)
    for reading in readings:
        hour = reading.time.replace(minute=0, second=0, microsecond=0)
        buckets[reading.parameter][hour].append(reading.value)
        day = reading.time.astimezone(LOCAL_TZ).date()
        known = peaks[reading.parameter].get(day, reading.value)
        peaks[reading.parameter][day] = max(known, reading.value)
    needed = max(1, math.ceil(HOURLY_SHARE_NEEDED * readings_per_hour))
    means = {
        parameter: {h: sum(v) / len(v) for h, v in hours.items() if len(v) >= needed}
        for parameter, hours in buckets.items()
    }
    return Hourly(means=means, peaks=peaks)


def day_hours(day: date) -> list[datetime]:
    """The UTC starts of the local day's hours."""
    start = local_midnight_utc(day)
    return [start + i * HOUR for i in range(24)]


def daily_values(data: Hourly, day: date) -> dict[str, float]:
    """The day's value of each catalogued metric the station measures: the mean of its hourly
    means, or the day's highest reading for peak metrics; the day's VN_AQI when it has one."""
    hours = day_hours(day)
    values: dict[str, float] = {}
    for parameter, means in data.means.items():
        metric_key = BY_KEY[parameter].metric
        if metric_key is None:
            continue
        metric = METRICS_BY_KEY[metric_key]
        if metric.aggregation is Aggregation.MAX:
            peak = data.peaks.get(parameter, {}).get(day)
            if peak is not None:
                values[metric_key] = _rounded(peak, metric.decimals)
            continue
        present = [means[h] for h in hours if h in means]
        if present:
            values[metric_key] = _rounded(sum(present) / len(present), metric.decimals)
    aqi = day_aqi(data, day)
    if aqi is not None:
        values["environment.aqi_max"] = float(aqi.value)
    return values


def day_aqi(data: Hourly, day: date) -> AqiResult | None:
    hours = day_hours(day)
    series = {
        name: [data.means[name].get(h) for h in hours]
        for name in AQI_POLLUTANTS
        if name in data.means
    }
    before = [hours[0] - i * HOUR for i in range(7, 0, -1)]
    o3_before = [data.means.get("o3", {}).get(h) for h in before]
    return daily_aqi(series, o3_before)


def hour_aqi(data: Hourly, hour: datetime) -> AqiResult | None:
    """The VN_AQI of the hour starting at `hour` (NowCast for PM, the hour's mean for gases)."""
    back = [hour - i * HOUR for i in range(12)]
    history: dict[str, Sequence[float | None]] = {
        name: [data.means[name].get(h) for h in back]
        for name in AQI_POLLUTANTS
        if name in data.means
    }
    return hourly_aqi(history)


def latest_hour(data: Hourly) -> datetime | None:
    """The station's latest hour with a mean of any AQI pollutant: the hour whose VN_AQI is
    current (none when its PM fails the NowCast rule, even if older hours had one)."""
    hours = [h for name in AQI_POLLUTANTS for h in data.means.get(name, {})]
    return max(hours) if hours else None


def recent_hourly_aqi(data: Hourly, until: datetime, count: int = 24) -> dict[str, int]:
    """The published hourly VN_AQI of the `count` hours up to `until` (ISO UTC hour → value);
    hours that fail the completeness rules are left out."""
    found: dict[str, int] = {}
    for i in range(count - 1, -1, -1):
        hour = until - i * HOUR
        result = hour_aqi(data, hour)
        if result is not None:
            found[hour.astimezone(UTC).isoformat()] = result.value
    return found


def _rounded(value: float, decimals: int) -> float:
    return round(value, decimals + 1)

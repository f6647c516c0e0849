"""The mqtt feed: sensor readings from a broker subscription become station assets (the
latest reading of each parameter) and day-maximum observations (salinity, water level)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt

from feeds.base import FeedOptions, FeedUnavailable, ListeningFeed, excerpt
from feeds.mqtt.options import MqttOptions, Station, Topic
from feeds.mqtt.payloads import PayloadProblem, Reading, decode, readings
from feeds.mqtt.session import Drained, Message, running_session, session_for, stop_session
from feeds.mqtt.units import PARAMETERS
from store.records import Asset, Item, Observation, Rejection
from store.scope import LOCAL_TZ, local_midnight_utc

log = logging.getLogger(__name__)
FUTURE_TOLERANCE = timedelta(minutes=5)
FIRST_CONNECT_WAIT_S = 5.0
DAYS_KEPT = 7  # days of per-parameter maxima a station keeps; older readings are refused
ASSET = ("environment", "salinity_station")


class BrokerDown(FeedUnavailable):
    """The broker cannot be reached; the session reconnects by itself, so no retry here."""

    transient = False


class MqttFeed(ListeningFeed):
    type = "mqtt"
    Options = MqttOptions
    options: MqttOptions

    @classmethod
    def wake_s(cls, options: FeedOptions) -> float:
        assert isinstance(options, MqttOptions)
        return options.flush_s

    @classmethod
    def pending(cls, feed_id: str) -> bool:
        session = running_session(feed_id)
        return session is None or session.pending()

    @classmethod
    def stop(cls, feed_id: str) -> None:
        stop_session(feed_id)

    def fetch(self) -> Drained:
        session = session_for(self.feed_id, self.options)
        session.wait_first_answer(FIRST_CONNECT_WAIT_S)
        drained = session.drain()
        state = drained.state
        if not state.connected and not drained.messages:
            since = f" từ {state.since.astimezone(LOCAL_TZ):%H:%M:%S %d/%m}" if state.since else ""
            raise BrokerDown(
                f"mất kết nối broker {self.options.host}:{self.options.port}{since}"
                f" ({state.reason})"
            )
        return drained

    def normalize(self, raw: Drained) -> Iterator[Item]:
        if raw.dropped:
            yield Rejection(f"buffer full: {raw.dropped} messages dropped before they were read")
        by_station: dict[str, list[Reading]] = {}
        for message in raw.messages:
            for item in self._message_items(message):
                if isinstance(item, Rejection):
                    yield item
                else:
                    by_station.setdefault(item.station, []).append(item)
        stored = self.context.own_assets(*ASSET)
        for code, found in sorted(by_station.items()):
            yield from station_records(code, self.options.stations[code], found, stored.get(code))

    def _message_items(self, message: Message) -> Iterator[Reading | Rejection]:
        if not message.payload:
            if not message.retain:  # an empty retained message only clears the retained one
                yield Rejection("empty payload", message.topic)
            return
        topic = _topic_for(self.options.topics, message.topic)
        if topic is None:
            yield Rejection(f"topic {message.topic!r} matches no configured topic")
            return
        try:
            document = decode(message.payload, self.options.max_payload_bytes)
        except PayloadProblem as exc:
            yield Rejection(str(exc), _message_excerpt(message))
            return
        for item in readings(topic, message.topic, document, message.received_at):
            problem = str(item) if isinstance(item, PayloadProblem) else self._problem(item)
            if isinstance(item, Reading) and problem is None:
                yield item
            else:
                yield Rejection(problem or "unreadable", _message_excerpt(message))

    def _problem(self, reading: Reading) -> str | None:
        if reading.station not in self.options.stations:
            return f"unknown station {reading.station!r} (not in the feed's stations)"
        now = self.context.now()
        if reading.at > now + FUTURE_TOLERANCE:
            return f"time {reading.at.isoformat()} is in the future"
        if reading.at < now - timedelta(days=DAYS_KEPT):
            return f"time {reading.at.isoformat()} is older than {DAYS_KEPT} days"
        return None


def _topic_for(topics: tuple[Topic, ...], name: str) -> Topic | None:
    return next((t for t in topics if mqtt.topic_matches_sub(t.filter, name)), None)


def _message_excerpt(message: Message) -> str:
    try:
        body = message.payload[:300].decode("utf-8")
    except UnicodeDecodeError:
        body = repr(message.payload[:100])
    return excerpt(f"{message.topic}: {body}")


def _local_day(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).date().isoformat()


def station_records(
    code: str, station: Station, found: list[Reading], previous: Mapping[str, Any] | None
) -> Iterator[Asset | Observation]:
    """The station's asset (latest value per parameter, kept day maxima) and the day-maximum
    observations the readings touch; merging with what is stored makes re-reads no-ops."""
    before = dict(previous or {})
    measured: dict[str, str] = dict(before.get("measured_at") or {})
    maxima: dict[str, dict[str, float]] = {
        k: dict(v) for k, v in (before.get("day_max") or {}).items()
    }
    attributes = {k: v for k, v in before.items() if k not in ("measured_at", "day_max")}
    touched: set[tuple[str, str]] = set()
    for reading in sorted(found, key=lambda r: r.at):
        parameter = PARAMETERS[reading.parameter]
        at = reading.at.isoformat()
        if at >= measured.get(parameter.key, ""):
            measured[parameter.key] = at
            attributes[parameter.attribute] = round(reading.value, 4)
        if parameter.metric is not None:
            day = _local_day(reading.at)
            days = maxima.setdefault(parameter.key, {})
            days[day] = max(days.get(day, reading.value), reading.value)
            touched.add((parameter.key, day))
    for days in maxima.values():
        for old in sorted(days)[:-DAYS_KEPT]:
            del days[old]
    attributes.update(
        measured_at=measured,
        day_max=maxima,
        parameters=sorted(measured),
        source="mqtt",
        **({"river": station.river} if station.river else {}),
    )
    yield Asset(
        *ASSET,
        source_id=code,
        name=station.name,
        last_seen=datetime.fromisoformat(max(measured.values())),
        area=station.area,
        lat=station.lat,
        lon=station.lon,
        status="ok",
        attributes=attributes,
    )
    for key, day in sorted(touched):
        if day not in maxima[key]:
            continue  # older than the days kept
        metric = PARAMETERS[key].metric
        assert metric is not None
        start = local_midnight_utc(datetime.fromisoformat(day).date())
        yield Observation(metric, station.area, start, maxima[key][day], "day", code)

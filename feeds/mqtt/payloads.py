"""MQTT payloads → readings: decoding (with a reason for every refusal), shapes and times."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feeds.mqtt.options import Topic
from feeds.mqtt.units import (
    CONDUCTIVITY_REASON,
    UnitProblem,
    is_conductivity,
    parameter_for,
    to_canonical,
)
from store.scope import LOCAL_TZ

_PYTHON_QUOTES = re.compile(r"[{\[,]\s*'[^']*'\s*:|:\s*'[^']*'\s*[,}]")
RESERVED_FIELDS = frozenset({"station", "station_id", "device", "id"})


class PayloadProblem(ValueError):
    """A payload or reading that cannot be stored; the message is the rejection reason."""


@dataclass(frozen=True, slots=True)
class Reading:
    station: str
    parameter: str  # a key of units.PARAMETERS
    value: float  # in the parameter's canonical unit
    at: datetime  # aware UTC


def _reject_constant(name: str) -> Any:
    raise PayloadProblem(f"{name} is not a valid JSON number (NaN and Infinity are refused)")


def decode(payload: bytes, limit: int) -> Any:
    """The JSON document of a payload, or PayloadProblem with the reason it is refused."""
    if len(payload) > limit:
        raise PayloadProblem(f"payload of {len(payload)} bytes exceeds the {limit}-byte limit")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadProblem("binary payload: not UTF-8 text") from None
    if "\x00" in text:
        raise PayloadProblem("binary payload: contains NUL bytes")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        if _PYTHON_QUOTES.search(text):
            raise PayloadProblem(
                "Python-style quotes: strings in JSON need double quotes, not single"
            ) from None
        where = f"line {exc.lineno} column {exc.colno}"
        raise PayloadProblem(f"not JSON ({exc.msg} at {where})") from None


def station_code(topic: Topic, topic_name: str, record: Any) -> str:
    if topic.station_level is not None:
        levels = topic_name.split("/")
        if topic.station_level >= len(levels):
            raise PayloadProblem(f"topic {topic_name!r} has no level {topic.station_level}")
        return levels[topic.station_level]
    assert topic.station_field is not None  # guaranteed by Topic validation
    code = record.get(topic.station_field) if isinstance(record, dict) else None
    if not isinstance(code, str | int) or isinstance(code, bool) or str(code).strip() == "":
        raise PayloadProblem(f"missing station field {topic.station_field!r}")
    return str(code).strip()


def parse_time(topic: Topic, raw: Any, received_at: datetime) -> datetime:
    """The reading's time in UTC; a payload without one is taken at its arrival."""
    if raw is None:
        return received_at
    if topic.time_format == "iso":
        try:
            return _iso_time(raw)
        except ValueError:
            raise PayloadProblem(f"time {raw!r} is not an ISO 8601 date or time") from None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise PayloadProblem(f"time {raw!r} is not an epoch number ({topic.time_format})")
    seconds = raw / 1000.0 if topic.time_format == "epoch_ms" else float(raw)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise PayloadProblem(f"time {raw!r} is out of range ({topic.time_format})") from None


def _iso_time(raw: Any) -> datetime:
    """An ISO 8601 time in UTC; date-only and naive values are Asia/Ho_Chi_Minh time."""
    if not isinstance(raw, str):
        raise ValueError(raw)
    moment = datetime.fromisoformat(raw.strip())
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)).astimezone(UTC)


def _number(name: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise PayloadProblem(f"{name}: value {raw!r} is not a number")
    value = float(raw)
    if not math.isfinite(value):
        raise PayloadProblem(f"{name}: value {raw!r} is not finite")
    return value


def reading(station: str, name: str, raw: Any, unit: str | None, at: datetime) -> Reading:
    """One checked reading: a known parameter, a safe unit, a plausible value."""
    if is_conductivity(name):
        raise PayloadProblem(CONDUCTIVITY_REASON.format(unit=unit or "conductivity"))
    parameter = parameter_for(name)
    if parameter is None:
        raise PayloadProblem(f"unknown parameter {name!r}")
    if unit is not None and not isinstance(unit, str):
        raise PayloadProblem(f"{name}: unit {unit!r} is not text")
    try:
        value = to_canonical(parameter, _number(name, raw), unit)
    except UnitProblem as exc:
        raise PayloadProblem(str(exc)) from None
    if not parameter.low <= value <= parameter.high:
        raise PayloadProblem(
            f"{name}: {value:g} {parameter.unit} is outside the plausible range "
            f"{parameter.low:g}..{parameter.high:g}"
        )
    return Reading(station, parameter.key, value, at)


def readings(
    topic: Topic, topic_name: str, document: Any, received_at: datetime
) -> Iterator[Reading | PayloadProblem]:
    """The readings of a decoded payload; each unreadable part is yielded as its problem."""
    if topic.shape == "array":
        if not isinstance(document, list):
            yield PayloadProblem("expected a JSON array of readings")
            return
        for item in document:
            yield from _guarded(_array_item, topic, topic_name, item, received_at)
        return
    if not isinstance(document, dict):
        yield PayloadProblem(f"expected a JSON object ({topic.shape} shape)")
        return
    yield from _guarded(_object, topic, topic_name, document, received_at)


def _guarded(fn: Any, *args: Any) -> Iterator[Reading | PayloadProblem]:
    try:
        yield from fn(*args)
    except PayloadProblem as exc:
        yield exc


def _array_item(
    topic: Topic, topic_name: str, item: Any, received_at: datetime
) -> Iterator[Reading | PayloadProblem]:
    if not isinstance(item, dict):
        raise PayloadProblem("array item is not an object")
    station = station_code(topic, topic_name, item)
    at = parse_time(topic, item.get(topic.time_field), received_at)
    name = item.get("parameter")
    if not isinstance(name, str):
        raise PayloadProblem("array item has no 'parameter' name")
    _check_status(topic, name, item.get("status"))
    yield reading(station, name, item.get("value"), item.get("unit"), at)


def _object(
    topic: Topic, topic_name: str, document: dict[str, Any], received_at: datetime
) -> Iterator[Reading | PayloadProblem]:
    station = station_code(topic, topic_name, document)
    at = parse_time(topic, document.get(topic.time_field), received_at)
    skip = {topic.time_field, topic.station_field, *RESERVED_FIELDS}
    for name, raw in document.items():
        if name in skip:
            continue
        try:
            if topic.shape == "nested":
                if not isinstance(raw, dict):
                    raise PayloadProblem(f"{name}: expected an object with value/unit/status")
                _check_status(topic, name, raw.get("status"))
                yield reading(station, name, raw.get("value"), raw.get("unit"), at)
            else:
                yield reading(station, name, raw, topic.units.get(name), at)
        except PayloadProblem as exc:
            yield exc


def _check_status(topic: Topic, name: str, status: Any) -> None:
    if status is None:
        return
    if str(status).strip().lower() not in topic.valid_status:
        raise PayloadProblem(f"{name}: sensor status {status!r} is not a valid measurement")

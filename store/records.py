"""Record types: the only contract between feeds (producers) and the store (consumer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PERIOD_KINDS = ("day", "month", "year")


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of a catalogued metric for one area and one period (UTC start).

    `dim` splits a metric inside an area (an agency, a portal, a category); "" is the total.
    """

    metric: str
    area: str
    period_start: datetime
    value: float
    period_kind: str = "day"
    dim: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened at a time and maybe a place (a report, an alarm, an exceedance)."""

    domain: str
    kind: str
    source_id: str
    occurred_at: datetime
    title: str
    area: str | None = None
    lat: float | None = None
    lon: float | None = None
    status: str = "open"
    severity: str = "info"
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Asset:
    """A thing that exists somewhere and has a state (a camera, a station, a portal, a facility)."""

    domain: str
    kind: str
    source_id: str
    name: str
    last_seen: datetime
    area: str | None = None
    lat: float | None = None
    lon: float | None = None
    status: str = "ok"
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The latest still image of a camera (only the newest one is kept)."""

    camera: str  # the camera asset's source_id
    taken_at: datetime
    content_type: str  # image/jpeg | image/png | image/svg+xml
    content: bytes


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input item that could not become a record, with the reason and an excerpt of it."""

    reason: str
    raw: str = ""


Record = Observation | Event | Asset | Snapshot
Item = Record | Rejection

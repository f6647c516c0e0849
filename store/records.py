"""Record types: the only contract between feeds (producers) and the store (consumer)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
    source_time: datetime | None = None  # when the source last updated the value, if it says


@dataclass(frozen=True, slots=True)
class ObservationBlock:
    """Observations of one metric and period for many areas at once: the bulk form of
    `Observation` for feeds that produce whole columns of values (the simulator's days).

    `areas` and `values` (and `dims`, when given) are aligned; `dims` None means every row
    is its area's total (""). One object per column instead of one per row is what lets a
    multi-year backfill be generated, checked and written at database speed.
    """

    metric: str
    period_start: datetime
    areas: tuple[str, ...]
    values: tuple[float, ...]
    period_kind: str = "day"
    dims: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self.areas)

    def observation(self, index: int) -> Observation:
        dim = "" if self.dims is None else self.dims[index]
        return Observation(
            self.metric,
            self.areas[index],
            self.period_start,
            self.values[index],
            self.period_kind,
            dim,
        )

    def observations(self) -> Iterator[Observation]:
        """The block as single observations, in order."""
        return map(self.observation, range(len(self.areas)))

    def only(self, indexes: list[int]) -> ObservationBlock:
        """The block cut to the rows at `indexes` (the ones that passed a check)."""
        dims = None if self.dims is None else tuple(self.dims[i] for i in indexes)
        return ObservationBlock(
            self.metric,
            self.period_start,
            tuple(self.areas[i] for i in indexes),
            tuple(self.values[i] for i in indexes),
            self.period_kind,
            dims,
        )


@dataclass(frozen=True, slots=True)
class Progress:
    """A marker a long-running feed yields between its chunks: the records before it complete
    `done` of `total` days. The runner commits at these marks and reports the first load; a
    first load's `cursor` is stored with the mark as the feed's checkpoint, from which a next
    run resumes a load that did not finish."""

    done: int
    total: int
    cursor: str | None = None


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


LIVE_KEY = "_live"  # where an asset's `live` attributes are kept among its stored attributes


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
    # What describes the latest look rather than the thing (a camera's latency, when it was
    # last online): stored with each run and read back among the attributes, but never
    # counted as a change, so a second look at an unchanged thing changes nothing.
    live: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The latest still image of a camera: the newest is in snapshots, and the last `keep`
    ones (when above 1) in camera_stills."""

    camera: str  # the camera asset's source_id
    taken_at: datetime
    content_type: str  # image/jpeg | image/png | image/svg+xml
    content: bytes
    keep: int = 1  # stills of this camera kept in camera_stills (1: only the newest, in snapshots)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input item that could not become a record, with the reason and an excerpt of it."""

    reason: str
    raw: str = ""


@dataclass(frozen=True, slots=True)
class DataWarning:
    """A data-quality warning on the record yielded just before it (a total that does not
    equal its parts, a source clock in the future): the record is stored, the warning shown."""

    reason: str
    raw: str = ""


Record = Observation | ObservationBlock | Event | Asset | Snapshot
Item = Record | Rejection | Progress | DataWarning


def row_count(record: Record) -> int:
    """How many stored rows a record makes (a block makes one per area)."""
    return len(record) if isinstance(record, ObservationBlock) else 1

"""Checks every record against the reference data before it may be stored."""

from __future__ import annotations

import math
from collections.abc import Container
from datetime import datetime, timedelta

from store.catalog import DOMAINS_BY_KEY, METRICS_BY_KEY, Aggregation
from store.records import (
    PERIOD_KINDS,
    Asset,
    Event,
    Observation,
    ObservationBlock,
    Record,
    Snapshot,
)

FUTURE_TOLERANCE = timedelta(minutes=5)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/svg+xml")
MAX_IMAGE_BYTES = 2_000_000


class RecordCheck:
    """Says why a record cannot be stored, or None when it can."""

    def __init__(self, areas: Container[str], now: datetime) -> None:
        self.areas = areas
        self.latest_allowed = now + FUTURE_TOLERANCE
        # a run checks the same few metrics and periods on every row: each is checked once
        self._series_seen: dict[tuple[str, str, datetime], str | None] = {}

    def problem(self, record: Record) -> str | None:
        """Why the record (for a block: all of it) cannot be stored; use `split` on blocks."""
        if isinstance(record, ObservationBlock):
            return self._block(record)
        if isinstance(record, Observation):
            return self._observation(record)
        if isinstance(record, Event):
            return self._placed(record.domain, record.area) or self._when(record.occurred_at)
        if isinstance(record, Asset):
            return self._placed(record.domain, record.area) or self._when(record.last_seen)
        if isinstance(record, Snapshot):
            return self._image(record)
        return f"not a record: {type(record).__name__}"

    def split(self, block: ObservationBlock) -> tuple[ObservationBlock, list[tuple[int, str]]]:
        """The block's storable rows, and (row index, reason) for each row that is not.

        What the rows share (metric, period) is checked once; areas and values row by row
        only when the cheap whole-block test finds a problem."""
        shared = self._block(block)
        if shared is not None:
            return block.only([]), [(i, shared) for i in range(len(block))]
        if self._areas_known(block.areas) and _all_finite(block.values):
            return block, []
        problems = [
            (i, reason)
            for i, (area, value) in enumerate(zip(block.areas, block.values, strict=True))
            if (reason := self._area(area) or _number(value)) is not None
        ]
        bad = {i for i, _ in problems}
        return block.only([i for i in range(len(block)) if i not in bad]), problems

    def _observation(self, obs: Observation) -> str | None:
        shared = self._series(obs.metric, obs.period_kind, obs.period_start)
        if shared is not None:
            return shared
        return self._area(obs.area) or _number(obs.value)

    def _block(self, block: ObservationBlock) -> str | None:
        shared = self._series(block.metric, block.period_kind, block.period_start)
        if shared is not None or block.dims is None:
            return shared
        if len(block.dims) != len(block.areas):
            return f"block of {block.metric!r}: {len(block.dims)} dims for {len(block)} areas"
        return None

    def _series(self, key: str, period_kind: str, period_start: datetime) -> str | None:
        """What every row of one metric and period shares (remembered: the check is pure)."""
        seen = (key, period_kind, period_start)
        try:
            return self._series_seen[seen]
        except KeyError:
            problem = self._series_seen[seen] = self._series_problem(*seen)
            return problem

    def _series_problem(self, key: str, period_kind: str, period_start: datetime) -> str | None:
        metric = METRICS_BY_KEY.get(key)
        if metric is None:
            return f"unknown metric {key!r}"
        if metric.aggregation is Aggregation.RATIO:
            return f"metric {key!r} is computed from its components and cannot be ingested"
        if period_kind not in PERIOD_KINDS:
            return f"unknown period kind {period_kind!r}"
        return self._when(period_start)

    def _area(self, area: str) -> str | None:
        return None if area in self.areas else f"unknown area code {area!r}"

    def _areas_known(self, areas: tuple[str, ...]) -> bool:
        return all(code in self.areas for code in set(areas))

    def _image(self, shot: Snapshot) -> str | None:
        if shot.content_type not in IMAGE_TYPES:
            return f"snapshot of {shot.camera}: unsupported image type {shot.content_type!r}"
        if not shot.content or len(shot.content) > MAX_IMAGE_BYTES:
            return f"snapshot of {shot.camera}: empty or larger than {MAX_IMAGE_BYTES} bytes"
        return self._when(shot.taken_at)

    def _placed(self, domain: str, area: str | None) -> str | None:
        if domain not in DOMAINS_BY_KEY:
            return f"unknown domain {domain!r}"
        if area is not None and area not in self.areas:
            return f"unknown area code {area!r}"
        return None

    def _when(self, moment: datetime) -> str | None:
        if moment.tzinfo is None:
            return f"timestamp {moment.isoformat()} has no time zone"
        if moment > self.latest_allowed:
            return f"timestamp {moment.isoformat()} is in the future"
        return None


def _number(value: object) -> str | None:
    try:
        if isinstance(value, int | float) and math.isfinite(value):
            return None
    except OverflowError:  # an int beyond any float
        pass
    return f"value {value!r} is not a finite number"


def _all_finite(values: tuple[float, ...]) -> bool:
    """True when every value is a finite float, tested in C rather than row by row: a NaN,
    an infinity or an overflow makes the sum non-finite. Anything else (ints, strings) is
    left to the row-by-row test."""
    if set(map(type, values)) != {float}:
        return False
    return math.isfinite(sum(values))

"""Checks every record against the reference data before it may be stored."""

from __future__ import annotations

import math
from collections.abc import Container
from datetime import datetime, timedelta

from store.catalog import DOMAINS_BY_KEY, METRICS_BY_KEY, Aggregation
from store.records import PERIOD_KINDS, Asset, Event, Observation, Record, Snapshot

FUTURE_TOLERANCE = timedelta(minutes=5)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/svg+xml")
MAX_IMAGE_BYTES = 2_000_000


class RecordCheck:
    """Says why a record cannot be stored, or None when it can."""

    def __init__(self, areas: Container[str], now: datetime) -> None:
        self.areas = areas
        self.latest_allowed = now + FUTURE_TOLERANCE

    def problem(self, record: Record) -> str | None:
        if isinstance(record, Observation):
            return self._observation(record)
        if isinstance(record, Event):
            return self._placed(record.domain, record.area) or self._when(record.occurred_at)
        if isinstance(record, Asset):
            return self._placed(record.domain, record.area) or self._when(record.last_seen)
        if isinstance(record, Snapshot):
            return self._image(record)
        return f"not a record: {type(record).__name__}"

    def _observation(self, obs: Observation) -> str | None:
        metric = METRICS_BY_KEY.get(obs.metric)
        if metric is None:
            return f"unknown metric {obs.metric!r}"
        if metric.aggregation is Aggregation.RATIO:
            return f"metric {obs.metric!r} is computed from its components and cannot be ingested"
        if obs.area not in self.areas:
            return f"unknown area code {obs.area!r}"
        if obs.period_kind not in PERIOD_KINDS:
            return f"unknown period kind {obs.period_kind!r}"
        if not isinstance(obs.value, int | float) or not math.isfinite(obs.value):
            return f"value {obs.value!r} is not a finite number"
        return self._when(obs.period_start)

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

"""Surveillance cameras: how many are online and what video analytics detected."""

from __future__ import annotations

from store.catalog.types import Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="cameras",
    slug="camera",
    icon="bi-camera-video",
    headline="cameras.online_rate",
)

# Cameras belong to the police project and are seen only by permission: never public.
PUBLIC = False

METRICS: tuple[Metric, ...] = (
    Metric(
        key="cameras.total",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="cameras.online",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="cameras.online_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=95,
        critical=85,
        numerator="cameras.online",
        denominator="cameras.total",
        scale=100,
        decimals=1,
        cadence="day",
        public=PUBLIC,
    ),
    # Counts of problems grow with the area: the province has more offline cameras on a normal
    # day than a commune, so (warn, critical) are set per level, above each level's usual day
    # (the simulator's 60 days: province ≈9 of 325 offline, limits ≈5% and 10%; a district 0-2).
    # A level not listed uses warn and critical.
    Metric(
        key="cameras.offline",
        aggregation=Aggregation.LAST,
        direction=Direction.DOWN,
        warn=5,
        critical=20,
        limits_by_level={"province": (16, 33), "district": (3, 6), "commune": (2, 4)},
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="cameras.analytics_events",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
    ),
)

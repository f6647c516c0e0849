"""Tourism: visitors, revenue and room occupancy."""

from __future__ import annotations

from store.catalog.types import UPPER_LEVELS, Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="tourism",
    slug="du-lich",
    icon="bi-signpost-2",
    headline="tourism.visitors",
)

# public: a district centre sees the province total as context.
# Visitors, revenue and occupancy are published tourism statistics.
METRICS: tuple[Metric, ...] = (
    Metric(
        key="tourism.visitors",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="tourism.visitors_international",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="tourism.revenue",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="tourism.rooms_occupied",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="tourism.rooms_available",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="tourism.occupancy_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.NEUTRAL,
        numerator="tourism.rooms_occupied",
        denominator="tourism.rooms_available",
        scale=100,
        decimals=1,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
)

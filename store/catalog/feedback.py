"""Citizen feedback: reports received and resolved, timeliness and satisfaction."""

from __future__ import annotations

from store.catalog.types import Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="feedback",
    slug="phan-anh-kien-nghi",
    icon="bi-chat-left-dots",
    headline="feedback.on_time_rate",
)

# Citizen feedback is handling detail about people's reports (personal data masked by
# default, DOMAIN §3): never public, even as a province total.
PUBLIC = False

METRICS: tuple[Metric, ...] = (
    Metric(
        key="feedback.received",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        dimension="category",  # members "category:<code>" and "channel:<code>"
    ),
    Metric(
        key="feedback.resolved",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="feedback.resolved_on_time",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="feedback.on_time_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=90,
        critical=80,
        numerator="feedback.resolved_on_time",
        denominator="feedback.resolved",
        scale=100,
        decimals=1,
        cadence="day",
        public=PUBLIC,
    ),
    # Counts of problems grow with the area: the province has more overdue reports on a normal
    # day than a commune, so (warn, critical) are set per level, above each level's usual day
    # (the simulator's 60 days: province ≈8 overdue reports, a district 0-2).
    # A level not listed uses warn and critical.
    Metric(
        key="feedback.overdue",
        aggregation=Aggregation.LAST,
        direction=Direction.DOWN,
        warn=5,
        critical=20,
        limits_by_level={"province": (12, 25), "district": (3, 6), "commune": (2, 4)},
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="feedback.in_progress",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="feedback.rated",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="feedback.satisfied",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="feedback.satisfaction_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=80,
        critical=70,
        numerator="feedback.satisfied",
        denominator="feedback.rated",
        scale=100,
        decimals=1,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="feedback.resolution_hours",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="feedback.mean_resolution_days",
        aggregation=Aggregation.RATIO,
        direction=Direction.DOWN,
        warn=7,
        critical=15,
        numerator="feedback.resolution_hours",
        denominator="feedback.resolved",
        scale=1 / 24,
        decimals=1,
        cadence="day",
        public=PUBLIC,
    ),
)

"""Health: visits, beds, notifiable diseases and vaccination."""

from __future__ import annotations

from store.catalog.types import UPPER_LEVELS, Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="health",
    slug="y-te",
    icon="bi-heart-pulse",
    headline="health.outpatient_visits",
)

# public: a district centre sees the province total as context.
# Province totals of visits, beds and vaccination are published health statistics;
# the live count of notifiable diseases is not (an epidemic is announced by the health authority).
METRICS: tuple[Metric, ...] = (
    Metric(
        key="health.outpatient_visits",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
    ),
    Metric(
        key="health.digital_id_visits",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="health.digital_id_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=50,
        critical=30,
        numerator="health.digital_id_visits",
        denominator="health.outpatient_visits",
        scale=100,
        decimals=1,
        cadence="day",
        public=True,
    ),
    Metric(
        key="health.inpatients",
        aggregation=Aggregation.MEAN,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="health.beds",
        aggregation=Aggregation.MEAN,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="health.bed_occupancy",
        aggregation=Aggregation.RATIO,
        direction=Direction.DOWN,
        warn=90,
        critical=100,
        numerator="health.inpatients",
        denominator="health.beds",
        scale=100,
        decimals=1,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="health.disease_cases",
        aggregation=Aggregation.SUM,
        direction=Direction.DOWN,
        cadence="day",
        public=False,  # the live epidemic count is announced by the health authority, not here
    ),
    Metric(
        key="health.vaccinated",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="health.vaccination_due",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="health.vaccination_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=90,
        critical=80,
        numerator="health.vaccinated",
        denominator="health.vaccination_due",
        scale=100,
        decimals=1,
        cadence="day",
        public=True,
    ),
)

"""Documents and direction: documents in and out, digital signing, assigned tasks."""

from __future__ import annotations

from store.catalog.types import Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="documents",
    slug="van-ban-dieu-hanh",
    icon="bi-file-earmark-text",
    headline="documents.signed_rate",
)

# Document handling and the follow-up of UBND directives are internal work of the
# administration: never public.
PUBLIC = False

METRICS: tuple[Metric, ...] = (
    Metric(
        key="documents.incoming",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="documents.outgoing",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        dimension="level",
    ),
    Metric(
        key="documents.signed",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
        dimension="level",
    ),
    Metric(
        key="documents.signed_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=90,
        critical=80,
        target_source="2021: 90,27% (Đề án 03/ĐA-UBND)",
        numerator="documents.signed",
        denominator="documents.outgoing",
        scale=100,
        decimals=2,
        cadence="day",
        public=PUBLIC,
        dimension="level",
    ),
    Metric(
        key="documents.work_online",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="documents.work_total",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="documents.work_online_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        targets={"province": 90, "district": 80, "commune": 60},
        target_source="Mục tiêu 2025, Đề án 03/ĐA-UBND",
        numerator="documents.work_online",
        denominator="documents.work_total",
        scale=100,
        decimals=1,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="documents.tasks_assigned",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        dimension="agency",
    ),
    Metric(
        key="documents.tasks_done",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
        dimension="agency",
    ),
    Metric(
        key="documents.tasks_done_on_time",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=PUBLIC,
        tile=False,
        dimension="agency",
    ),
    Metric(
        key="documents.tasks_on_time_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=90,
        critical=75,
        numerator="documents.tasks_done_on_time",
        denominator="documents.tasks_done",
        scale=100,
        decimals=1,
        cadence="day",
        public=PUBLIC,
        dimension="agency",
    ),
    # Counts of problems grow with the area: the province has more overdue tasks on a normal
    # day than a commune, so (warn, critical) are set per level, above each level's usual day
    # (the simulator's 60 days: province ≈95 overdue tasks, a district ≈7).
    # A level not listed uses warn and critical.
    Metric(
        key="documents.tasks_overdue",
        aggregation=Aggregation.LAST,
        direction=Direction.DOWN,
        warn=5,
        critical=15,
        limits_by_level={"province": (110, 150), "district": (12, 20), "commune": (3, 6)},
        cadence="day",
        public=PUBLIC,
        dimension="agency",
    ),
)

"""Education: pupils, teachers, attendance, enrolment and exam results."""

from __future__ import annotations

from store.catalog.types import Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="education",
    slug="giao-duc",
    icon="bi-mortarboard",
    headline="education.attendance_rate",
)

# public: a district centre sees the province total as context.
# Pupils, teachers, attendance and exam results are published education statistics.
METRICS: tuple[Metric, ...] = (
    Metric(
        key="education.enrolled",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
    ),
    Metric(
        key="education.present",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="education.attendance_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=95,
        critical=90,
        numerator="education.present",
        denominator="education.enrolled",
        scale=100,
        decimals=1,
        cadence="day",
        public=True,
    ),
    Metric(
        key="education.teachers",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
    ),
    Metric(
        key="education.pupil_teacher_ratio",
        aggregation=Aggregation.RATIO,
        direction=Direction.DOWN,
        warn=25,
        critical=30,
        numerator="education.enrolled",
        denominator="education.teachers",
        decimals=1,
        cadence="day",
        public=True,
    ),
    Metric(
        key="education.admitted",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
    ),
    Metric(
        key="education.exam_candidates",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="school_year",
        period_kind="year",  # one row per school year, from 1 September
        public=True,
        tile=False,
    ),
    Metric(
        key="education.exam_passed",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="school_year",
        period_kind="year",  # one row per school year, from 1 September
        public=True,
        tile=False,
    ),
    Metric(
        key="education.exam_pass_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=95,
        critical=90,
        numerator="education.exam_passed",
        denominator="education.exam_candidates",
        scale=100,
        decimals=1,
        cadence="school_year",
        period_kind="year",  # one row per school year, from 1 September
        public=True,
    ),
)

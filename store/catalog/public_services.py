"""Public administrative services: dossiers, on-time resolution, online share."""

from __future__ import annotations

from store.catalog.types import Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="public_services",
    slug="hanh-chinh-cong",
    icon="bi-building-check",
    headline="public_services.on_time_rate",
)

# public: a district centre sees the province total as context.
# Province figures of dossiers and online services are published on the public-service
# portal; the backlog and late dossiers are the per-agency administrative detail.
METRICS: tuple[Metric, ...] = (
    Metric(
        key="public_services.received",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        dimension="agency",
    ),
    Metric(
        key="public_services.resolved",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        dimension="agency",
    ),
    Metric(
        key="public_services.resolved_on_time",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
        dimension="agency",
    ),
    Metric(
        key="public_services.on_time_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=98,
        critical=95,
        target_source="2021: 99,71% (Đề án 03/ĐA-UBND)",
        numerator="public_services.resolved_on_time",
        denominator="public_services.resolved",
        scale=100,
        decimals=2,
        cadence="day",
        public=True,
        dimension="agency",
    ),
    Metric(
        key="public_services.online_received",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="public_services.online_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        target_source="2021: 8,64% (Đề án 03/ĐA-UBND)",
        numerator="public_services.online_received",
        denominator="public_services.received",
        scale=100,
        decimals=1,
        cadence="day",
        public=True,
    ),
    Metric(
        key="public_services.pending",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=False,  # the administrative backlog, by agency
    ),
    Metric(
        key="public_services.resolved_late",
        aggregation=Aggregation.SUM,
        direction=Direction.DOWN,
        cadence="day",
        public=False,  # late dossiers: the per-agency accountability detail
        dimension="agency",
    ),
    Metric(
        key="public_services.payments",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="public_services.payments_online",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        cadence="day",
        public=True,
        tile=False,
    ),
    Metric(
        key="public_services.online_payment_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        numerator="public_services.payments_online",
        denominator="public_services.payments",
        scale=100,
        decimals=1,
        cadence="day",
        public=True,
    ),
)

"""Web portals: availability, response time, stale news and expiring certificates."""

from __future__ import annotations

from store.catalog.types import UPPER_LEVELS, Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="portals",
    slug="cong-thong-tin",
    icon="bi-globe2",
    headline="portals.uptime_rate",
)

# Uptime, response times and TLS expiry of the province's web estate are Sở TT&TT's
# operational monitoring (and an outage list is security-relevant): never public.
PUBLIC = False

METRICS: tuple[Metric, ...] = (
    Metric(
        key="portals.checks",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
        tile=False,
        dimension="portal",
    ),
    Metric(
        key="portals.checks_up",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
        tile=False,
        dimension="portal",
    ),
    Metric(
        key="portals.uptime_rate",
        aggregation=Aggregation.RATIO,
        direction=Direction.UP,
        warn=99,
        critical=95,
        numerator="portals.checks_up",
        denominator="portals.checks",
        scale=100,
        decimals=2,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
        dimension="portal",
    ),
    Metric(
        key="portals.response_ms",
        aggregation=Aggregation.MEAN,
        direction=Direction.DOWN,
        warn=2000,
        critical=5000,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
        dimension="portal",
    ),
    Metric(
        key="portals.total",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
        tile=False,
    ),
    Metric(
        key="portals.up",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="portals.stale_content",
        aggregation=Aggregation.LAST,
        direction=Direction.DOWN,
        warn=1,
        critical=5,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
    ),
    Metric(
        key="portals.tls_expiring",
        aggregation=Aggregation.LAST,
        direction=Direction.DOWN,
        warn=1,
        critical=3,
        levels=UPPER_LEVELS,
        cadence="day",
        public=PUBLIC,
    ),
)

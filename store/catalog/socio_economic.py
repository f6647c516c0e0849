"""Socio-economic indicators: budget, trade, investment and GRDP."""

from __future__ import annotations

from store.catalog.types import UPPER_LEVELS, Aggregation, Direction, Domain, Metric

DOMAIN = Domain(
    key="socio_economic",
    slug="kinh-te-xa-hoi",
    icon="bi-graph-up-arrow",
    headline="socio_economic.budget_revenue",
)

# public: a district centre sees the province total as context.
# Budget (disclosed under the State Budget Law), trade, investment and GRDP are published
# socio-economic indicators.
METRICS: tuple[Metric, ...] = (
    Metric(
        key="socio_economic.budget_revenue",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        decimals=1,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="socio_economic.budget_spending",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        decimals=1,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="socio_economic.budget_revenue_plan",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        decimals=1,
        levels=UPPER_LEVELS,
        period_kind="year",
        cadence="year",
        public=True,
        tile=False,
    ),
    Metric(
        key="socio_economic.budget_spending_plan",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        decimals=1,
        levels=UPPER_LEVELS,
        period_kind="year",
        cadence="year",
        public=True,
        tile=False,
    ),
    Metric(
        key="socio_economic.exports",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        decimals=1,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="socio_economic.investment",
        aggregation=Aggregation.SUM,
        direction=Direction.NEUTRAL,
        decimals=1,
        levels=UPPER_LEVELS,
        cadence="day",
        public=True,
    ),
    Metric(
        key="socio_economic.grdp_growth",
        aggregation=Aggregation.LAST,
        direction=Direction.UP,
        decimals=2,
        levels=("province",),
        period_kind="year",
        cadence="year",
        public=True,
        dimension="sector",
    ),
    Metric(
        key="socio_economic.grdp_share",
        aggregation=Aggregation.LAST,
        direction=Direction.NEUTRAL,
        decimals=2,
        levels=("province",),
        period_kind="year",
        cadence="year",
        public=True,
        tile=False,
        dimension="sector",  # each sector's share; the undivided value is the whole, 100%
    ),
)

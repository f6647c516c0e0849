"""The only reading SQL: every data read takes a Scope (area + window, within what is allowed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, text

from geo.hierarchy import AdminUnit
from store.areas import AreaIndex
from store.catalog import METRICS_BY_KEY, Aggregation, Metric
from store.models import Area, FeedRow, MetricRow, ObservationRow
from store.scope import Scope, ScopeError, Window

Obs = ObservationRow


@dataclass(frozen=True, slots=True)
class Aggregate:
    """What one SQL pass knows of a stored metric over a window."""

    total: float
    count: int
    peak: float
    last_period: datetime
    feed_id: str
    last_value: float | None = None


@dataclass(frozen=True, slots=True)
class KpiValue:
    key: str
    value: float | None
    previous: float | None
    feed_id: str | None

    @property
    def change_pct(self) -> float | None:
        if self.value is None or self.previous in (None, 0):
            return None
        assert self.previous is not None
        return (self.value - self.previous) / abs(self.previous) * 100


@dataclass(frozen=True, slots=True)
class FeedHealth:
    id: str
    type: str
    enabled: bool
    demo: bool
    interval_s: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_status: str | None
    last_error_kind: str | None
    last_error: str | None
    consecutive_failures: int


class Queries:
    """Read access to the store. Construct once per app; it holds only reference data."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.connect() as conn:
            self.metric_ids = dict(conn.execute(select(MetricRow.key, MetricRow.id)).all())
            units = [_unit(row) for row in conn.execute(select(Area.__table__)).all()]
        self.areas = AreaIndex.build(units)

    # -- scope ------------------------------------------------------------------------------
    def check(self, scope: Scope) -> None:
        """Refuse a scope naming an unknown area or one outside what the caller may see."""
        if scope.area not in self.areas:
            raise ScopeError(f"unknown area {scope.area!r}")
        if scope.allowed and not self.areas.is_within(scope.area, scope.allowed):
            raise ScopeError(f"area {scope.area} is outside the permitted area {scope.allowed}")

    def visible_children(self, scope: Scope) -> tuple[str, ...]:
        self.check(scope)
        return self.areas.children(scope.area)

    # -- metrics ----------------------------------------------------------------------------
    def kpis(self, scope: Scope, keys: Sequence[str]) -> dict[str, KpiValue]:
        """Each metric's value in the scope's window and in the window before it."""
        self.check(scope)
        metrics = [METRICS_BY_KEY[k] for k in keys]
        current = self._aggregates(metrics, [scope.area], scope.window).get(scope.area, {})
        previous = self._aggregates(metrics, [scope.area], scope.window.previous()).get(
            scope.area, {}
        )
        return {
            m.key: KpiValue(
                m.key,
                _compute(m, current),
                _compute(m, previous) if _comparable(m, current, previous) else None,
                _source(m, current),
            )
            for m in metrics
        }

    def area_values(
        self, scope: Scope, key: str, areas: Sequence[str] | None = None
    ) -> dict[str, float]:
        """The metric's value per area (default: the scope area's children) in the window."""
        children = list(areas) if areas is not None else list(self.visible_children(scope))
        for code in children:
            self.check(Scope(code, scope.window, scope.allowed))
        metric = METRICS_BY_KEY[key]
        aggregates = self._aggregates([metric], children, scope.window)
        values = {code: _compute(metric, aggregates.get(code, {})) for code in children}
        return {code: v for code, v in values.items() if v is not None}

    def _aggregates(
        self, metrics: Iterable[Metric], areas: Sequence[str], window: Window
    ) -> dict[str, dict[str, Aggregate]]:
        """One grouped pass over the observations: sum, count, max, latest period per metric."""
        keys = sorted({c for m in metrics for c in m.components})
        ids = {self.metric_ids[k]: k for k in keys}
        query = (
            select(
                Obs.area_code,
                Obs.metric_id,
                func.sum(Obs.value),
                func.count(),
                func.max(Obs.value),
                func.max(Obs.period_start),
                func.min(Obs.feed_id),
            )
            .where(
                Obs.metric_id.in_(ids),
                Obs.area_code.in_(areas),
                Obs.period_kind == "day",
                Obs.period_start >= window.start,
                Obs.period_start < window.end,
            )
            .group_by(Obs.area_code, Obs.metric_id)
        )
        result: dict[str, dict[str, Aggregate]] = {}
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            lasts = self._last_values(
                conn, [(r[1], r[0], r[5]) for r in rows if _needs_last(ids[r[1]])]
            )
        for area, metric_id, total, count, peak, last_period, feed in rows:
            last_value = lasts.get((metric_id, area))
            result.setdefault(area, {})[ids[metric_id]] = Aggregate(
                total, count, peak, last_period, feed, last_value
            )
        return result

    @staticmethod
    def _last_values(
        conn: Any, keys: list[tuple[int, str, datetime]]
    ) -> dict[tuple[int, str], float]:
        """The values at given (metric, area, period) keys: the latest of a LAST metric."""
        if not keys:
            return {}
        # An OR of exact primary-key matches: SQLite turns a row-value IN into a full scan.
        exact = [
            and_(Obs.metric_id == m, Obs.area_code == a, Obs.period_start == p) for m, a, p in keys
        ]
        query = select(Obs.metric_id, Obs.area_code, Obs.value).where(
            Obs.period_kind == "day", or_(*exact)
        )
        return {(m, a): v for m, a, v in conn.execute(query).all()}

    # -- feeds ------------------------------------------------------------------------------
    def feed_health(self) -> list[FeedHealth]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(FeedRow.__table__).order_by(FeedRow.id)).all()
        return [_feed_health(row) for row in rows]

    def data_version(self) -> str:
        """Moves with every committed write and every finished run: the key of cached reads."""
        with self.engine.connect() as conn:
            changed, ran = conn.execute(
                select(func.max(FeedRow.data_changed_at), func.max(FeedRow.last_run_at))
            ).one()
        return f"{changed.isoformat() if changed else '-'}/{ran.isoformat() if ran else '-'}"

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "not reachable" to the health check
            return False
        return True


def _comparable(
    metric: Metric, current: dict[str, Aggregate], previous: dict[str, Aggregate]
) -> bool:
    """A total is compared only with a previous window covering as many periods as this one."""
    if metric.aggregation is not Aggregation.SUM or metric.key not in previous:
        return True
    covered_now = current[metric.key].count if metric.key in current else 0
    return previous[metric.key].count >= covered_now


def _needs_last(key: str) -> bool:
    return METRICS_BY_KEY[key].aggregation is Aggregation.LAST


def _compute(metric: Metric, aggs: dict[str, Aggregate]) -> float | None:
    """A metric's value from the aggregates of its stored components; None = no data."""
    if metric.aggregation is Aggregation.RATIO:
        assert metric.numerator and metric.denominator
        num, den = aggs.get(metric.numerator), aggs.get(metric.denominator)
        if num is None or den is None or den.total == 0:
            return None
        return num.total / den.total * metric.scale
    agg = aggs.get(metric.key)
    if agg is None:
        return None
    return {
        Aggregation.SUM: agg.total,
        Aggregation.MEAN: agg.total / agg.count,
        Aggregation.MAX: agg.peak,
        Aggregation.LAST: agg.last_value,
    }[metric.aggregation]


def _source(metric: Metric, aggs: dict[str, Aggregate]) -> str | None:
    found = [aggs[c].feed_id for c in metric.components if c in aggs]
    return found[0] if found else None


def _unit(row: Any) -> AdminUnit:
    return AdminUnit(
        row.code,
        row.level,
        row.parent_code,
        row.name_vi,
        row.name_en,
        row.short_name_vi,
        row.short_name_en,
        row.type_vi,
        row.population,
        row.area_km2,
        row.lat,
        row.lon,
    )


def _feed_health(row: Any) -> FeedHealth:
    return FeedHealth(
        row.id,
        row.type,
        row.enabled,
        row.demo,
        row.interval_s,
        row.last_run_at,
        row.last_success_at,
        row.last_status,
        row.last_error_kind,
        row.last_error,
        row.consecutive_failures,
    )

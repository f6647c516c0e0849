"""Trend reads: a metric per day, ISO week or month, and last year's buckets beside it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select

from store.catalog import METRICS_BY_KEY, Aggregation, Metric
from store.comparison import covers
from store.metric_reads import dims_where
from store.models import ObservationRow
from store.read_base import ReaderBase
from store.read_models import Trend, TrendPoint
from store.scope import LOCAL_TZ, Scope, Window

Obs = ObservationRow


class TrendReads(ReaderBase):
    """Metrics over time: buckets per day, ISO week or month."""

    def trend(self, scope: Scope, key: str, grain: str) -> Trend:
        """The metric per day, ISO week or month of the window, and the same buckets a year
        earlier (computed from the daily components, so ratios stay ratios) where that year
        covers as many days of the bucket as this one."""
        self.check(scope)
        metric = METRICS_BY_KEY[key]
        year = timedelta(days=364 if grain == "week" else 365)  # weeks keep their weekday
        current = self._buckets(metric, scope.area, scope.window, grain)
        shifted = Window(scope.window.start - year, scope.window.end - year)
        before = self._buckets(metric, scope.area, shifted, grain)
        return Trend(list(current.values()), _align(list(current.values()), before, year))

    def _buckets(
        self, metric: Metric, area: str, window: Window, grain: str
    ) -> dict[date, TrendPoint]:
        ids = {self.metric_ids[c]: c for c in metric.components}
        query = (
            select(Obs.metric_id, Obs.period_start, Obs.value)
            .where(
                Obs.metric_id.in_(ids),
                Obs.area_code == area,
                Obs.dim == "",
                Obs.period_kind == "day",
                Obs.period_start >= window.start,
                Obs.period_start < window.end,
            )
            .order_by(Obs.period_start)
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        grouped: dict[date, dict[str, list[float]]] = {}
        for metric_id, start, value in rows:
            bucket = bucket_start(start.astimezone(LOCAL_TZ).date(), grain)
            grouped.setdefault(bucket, {}).setdefault(ids[metric_id], []).append(value)
        return {
            b: TrendPoint(b, _from_values(metric, parts), _days(metric, parts))
            for b, parts in sorted(grouped.items())
        }

    def dim_trend(
        self,
        scope: Scope,
        key: str,
        grain: str,
        areas: Sequence[str] | None = None,
        members: Sequence[str] | None = None,
    ) -> dict[str, list[TrendPoint]]:
        """The metric per dimension member (a portal, an agency; only `members` if given) and
        per day, ISO week or month of the window, from the daily rows of the scope's area (or
        of `areas` inside it)."""
        self.check(scope)
        places = list(areas) if areas is not None else [scope.area]
        for code in places:
            self.check(scope.at(code))
        metric = METRICS_BY_KEY[key]
        ids = {self.metric_ids[c]: c for c in metric.components}
        query = select(Obs.dim, Obs.metric_id, Obs.period_start, Obs.value).where(
            Obs.metric_id.in_(ids),
            Obs.area_code.in_(places),
            dims_where(True, members),
            Obs.period_kind == "day",
            Obs.period_start >= scope.window.start,
            Obs.period_start < scope.window.end,
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        grouped: dict[str, dict[date, dict[str, list[float]]]] = {}
        for member, metric_id, start, value in rows:
            bucket = bucket_start(start.astimezone(LOCAL_TZ).date(), grain)
            parts = grouped.setdefault(member, {}).setdefault(bucket, {})
            parts.setdefault(ids[metric_id], []).append(value)
        return {
            member: [TrendPoint(b, _from_values(metric, p)) for b, p in sorted(buckets.items())]
            for member, buckets in grouped.items()
        }

    def series(self, scope: Scope, keys: Sequence[str], grain: str) -> dict[str, list[TrendPoint]]:
        """Several metrics per day, ISO week or month of the window in the scope's area, in one
        read and without last year's buckets: the light series behind the wall's sparklines."""
        self.check(scope)
        metrics = [METRICS_BY_KEY[k] for k in keys]
        ids = {self.metric_ids[c]: c for m in metrics for c in m.components if c in self.metric_ids}
        query = (
            select(Obs.metric_id, Obs.period_start, Obs.value)
            .where(
                Obs.metric_id.in_(ids),
                Obs.area_code == scope.area,
                Obs.dim == "",
                Obs.period_kind == "day",
                Obs.period_start >= scope.window.start,
                Obs.period_start < scope.window.end,
            )
            .order_by(Obs.period_start)
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        grouped: dict[date, dict[str, list[float]]] = {}
        for metric_id, start, value in rows:
            bucket = bucket_start(start.astimezone(LOCAL_TZ).date(), grain)
            grouped.setdefault(bucket, {}).setdefault(ids[metric_id], []).append(value)
        buckets = sorted(grouped)
        return {
            m.key: [TrendPoint(b, _from_values(m, grouped[b])) for b in buckets] for m in metrics
        }


def bucket_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _from_values(metric: Metric, parts: dict[str, list[float]]) -> float | None:
    """A bucket's value from the daily values of the metric's components."""
    if metric.aggregation is Aggregation.RATIO:
        assert metric.numerator and metric.denominator
        den = sum(parts.get(metric.denominator, []))
        return sum(parts.get(metric.numerator, [])) / den * metric.scale if den else None
    values = parts.get(metric.key, [])
    if not values:
        return None
    return {
        Aggregation.SUM: sum(values),
        Aggregation.MEAN: sum(values) / len(values),
        Aggregation.MAX: max(values),
        Aggregation.LAST: values[-1],
    }[metric.aggregation]


def _days(metric: Metric, parts: dict[str, list[float]]) -> int:
    """Days with data in a bucket: one daily row per day, so the fewer of the components'."""
    return min(len(parts.get(c, [])) for c in metric.components)


def _align(
    current: list[TrendPoint], before: dict[date, TrendPoint], year: timedelta
) -> list[TrendPoint]:
    """Last year's bucket at each of this year's, blank where it does not cover it."""
    aligned = []
    for point in current:
        then = before.get(point.period - year)
        shown = then is not None and covers(then.days, point.days)
        aligned.append(
            TrendPoint(
                point.period, then.value if shown and then else None, then.days if then else 0
            )
        )
    return aligned

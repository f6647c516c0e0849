"""Reference data writes: the administrative areas, the metric catalog and the configured feeds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from geo.hierarchy import AdminUnit
from i18n.names import metric_name, metric_unit
from store.catalog import Metric
from store.models import Area, FeedRow, MetricRow
from store.write_base import WriterBase


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A configured feed as the store keeps it."""

    id: str
    type: str
    interval_s: int
    enabled: bool
    demo: bool
    priority: int = 0


class ReferenceWrites(WriterBase):
    """Upserts of the areas, metrics and feeds the records refer to."""

    def sync_areas(self, units: Iterable[AdminUnit]) -> int:
        rows = [asdict(u) for u in units]
        compare = [c for c in rows[0] if c != "code"] if rows else []
        with self.engine.begin() as conn:
            return self._upsert(conn, Area, rows, ["code"], compare)

    def sync_metrics(self, metrics: Iterable[Metric]) -> dict[str, int]:
        rows = [_metric_row(m) for m in metrics]
        compare = [c for c in rows[0] if c != "key"] if rows else []
        with self.engine.begin() as conn:
            self._upsert(conn, MetricRow, rows, ["key"], compare)
            ids = conn.execute(select(MetricRow.key, MetricRow.id)).all()
        self._metric_ids = dict(ids)
        return dict(self._metric_ids)

    def sync_feeds(self, feeds: Iterable[FeedSpec]) -> None:
        rows = [asdict(f) for f in feeds]
        with self.engine.begin() as conn:
            self._upsert(
                conn, FeedRow, rows, ["id"], ["type", "interval_s", "enabled", "demo", "priority"]
            )


def _metric_row(metric: Metric) -> dict[str, Any]:
    return {
        "key": metric.key,
        "domain": metric.domain,
        "name_vi": metric_name(metric, "vi"),
        "name_en": metric_name(metric, "en"),
        "unit_vi": metric_unit(metric, "vi"),
        "unit_en": metric_unit(metric, "en"),
        "aggregation": metric.aggregation.value,
        "direction": metric.direction.value,
        "warn": metric.warn,
        "critical": metric.critical,
        "targets": dict(metric.targets),
        "target_source": metric.target_source,
        "numerator": metric.numerator,
        "denominator": metric.denominator,
    }

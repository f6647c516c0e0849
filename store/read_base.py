"""The readers' common ground: connections, reference data and the scope check."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from geo.hierarchy import AdminUnit
from store.areas import AreaIndex
from store.models import Area, MetricRow
from store.reads import ReadConnections
from store.scope import Scope, ScopeError


class ReaderBase:
    """What every read shares: the read connections, the metric ids and the area index."""

    def __init__(self, engine: Engine) -> None:
        self.reads = ReadConnections(engine)
        self.engine = self.reads.engine
        self._connect = self.reads.connect
        with engine.connect() as conn:
            self.metric_ids = dict(conn.execute(select(MetricRow.key, MetricRow.id)).all())
            units = [_unit(row) for row in conn.execute(select(Area.__table__)).all()]
        self.areas = AreaIndex.build(units)

    # -- scope ------------------------------------------------------------------------------
    def check(self, scope: Scope) -> None:
        """Refuse a scope naming an unknown area or one outside what the caller may see."""
        if scope.allowed is None:
            raise ScopeError("nothing is permitted")
        if scope.area not in self.areas or scope.allowed not in self.areas:
            raise ScopeError(f"unknown area {scope.area!r}")
        if not self.areas.is_within(scope.area, scope.allowed):
            raise ScopeError(f"area {scope.area} is outside the permitted area {scope.allowed}")

    def visible_children(self, scope: Scope) -> tuple[str, ...]:
        self.check(scope)
        return self.areas.children(scope.area)


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

"""Province-level aggregates of public metrics, the one read a narrower scope may make above
its own area (a district centre sees the province total beside its own values)."""

from __future__ import annotations

from store.queries import Queries
from store.read_models import KpiValue
from store.scope import ProvinceContext, province_scope


def province_kpis(queries: Queries, context: ProvinceContext) -> dict[str, KpiValue]:
    """Each public metric's value for the whole province over the context's window, read at the
    province's own code only: no child, no dimension, no other area comes out of it."""
    if not context.keys:
        return {}
    return queries.kpis(province_scope(context, queries.areas.root), context.keys)

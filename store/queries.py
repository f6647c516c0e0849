"""The only reading SQL: every data read takes a Scope (area + window, within what is allowed)."""

from __future__ import annotations

from store.asset_reads import AssetReads
from store.metric_reads import MetricReads
from store.run_reads import RunReads
from store.trend_reads import TrendReads


class Queries(MetricReads, TrendReads, AssetReads, RunReads):
    """Read access to the store. Construct once per app; it holds only reference data."""

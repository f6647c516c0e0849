"""The domain list and metric catalog: declared once per domain, synced to the database, read
by all. Each domain module declares its Domain and its metrics in final form; this package only
puts them in the agreed domain order."""

from __future__ import annotations

from store.catalog import (
    cameras,
    documents,
    education,
    environment,
    feedback,
    health,
    portals,
    public_services,
    socio_economic,
    tourism,
)
from store.catalog.dimensions import DIMENSIONS
from store.catalog.types import (
    ALL_LEVELS,
    CADENCES,
    UPPER_LEVELS,
    Aggregation,
    Direction,
    Domain,
    Metric,
)

_MODULES = (
    health,
    education,
    public_services,
    portals,
    documents,
    environment,
    tourism,
    socio_economic,
    feedback,
    cameras,
)
DOMAINS: tuple[Domain, ...] = tuple(module.DOMAIN for module in _MODULES)
METRICS: tuple[Metric, ...] = tuple(m for module in _MODULES for m in module.METRICS)
METRICS_BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}
DOMAINS_BY_KEY: dict[str, Domain] = {d.key: d for d in DOMAINS}


def domain_metrics(domain: str) -> tuple[Metric, ...]:
    return tuple(m for m in METRICS if m.domain == domain)


def tile_metrics(domain: str) -> tuple[Metric, ...]:
    """The metrics of a domain shown as KPI tiles (components hidden)."""
    return tuple(m for m in domain_metrics(domain) if m.tile)


def stored_metrics() -> tuple[Metric, ...]:
    """Metrics that hold observations (ratios are computed from their components)."""
    return tuple(m for m in METRICS if m.aggregation is not Aggregation.RATIO)


__all__ = [
    "ALL_LEVELS",
    "CADENCES",
    "DIMENSIONS",
    "DOMAINS",
    "DOMAINS_BY_KEY",
    "METRICS",
    "METRICS_BY_KEY",
    "UPPER_LEVELS",
    "Aggregation",
    "Direction",
    "Domain",
    "Metric",
    "domain_metrics",
    "stored_metrics",
    "tile_metrics",
]

"""The day model: every generator's parts for one day, rolled up into catalogued observations."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from feeds.simulator.feedback import feedback_metrics
from feeds.simulator.government import documents, public_services
from feeds.simulator.parts import LevelValues, Parts, roll_up
from feeds.simulator.people import budget, education, health, tourism
from feeds.simulator.portals import portal_metrics
from feeds.simulator.sensors import camera_metrics, environment
from feeds.simulator.world import Day, World
from store.catalog import METRICS_BY_KEY, Aggregation, Metric
from store.records import Observation

Generator = Callable[[World, Day], dict[str, Parts]]

GENERATORS: tuple[Generator, ...] = (
    health,
    education,
    public_services,
    portal_metrics,
    documents,
    environment,
    tourism,
    budget,
    feedback_metrics,
    camera_metrics,
)


def day_parts(world: World, day: Day) -> dict[str, Parts]:
    """Every stored metric's leaf parts for the day, cut to the day's elapsed share."""
    found: dict[str, Parts] = {}
    for generate in GENERATORS:
        for key, parts in generate(world, day).items():
            found[key] = _accrued(METRICS_BY_KEY[key], parts, day)
    return found


def _accrued(metric: Metric, parts: Parts, day: Day) -> Parts:
    """Counts grow through the day; levels and stocks are simply the current value."""
    if metric.aggregation is Aggregation.SUM and day.is_partial:
        return parts.scaled(day.fraction)
    return parts


def day_observations(world: World, day: Day) -> Iterator[Observation]:
    """The day's observations, one per stored metric and area at the metric's levels."""
    for key, parts in day_parts(world, day).items():
        yield from _observations(METRICS_BY_KEY[key], roll_up(parts, world.geo), world, day)


def _observations(
    metric: Metric, values: LevelValues, world: World, day: Day
) -> Iterator[Observation]:
    geo = world.geo
    by_level = {
        "commune": (geo.commune_codes, values.commune),
        "district": (geo.district_codes, values.district),
        "province": ([geo.province.code], np.array([values.province])),
    }
    for level in metric.levels:
        codes, level_values = by_level[level]
        if level_values is None:
            continue
        for code, value in zip(codes, level_values.tolist(), strict=True):
            if value == value:  # NaN: no value for this area (no station there)
                yield Observation(metric.key, code, day.start, value, "day")

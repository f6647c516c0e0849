"""The day model: every generator's parts for one day, rolled up into catalogued observations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import chain, compress

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.cameras import camera_metrics
from feeds.simulator.economy import economy, year_parts
from feeds.simulator.environment import environment
from feeds.simulator.feedback import feedback_metrics
from feeds.simulator.geography import Geography
from feeds.simulator.government import documents
from feeds.simulator.parts import Parts, roll_up
from feeds.simulator.people import education, health, school_year_parts, tourism
from feeds.simulator.portals import portal_metrics
from feeds.simulator.services import public_services
from feeds.simulator.tasks import task_metrics
from feeds.simulator.world import Day, World
from store.catalog import METRICS_BY_KEY, Aggregation, Metric
from store.records import ObservationBlock
from store.scope import local_midnight_utc

Generator = Callable[[World, Day], dict[str, Parts]]

GENERATORS: tuple[Generator, ...] = (
    health,
    education,
    public_services,
    portal_metrics,
    documents,
    task_metrics,
    environment,
    tourism,
    economy,
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


def day_observations(world: World, day: Day) -> Iterator[ObservationBlock]:
    """The day's observations: one per stored metric and area at the metric's levels, then
    the metric's split rows (by agency, portal, station, ...), as blocks, metric by metric."""
    found = day_parts(world, day)
    return chain.from_iterable(
        observations(METRICS_BY_KEY[key], parts, world.geo, day.start, "day")
        for key, parts in found.items()
    )


def year_observations(world: World, years: Iterable[int]) -> Iterator[ObservationBlock]:
    """The yearly metrics (plans, GRDP growth) for each year, starting on 1 January."""
    for year in years:
        start = local_midnight_utc(date(year, 1, 1))
        for key, parts in year_parts(world, year).items():
            yield from observations(METRICS_BY_KEY[key], parts, world.geo, start, "year")


def school_year_observations(world: World, opened: Iterable[int]) -> Iterator[ObservationBlock]:
    """The school-year metrics (exam results) of each school year opened in `opened` whose
    values are out, starting on its first of September."""
    for year in opened:
        start = local_midnight_utc(date(year, almanac.SCHOOL_YEAR_OPENING.month, 1))
        for key, parts in school_year_parts(world, year).items():
            yield from observations(METRICS_BY_KEY[key], parts, world.geo, start, "year")


def observations(
    metric: Metric, parts: Parts, geo: Geography, start: datetime, period_kind: str
) -> list[ObservationBlock]:
    """One metric's observations: a block of totals per level, then a block of its split
    rows. Blocks, not one object per row: a two-year backfill has millions of rows."""
    values = roll_up(parts, geo)
    by_level = {
        "commune": (geo.commune_codes, values.commune),
        "district": (geo.district_codes, values.district),
        "province": ([geo.province.code], np.array([values.province])),
    }
    found: list[ObservationBlock] = []
    for level in metric.levels:
        codes, level_values = by_level[level]
        if level_values is None:
            continue
        numbers = level_values.tolist()
        present = ~np.isnan(level_values)
        if not present.all():  # NaN: no value for this area (no station there)
            codes, numbers = list(compress(codes, present)), list(compress(numbers, present))
        if codes:
            found.append(
                ObservationBlock(metric.key, start, tuple(codes), tuple(numbers), period_kind)
            )
    if parts.splits:  # reported values: already rounded, never NaN
        areas, dims, numbers = zip(*parts.splits, strict=True)
        found.append(ObservationBlock(metric.key, start, areas, numbers, period_kind, dims))
    return found

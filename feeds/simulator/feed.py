"""The simulator feed: a deterministic, self-consistent demo of all ten IOC domains."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from feeds.base import Feed, FeedOptions
from feeds.simulator import almanac
from feeds.simulator.assets import all_assets
from feeds.simulator.events import carried_over_events, day_events
from feeds.simulator.feedback import LOOKBACK_DAYS
from feeds.simulator.geography import Geography
from feeds.simulator.model import day_observations, school_year_observations, year_observations
from feeds.simulator.plan import SimulationPlan, plan_days, resumed_days, stored_span
from feeds.simulator.snapshots import camera_snapshots
from feeds.simulator.tasks import task_events
from feeds.simulator.world import World
from store.records import Item, Progress


class SimulatorOptions(FeedOptions):
    seed: int = 94
    backfill_days: int = Field(730, ge=0, le=730)


class SimulatorFeed(Feed):
    """Demo data for every domain. Values depend only on (seed, day, area, metric), so
    re-runs upsert the same records; today's counts grow with the clock until midnight."""

    type = "simulator"
    Options = SimulatorOptions
    options: SimulatorOptions
    demo = True

    def fetch(self) -> SimulationPlan:
        now = self.context.now()
        geography = Geography.from_areas(self.context.areas)
        span = stored_span(self.context.checkpoint)
        if self.context.last_success is None and span is not None:  # an unfinished first load
            days, kept = resumed_days(now, span, self.options.backfill_days)
            return SimulationPlan(days, now, geography, kept, span if kept else None)
        days = plan_days(now, self.context.last_success, self.options.backfill_days)
        return SimulationPlan(days, now, geography)

    def normalize(self, raw: SimulationPlan) -> Iterator[Item]:
        """Assets, the tasks as they stand now, the yearly values of every year the days
        touch, and those of every school year they touch and the one before it (the latest
        whose results are out, as the education system publishes them, however short the
        backfill); then each day's observations and events, newest day first, each followed
        by a Progress mark (so the runner commits today's numbers first and can say how far
        a long backfill has come); then the events still open from before the first day."""
        world = World(self.options.seed, raw.geography, raw.now)
        total = raw.kept + len(raw.days)
        yield from all_assets(world)
        yield from camera_snapshots(world)
        yield Progress(raw.kept, total, raw.cursor_after(None))
        yield from task_events(world)
        yield from year_observations(world, sorted({d.year for d in raw.days}, reverse=True))
        opened = {almanac.school_year(d) - back for d in raw.days for back in (0, 1)}
        yield from school_year_observations(world, sorted(opened, reverse=True))
        for done, day in enumerate(raw.days, start=raw.kept + 1):
            yield from day_observations(world, world.day(day))
            yield from day_events(world, day)
            yield Progress(done, total, raw.cursor_after(day))
        if raw.days:
            yield from carried_over_events(world, raw.days[-1], LOOKBACK_DAYS)

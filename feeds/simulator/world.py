"""What every generator shares in one run: the seed, the geography, the clock and memos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import numpy as np

from feeds.simulator.geography import Geography
from feeds.simulator.streams import stable_uniforms
from store.scope import LOCAL_TZ, local_midnight_utc

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Day:
    """A local calendar day being generated, and how much of it has happened by `now`."""

    date: dt.date
    start: datetime  # UTC instant of local midnight
    end: datetime  # UTC instant of the next local midnight
    cutoff: datetime  # min(end, now): what has happened is before this instant

    @classmethod
    def of(cls, day: dt.date, now: datetime) -> Day:
        start = local_midnight_utc(day)
        end = local_midnight_utc(day + timedelta(days=1))
        return cls(day, start, end, min(end, now))

    @property
    def fraction(self) -> float:
        """The share of the day elapsed at the cut-off (1.0 for finished days)."""
        return (self.cutoff - self.start) / (self.end - self.start)

    @property
    def is_partial(self) -> bool:
        return self.cutoff < self.end

    @property
    def local_hour(self) -> float:
        """Local clock time at the cut-off, in hours (24.0 for finished days)."""
        return 24.0 * self.fraction


BLOCK_DAYS = 32


def block_start(day: dt.date) -> dt.date:
    """The first day of `day`'s block of BLOCK_DAYS days (blocks share look-back tables)."""
    return dt.date.fromordinal(day.toordinal() // BLOCK_DAYS * BLOCK_DAYS)


def block_days(first: dt.date, lookback: int) -> list[dt.date]:
    """The days a block's shared table covers so that each of its days sees its last
    `lookback` days; the later days of the block are in it too: readers mask by time."""
    return [first + timedelta(days=n) for n in range(-lookback, BLOCK_DAYS)]


class World:
    """The shared state of one simulation run; memoised values live here, not in modules."""

    def __init__(self, seed: int, geography: Geography, now: datetime) -> None:
        self.seed = seed
        self.geo = geography
        self.now = now
        self.today = now.astimezone(LOCAL_TZ).date()
        self._memo: dict[tuple[Any, ...], Any] = {}

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """Compute a value once per run (fixed profiles, per-day model states)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def profile(self, name: str, codes: Sequence[str], low: float, high: float) -> np.ndarray:
        """A fixed draw in [low, high) per area or asset code (its habits), the same every run."""

        def compute() -> np.ndarray:
            return low + (high - low) * stable_uniforms(self.seed, name, codes)

        return self.memo(("profile", name, low, high), compute)

    def day(self, day: dt.date) -> Day:
        return Day.of(day, self.now)

"""The declaration types of the catalog: a domain, a metric and the words they are made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Aggregation(StrEnum):
    SUM = "sum"  # counts: add the daily values
    MEAN = "mean"  # levels: average of the daily values
    MAX = "max"  # peaks: the highest daily value
    LAST = "last"  # stocks: the latest value in the window
    RATIO = "ratio"  # rates: sum(numerator) / sum(denominator) * scale


class Direction(StrEnum):
    UP = "up"  # higher is better
    DOWN = "down"  # lower is better
    NEUTRAL = "neutral"  # no better or worse


ALL_LEVELS = ("province", "district", "commune")
UPPER_LEVELS = ("province", "district")
# How often a source publishes a new value. Freshness is judged against it, and a tile shows
# the latest period of a metric slower than the selected window.
CADENCES = ("day", "week", "month", "quarter", "year", "school_year")


@dataclass(frozen=True, slots=True, kw_only=True)
class Domain:
    """A domain page and its source system; names are i18n keys `domain.<key>.name|system`."""

    key: str
    slug: str
    icon: str
    headline: str  # the metric shown for the domain on the overview and the wall


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    """One indicator; its name and unit are i18n keys `metric.<key>.name|unit`."""

    key: str
    aggregation: Aggregation
    direction: Direction
    cadence: str  # one of CADENCES
    # True: a published province figure; district users see its province total as context.
    # False: operational or restricted detail, shown only within a permitted area.
    public: bool
    warn: float | None = None
    critical: float | None = None
    # (warn, critical) by area level where counts grow with the area; else warn/critical above
    limits_by_level: dict[str, tuple[float, float]] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)  # by area level
    target_source: str = ""
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    decimals: int = 0
    levels: tuple[str, ...] = ALL_LEVELS
    period_kind: str = "day"
    tile: bool = True  # False: a component only, not shown as a KPI tile of its own
    dimension: str | None = None  # what observations' `dim` splits it by, if it is split

    def __post_init__(self) -> None:
        if self.cadence not in CADENCES:
            raise ValueError(f"{self.key}: cadence {self.cadence!r} is not one of {CADENCES}")
        if self.aggregation is Aggregation.RATIO and not (self.numerator and self.denominator):
            raise ValueError(f"{self.key}: a ratio needs a numerator and a denominator")

    def limits(self, level: str | None) -> tuple[float | None, float | None]:
        """The warn and critical thresholds that apply to a value of an area at `level`."""
        if level is not None and level in self.limits_by_level:
            return self.limits_by_level[level]
        return self.warn, self.critical

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def components(self) -> tuple[str, ...]:
        """The stored metrics this one is computed from (itself unless it is a ratio)."""
        if self.aggregation is Aggregation.RATIO:
            assert self.numerator and self.denominator
            return (self.numerator, self.denominator)
        return (self.key,)

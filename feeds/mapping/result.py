"""What one mapping pass produces: MappedObservation, the plain rows the fast path keeps,
and MappingResult, which hands them to the store (one by one, with their warnings, or gathered
into ObservationBlocks); also the texts both mapping paths put into a rejection."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from feeds.base import excerpt
from store.records import DataWarning, Item, Observation, ObservationBlock, Rejection

DUPLICATE_REASON = "duplicate of an earlier record in this payload"


@dataclass(frozen=True, slots=True, kw_only=True)
class MappedObservation:
    """An observation with what the store's record type does not carry (yet)."""

    observation: Observation
    feed_id: str
    source_time: datetime | None = None
    warnings: tuple[str, ...] = ()  # data-quality warnings to show beside the value
    where: str = ""  # which record it came from ("record 3", "row 12")


# A plain observation as the fast path keeps it, a tuple instead of two dataclasses:
# (metric, area, period start, value, period kind, dim, where): `where` is the record's
# label, or its index when the fast path kept it (MappingResult.label names it). No source
# time, no warnings.
PlainRow = tuple[str, str, datetime, float, str, str, str | int]


@dataclass(slots=True, kw_only=True)
class MappingResult:
    """What one mapping pass produced, in source order, and what it skipped and why."""

    feed_id: str
    entries: list[MappedObservation | Rejection | PlainRow] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # rule name → rows
    nulls: int = 0  # blank values ("-", "...", empty) that produced no observation
    label: Callable[[int], str] = field(default=lambda index: f"record {index + 1}")

    @property
    def items(self) -> list[MappedObservation | Rejection]:
        return [self._mapped(e) if isinstance(e, tuple) else e for e in self.entries]

    @property
    def observations(self) -> list[MappedObservation]:
        return [i for i in self.items if isinstance(i, MappedObservation)]

    @property
    def rejections(self) -> list[Rejection]:
        return [i for i in self.entries if isinstance(i, Rejection)]

    def store_items(self) -> Iterator[Item]:
        """The plain records and rejections, without the warnings."""
        for entry in self.entries:
            if isinstance(entry, tuple):
                yield Observation(*entry[:6])
            else:
                yield entry.observation if isinstance(entry, MappedObservation) else entry

    def feed_items(self) -> Iterator[Item]:
        """What Feed.normalize yields: each observation followed by its data-quality warnings
        (so the run stores them beside it), and the rejections."""
        for entry in self.entries:
            if isinstance(entry, tuple):
                yield Observation(*entry[:6])
            else:
                yield from _with_warnings(entry)

    def bulk_items(self) -> Iterator[Item]:
        """feed_items for the runner: the same rows and rejections, the plain observations
        gathered into one ObservationBlock per metric, period and dim kind (between two other
        items, so a rejection or warning keeps its place). A payload holds each key once, so
        the order of rows inside that stretch changes nothing stored."""
        pending: dict[tuple[str, str, datetime], tuple[list[str], list[float], list[str]]] = {}
        for entry in self.entries:
            if isinstance(entry, tuple):
                metric, area, start, value, kind, dim, _ = entry
                group = pending.get((metric, kind, start))
                if group is None:
                    group = pending[(metric, kind, start)] = ([], [], [])
                group[0].append(area)
                group[1].append(value)
                group[2].append(dim)
                continue
            if pending:
                yield from _blocks(pending)
                pending = {}
            yield from _with_warnings(entry)
        yield from _blocks(pending)

    def _mapped(self, row: PlainRow) -> MappedObservation:
        observation = Observation(*row[:6])
        where = row[6] if isinstance(row[6], str) else self.label(row[6])
        return MappedObservation(observation=observation, feed_id=self.feed_id, where=where)


def _with_warnings(item: MappedObservation | Rejection) -> Iterator[Item]:
    if not isinstance(item, MappedObservation):
        yield item
        return
    yield item.observation
    for warning in item.warnings:
        yield DataWarning(f"{item.where}: {warning}", excerpt(item.observation))


def _blocks(
    pending: dict[tuple[str, str, datetime], tuple[list[str], list[float], list[str]]],
) -> Iterator[ObservationBlock]:
    for (metric, kind, start), (areas, values, dims) in pending.items():
        all_totals = not any(dims)
        yield ObservationBlock(
            metric, start, tuple(areas), tuple(values), kind, None if all_totals else tuple(dims)
        )


def record_excerpt(record: Any) -> str:
    """The source record as a rejection shows it: its JSON, cut short."""
    return excerpt(json.dumps(record, ensure_ascii=False, default=str))

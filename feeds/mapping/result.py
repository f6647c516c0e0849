"""What one mapping pass produces: MappedObservation, the plain rows the fast path keeps,
and MappingResult, which hands them to the store (one by one, with their warnings, or gathered
into ObservationBlocks); also the texts both mapping paths put into a rejection."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, groupby, repeat
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
Pending = dict[tuple[str, str, datetime], tuple[list[str], list[float], list[str]]]


@dataclass(frozen=True, slots=True)
class CleanSlice:
    """Records the fast path mapped column by column, kept as columns: the records' areas,
    period kinds and starts, and one value column per (metric, dim) of `keys`; the records'
    indexes start at `first`. The same rows as PlainRows, without a tuple per row."""

    keys: tuple[tuple[str, str], ...]
    areas: list[str]
    kinds: list[str]
    starts: list[datetime]
    values: list[list[float]]
    first: int

    def rows(self) -> Iterator[PlainRow]:
        """The PlainRows, record by record (a record's observations in field order)."""
        indexes = range(self.first, self.first + len(self.areas))
        columns = [
            zip(
                repeat(m),
                self.areas,
                self.starts,
                column,
                self.kinds,
                repeat(d),
                indexes,
                strict=False,
            )
            for (m, d), column in zip(self.keys, self.values, strict=True)
        ]
        return columns[0] if len(columns) == 1 else chain.from_iterable(zip(*columns, strict=True))

    def gather(self, pending: Pending) -> None:
        """Add the rows to `pending`, a stretch of records sharing a period at a time."""
        stretches, at = [], 0
        for (kind, start), same in groupby(zip(self.kinds, self.starts, strict=True)):
            size = len(list(same))
            stretches.append((kind, start, at, at + size))
            at += size
        for (metric, dim), column in zip(self.keys, self.values, strict=True):
            for kind, start, begin, end in stretches:
                group = pending.get((metric, kind, start))
                if group is None:
                    group = pending[(metric, kind, start)] = ([], [], [])
                group[0].extend(self.areas[begin:end])
                group[1].extend(column[begin:end])
                group[2].extend(repeat(dim, end - begin))


Entry = MappedObservation | Rejection | PlainRow | CleanSlice
Key = tuple[str, str, str, datetime, str]  # metric, area, period kind, period start, dim
Place = tuple[str, str, datetime]  # area, period kind, period start


class SeenKeys:
    """The observation keys a payload has given so far, kept per (metric, dim) series as
    (area, period kind, period start): a clean slice is checked against each series once."""

    __slots__ = ("_series",)

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], set[Place]] = {}

    def __contains__(self, key: Key) -> bool:
        metric, area, kind, start, dim = key
        places = self._series.get((metric, dim))
        return places is not None and (area, kind, start) in places

    def add(self, key: Key) -> None:
        metric, area, kind, start, dim = key
        self._series.setdefault((metric, dim), set()).add((area, kind, start))

    def add_new(self, series: Sequence[tuple[str, str]], places: set[Place]) -> bool:
        """Add `places` to every series, if none of them holds one of them yet."""
        held = [self._series.setdefault(one, set()) for one in series]
        if not all(map(places.isdisjoint, held)):
            return False
        for one in held:
            one |= places
        return True


@dataclass(slots=True, kw_only=True)
class MappingResult:
    """What one mapping pass produced, in source order, and what it skipped and why."""

    feed_id: str
    entries: list[Entry] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # rule name → rows
    nulls: int = 0  # blank values ("-", "...", empty) that produced no observation
    label: Callable[[int], str] = field(default=lambda index: f"record {index + 1}")

    @property
    def items(self) -> list[MappedObservation | Rejection]:
        return [self._mapped(e) if isinstance(e, tuple) else e for e in _one_by_one(self.entries)]

    @property
    def observations(self) -> list[MappedObservation]:
        return [i for i in self.items if isinstance(i, MappedObservation)]

    @property
    def rejections(self) -> list[Rejection]:
        return [i for i in self.entries if isinstance(i, Rejection)]

    def store_items(self) -> Iterator[Item]:
        """The plain records and rejections, without the warnings."""
        for entry in _one_by_one(self.entries):
            if isinstance(entry, tuple):
                yield Observation(*entry[:6])
            else:
                yield entry.observation if isinstance(entry, MappedObservation) else entry

    def feed_items(self) -> Iterator[Item]:
        """What Feed.normalize yields: each observation followed by its data-quality warnings
        (so the run stores them beside it), and the rejections."""
        for entry in _one_by_one(self.entries):
            if isinstance(entry, tuple):
                yield Observation(*entry[:6])
            else:
                yield from _with_warnings(entry)

    def bulk_items(self) -> Iterator[Item]:
        """feed_items for the runner: the same rows and rejections, the plain observations
        gathered into one ObservationBlock per metric, period and dim kind (between two other
        items, so a rejection or warning keeps its place). A payload holds each key once, so
        the order of rows inside that stretch changes nothing stored."""
        pending: Pending = {}
        for entry in self.entries:
            if isinstance(entry, CleanSlice):
                entry.gather(pending)
                continue
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


def _one_by_one(
    entries: Iterable[Entry],
) -> Iterator[MappedObservation | Rejection | PlainRow]:
    """The entries with each CleanSlice as its PlainRows."""
    for entry in entries:
        if isinstance(entry, CleanSlice):
            yield from entry.rows()
        else:
            yield entry


def _with_warnings(item: MappedObservation | Rejection) -> Iterator[Item]:
    if not isinstance(item, MappedObservation):
        yield item
        return
    yield item.observation
    for warning in item.warnings:
        yield DataWarning(f"{item.where}: {warning}", excerpt(item.observation))


def _blocks(pending: Pending) -> Iterator[ObservationBlock]:
    for (metric, kind, start), (areas, values, dims) in pending.items():
        all_totals = not any(dims)
        yield ObservationBlock(
            metric, start, tuple(areas), tuple(values), kind, None if all_totals else tuple(dims)
        )


def record_excerpt(record: Any) -> str:
    """The source record as a rejection shows it: its JSON, cut short."""
    return excerpt(json.dumps(record, ensure_ascii=False, default=str))

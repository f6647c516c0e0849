"""The per-run fast path of the mapping engine: for a spec of the common shape (area by code
or fixed, a period field, fixed metrics of plain fields; no dimension, source time, checks or
computed fields) a plan resolved once per run maps plain records straight to PlainRows (a
clean slice to one CleanSlice of columns), the same rows the general path in
feeds/mapping/apply.py would make. Anything unusual is handed
back to the general path, which says why a record is rejected or which rule skips it."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, TypeVar

from feeds.mapping.areas import AreaIndex
from feeds.mapping.columns import ColumnRecords
from feeds.mapping.errors import ParseError
from feeds.mapping.expr import Expression
from feeds.mapping.numbers import (
    GROUP_SEPARATOR,
    PLAIN_NUMBER,
    as_count,
    is_null_text,
    parse_number,
)
from feeds.mapping.result import (
    DUPLICATE_REASON,
    CleanSlice,
    MappingResult,
    SeenKeys,
    record_excerpt,
)
from feeds.mapping.skip import column_tokens, label_kind, record_labels, skip_reason
from feeds.mapping.spec import MappingSpec, is_count
from feeds.mapping.times import Period
from store.records import Rejection

_ABSENT: Any = object()  # a field the record does not hold under its exact name
_FAILED: Any = object()  # a value the fast path cannot take
T = TypeVar("T")
SLICE = 2048  # records tried together column by column


class _Unclean(Exception):
    """A slice holds a record the column-by-column path does not take."""


Field = tuple[str, float, bool]  # field name, scale, is it a count


class FastPath:
    """A spec's fast path, resolved once per run; `plan` says whether the spec allows one."""

    def __init__(
        self,
        spec: MappingSpec,
        areas: AreaIndex,
        check_period: Callable[[str], Period | None],
        fixed_area: str | None,
        fields: tuple[Field, ...],
        keys: tuple[tuple[str, str], ...],  # (metric, dim) per field
    ) -> None:
        self.spec = spec
        self.areas = areas
        self.check_period = check_period  # the general path's check, remembered there
        self.area_field = spec.area.code
        self.fixed_area = fixed_area
        self.period_field = spec.period.field
        self.fields = fields
        self.keys = keys
        self.plain = PLAIN_NUMBER[spec.locale].fullmatch
        plain = PLAIN_NUMBER[spec.locale].pattern
        self.plain_column = re.compile(f"(?:(?:{plain})\n)*(?:{plain})").fullmatch
        self.group = GROUP_SEPARATOR[spec.locale]
        # Label fields or operator rules: the skip rules are asked for every record. Else a
        # record holding only its mapped fields (and other text no rule reads as a label) is
        # data whenever its period text is not a column number: see `_inert`.
        self.ask_rules = bool(spec.skip.label_fields or spec.skip.extra)
        mapped = [n for n in (self.area_field, self.period_field) if n is not None]
        self.mapped = frozenset([*mapped, *(f for f, *_ in fields)])
        self._ready_periods: dict[str, Period] = {}  # checked, and never a skip rule's label
        self._ready_areas: dict[Any, str] = {}  # raw code → area code, never a rule's label

    @classmethod
    def plan(
        cls,
        spec: MappingSpec,
        expressions: Mapping[str, Expression],
        areas: AreaIndex,
        check_period: Callable[[str], Period | None],
    ) -> FastPath | None:
        """What a plain record needs, resolved once per run, when the spec is of the common
        shape: area by code (or fixed), a period field, fixed metrics of plain fields, no
        dimension, source time, checks or computed fields. None: every record takes the
        general path."""
        if spec.source_time is not None or spec.dimension is not None or spec.checks:
            return None
        period_field = spec.period.field
        if spec.area.parent is not None or spec.area.name is not None or period_field is None:
            return None
        fields: list[Field] = []
        keys: list[tuple[str, str]] = []
        for obs in spec.observations:
            if obs.metric is None or obs.field in expressions:
                return None
            fields.append((obs.field, obs.scale, is_count(obs.metric)))
            keys.append((obs.metric, "" if obs.dim is None else obs.dim))
        if len(set(keys)) != len(keys):  # the spec's validation refuses this; SeenKeys needs it
            return None
        names = [spec.area.code, period_field, *(f for f, *_ in fields)]
        if any(n in expressions for n in names if n is not None):
            return None
        fixed = None
        if spec.area.fixed is not None:
            try:
                fixed = areas.by_code(spec.area.fixed).code
            except ParseError:  # every record is rejected: the general path says why
                return None
        return cls(spec, areas, check_period, fixed, tuple(fields), tuple(keys))

    def map_all(
        self,
        records: Sequence[Any],
        result: MappingResult,
        seen: SeenKeys,
        general: Callable[[int], None],
    ) -> None:
        """Map records in source order; a record the plan cannot take (not a plain object, a
        field not under its exact name, a value that does not parse, a period or area the
        general path refuses, a row a skip rule may read as a label, any problem) goes to
        `general(index)`. A plain observation is kept as a PlainRow whose `where` is the
        record's index: its label is made only when it is shown.

        Records go in slices: a slice where every record is clean (plain objects holding
        only the mapped fields, plain grouped digits, known periods and areas, no duplicate)
        is mapped column by column (`_map_clean`) and kept as one CleanSlice; any other slice
        record by record. ColumnRecords (a table's rows) hand over their columns as they are."""
        for offset in range(0, len(records), SLICE):
            part = records[offset : offset + SLICE]
            if not self._map_clean(part, offset, result, seen):
                self._map_each(part, offset, result, seen, general)

    def _map_each(
        self,
        part: Sequence[Any],
        offset: int,
        result: MappingResult,
        seen: SeenKeys,
        general: Callable[[int], None],
    ) -> None:
        """One slice record by record, its lookups bound once."""
        entries, rules, ask_rules = result.entries, self.spec.skip, self.ask_rules
        width, period_field, area_field = len(self.mapped), self.period_field, self.area_field
        periods, areas, fixed = self._ready_periods, self._ready_areas, self.fixed_area
        fields, keys, plain, group = self.fields, self.keys, self.plain, self.group
        for index, record in enumerate(part, start=offset):
            if type(record) is not dict:
                general(index)
                continue
            if ask_rules:
                rule = skip_reason(record_labels(record, rules), rules)
                if rule is not None:
                    result.skipped[rule] += 1
                    continue
            elif len(record) > width and self._has_label(record):
                general(index)
                continue
            raw = record.get(period_field, _ABSENT)
            period = periods.get(raw) if type(raw) is str else None
            if period is None and (period := self._period(raw)) is None:
                general(index)
                continue
            if fixed is None:
                raw = record.get(area_field, _ABSENT)
                area = areas.get(raw) if type(raw) is str or type(raw) is int else None
                if area is None and (area := self._area(raw)) is None:
                    general(index)
                    continue
            else:
                area = fixed
            numbers: list[float | None] = []
            for name, scale, counted in fields:
                raw = record.get(name, _ABSENT)
                if scale == 1.0 and type(raw) is str and plain(raw) is not None:
                    numbers.append(float(raw.replace(group, "") if group else raw))
                elif (value := self._number(raw, scale, counted)) is not _FAILED:
                    numbers.append(value)
                else:
                    break
            else:
                start, kind = period.start, period.kind
                for (metric, dim), value in zip(keys, numbers, strict=True):
                    if value is None:
                        result.nulls += 1
                        continue
                    key = (metric, area, kind, start, dim)
                    if key in seen:
                        reason = f"{result.label(index)}: {metric}: {DUPLICATE_REASON}"
                        entries.append(Rejection(reason, record_excerpt(record)))
                        continue
                    seen.add(key)
                    entries.append((metric, area, start, value, kind, dim, index))
                continue
            general(index)

    def _map_clean(
        self, part: Sequence[Any], offset: int, result: MappingResult, seen: SeenKeys
    ) -> bool:
        """Map a slice column by column when every record in it is clean; False, with
        nothing recorded, when one is not (a blank, a label, a new key shape, anything)."""
        if self.ask_rules or not part or _widest(part) > len(self.mapped):
            return False  # other fields than the mapped ones: a label may be there
        try:
            periods = self._column_periods(_column(part, self.period_field))
            if self.fixed_area is None:
                areas = self._column_areas(_column(part, self.area_field))
            else:
                areas = [self.fixed_area] * len(part)
            values = [self._column_values(_column(part, f[0]), f) for f in self.fields]
        except _Unclean:
            return False
        kinds, starts = periods
        places = set(zip(areas, kinds, starts, strict=True))
        if len(places) != len(part) or not seen.add_new(self.keys, places):
            return False  # a duplicate: record by record, so the reason is in its place
        result.entries.append(CleanSlice(self.keys, areas, kinds, starts, values, offset))
        return True

    def _column_periods(self, column: list[Any]) -> tuple[list[str], list[datetime]]:
        """Each record's period kind and start; _Unclean unless every text is a known period."""
        table = _distinct(column, self._ready_periods, self._period)
        kinds = {raw: p.kind for raw, p in table.items()}
        starts = {raw: p.start for raw, p in table.items()}
        return list(map(kinds.__getitem__, column)), list(map(starts.__getitem__, column))

    def _column_areas(self, column: list[Any]) -> list[str]:
        """Each record's area code; _Unclean unless every value is a known code."""
        return list(map(_distinct(column, self._ready_areas, self._area).__getitem__, column))

    def _column_values(self, column: list[Any], field: Field) -> list[float]:
        """Each record's value of one field; _Unclean unless all are plain grouped digits
        (whole numbers, so a count stays one at a whole scale; at any other scale a count
        is checked record by record instead)."""
        _, scale, counted = field
        if counted and not scale.is_integer():
            raise _Unclean
        try:
            joined = "\n".join(column)  # one regex match for the whole column
        except TypeError:  # not text: a JSON number, None
            raise _Unclean from None
        if joined.count("\n") != len(column) - 1 or self.plain_column(joined) is None:
            raise _Unclean  # a value holds a line break, or one is not plain digits
        texts = joined.replace(self.group, "").split("\n") if self.group else column
        numbers = list(map(float, texts))
        return numbers if scale == 1.0 else [v * scale for v in numbers]

    def _has_label(self, record: dict[str, Any]) -> bool:
        """Whether a field the mapping does not read holds text a skip rule may read as a
        label ("Tổng cộng" in a name column): then the general path decides."""
        mapped = self.mapped
        return any(
            type(v) is str and label_kind(v) is not None
            for k, v in record.items()
            if k not in mapped
        )

    def _period(self, raw: Any) -> Period | None:
        """A period text the general path accepts and no skip rule reads, remembered."""
        if type(raw) is not str:
            return None
        period = self.check_period(raw)
        if period is None or not self._inert(raw):
            return None
        self._ready_periods[raw] = period
        return period

    def _inert(self, text: str) -> bool:
        """A period text no skip rule reads: no label kind, and not a column number (a row
        whose every cell numbers a column is skipped; this cell is never one)."""
        return self.ask_rules or (label_kind(text) is None and column_tokens(text) is None)

    def _area(self, raw: Any) -> str | None:
        """The area of a code no skip rule reads as a label, remembered."""
        if type(raw) is not str and type(raw) is not int:
            return None
        if type(raw) is str and (
            is_null_text(raw) or (not self.ask_rules and label_kind(raw) is not None)
        ):
            return None
        try:
            area = self.areas.by_code(raw).code
        except ParseError:
            return None
        self._ready_areas[raw] = area
        return area

    def _number(self, raw: Any, scale: float, counted: bool) -> Any:
        """The value of a field that is not plain grouped digits at scale 1; _FAILED when it
        is absent or does not parse (the general path names why)."""
        if raw is _ABSENT:
            return _FAILED
        try:
            value = parse_number(raw, self.spec.locale)
            if value is not None:
                value *= scale
                if counted:
                    value = float(as_count(round(value, 6), raw))
        except ParseError:
            return _FAILED
        return value


def _widest(part: Sequence[Any]) -> int:
    """The most fields a record of the slice holds; a huge number when one is not a dict."""
    if isinstance(part, ColumnRecords):
        return len(part.names)
    if set(map(type, part)) != {dict}:
        return sys.maxsize
    return max(map(len, part))


def _column(part: Sequence[Any], name: str | None) -> list[Any]:
    """One field of every record in a slice (dicts, as `_widest` found); _Unclean when a
    record lacks it."""
    if name is None:
        raise _Unclean
    try:
        if isinstance(part, ColumnRecords):
            return part.column(name)
        return list(map(itemgetter(name), part))
    except KeyError:
        raise _Unclean from None


def _distinct(
    column: list[Any], ready: Mapping[Any, T], resolve: Callable[[Any], T | None]
) -> dict[Any, T]:
    """What each distinct value of a column resolves to (looked up once per value);
    _Unclean when one does not resolve or cannot be a key (a JSON list)."""
    table: dict[Any, T] = {}
    try:
        for raw in set(column):
            found = ready.get(raw) or resolve(raw)
            if found is None:
                raise _Unclean
            table[raw] = found
    except TypeError:
        raise _Unclean from None
    return table

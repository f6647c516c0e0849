"""The per-run fast path of the mapping engine: for a spec of the common shape (area by code
or fixed, a period field, fixed metrics of plain fields; no dimension, source time, checks or
computed fields) a plan resolved once per run maps a plain record straight to PlainRows, the
same rows the general path in feeds/mapping/apply.py would make. Anything unusual is handed
back to the general path, which says why a record is rejected."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from feeds.mapping.areas import AreaIndex
from feeds.mapping.errors import ParseError
from feeds.mapping.expr import Expression
from feeds.mapping.numbers import as_count, is_null_text, parse_number
from feeds.mapping.result import DUPLICATE_REASON, MappingResult, record_excerpt
from feeds.mapping.skip import record_labels, skip_reason
from feeds.mapping.spec import MappingSpec, is_count
from feeds.mapping.times import Period
from store.records import Rejection

_ABSENT: Any = object()  # a field the record does not hold under its exact name


class FastPath:
    """A spec's fast path, resolved once per run; `plan` says whether the spec allows one."""

    __slots__ = (
        "area_field",
        "areas",
        "dims",
        "fields",
        "fixed_area",
        "period_field",
        "periods",
        "spec",
    )

    def __init__(
        self,
        spec: MappingSpec,
        areas: AreaIndex,
        periods: Mapping[Any, Period],
        area_field: str | None,
        fixed_area: str | None,
        period_field: str,
        fields: tuple[tuple[str, float, bool, str], ...],  # field, scale, is a count, metric
        dims: tuple[str, ...],
    ) -> None:
        self.spec = spec
        self.areas = areas
        self.periods = periods  # the general path's checked periods, shared (never filled here)
        self.area_field = area_field
        self.fixed_area = fixed_area
        self.period_field = period_field
        self.fields = fields
        self.dims = dims

    @classmethod
    def plan(
        cls,
        spec: MappingSpec,
        expressions: Mapping[str, Expression],
        areas: AreaIndex,
        periods: Mapping[Any, Period],
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
        fields: list[tuple[str, float, bool, str]] = []
        for obs in spec.observations:
            if obs.metric is None or obs.field in expressions:
                return None
            fields.append((obs.field, obs.scale, is_count(obs.metric), obs.metric))
        names = [spec.area.code, period_field, *(f for f, *_ in fields)]
        if any(n in expressions for n in names if n is not None):
            return None
        dims = tuple("" if o.dim is None else o.dim for o in spec.observations)
        fixed = None
        if spec.area.fixed is not None:
            try:
                fixed = areas.by_code(spec.area.fixed).code
            except ParseError:  # every record is rejected: the general path says why
                return None
        return cls(spec, areas, periods, spec.area.code, fixed, period_field, tuple(fields), dims)

    def map(
        self,
        where: str,
        record: Any,
        result: MappingResult,
        seen: set[tuple[str, str, str, datetime, str]],
    ) -> bool:
        """Map a plain record the way the general path would, without its machinery; False
        (nothing recorded) when the record needs the general path: a field not under its
        exact name, a value that does not parse, a first sight of a period, any problem."""
        if type(record) is not dict:
            return False
        rule = skip_reason(record_labels(record, self.spec.skip), self.spec.skip)
        if rule is not None:
            result.skipped[rule] += 1
            return True
        raw_period = record.get(self.period_field, _ABSENT)
        period = self.periods.get(raw_period) if type(raw_period) is str else None
        if period is None:
            return False
        if self.fixed_area is not None:
            area = self.fixed_area
        else:
            raw_area = record.get(self.area_field, _ABSENT)
            if type(raw_area) is str:
                if is_null_text(raw_area):
                    return False
            elif type(raw_area) is not int:
                return False
            try:
                area = self.areas.by_code(raw_area).code
            except ParseError:
                return False
        values: list[float | None] = []
        locale = self.spec.locale
        try:
            for name, scale, counted, _ in self.fields:
                raw = record.get(name, _ABSENT)
                if raw is _ABSENT:
                    return False
                value = parse_number(raw, locale)
                if value is not None:
                    value *= scale
                    if counted:
                        value = float(as_count(round(value, 6), raw))
                values.append(value)
        except ParseError:
            return False
        start, kind = period.start, period.kind
        entries = result.entries
        for (_, _, _, metric), dim, value in zip(self.fields, self.dims, values, strict=True):
            if value is None:
                result.nulls += 1
                continue
            key = (metric, area, kind, start, dim)
            if key in seen:
                reason = f"{where}: {metric}: {DUPLICATE_REASON}"
                entries.append(Rejection(reason, record_excerpt(record)))
                continue
            seen.add(key)
            entries.append((metric, area, start, value, kind, dim, where))
        return True

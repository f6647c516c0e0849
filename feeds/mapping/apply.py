"""The mapping engine: source records (JSON objects, table rows, SQL rows) → observations.

Mapper is the entry point and holds the general path (every spec, every record, each problem
named in a rejection). A plain record of a common-shape spec takes the per-run fast path of
feeds/mapping/fast_path.py first; what a pass produces is a MappingResult
(feeds/mapping/result.py)."""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from feeds.base import FeedBadData, FeedContext
from feeds.mapping.areas import AreaIndex, fold
from feeds.mapping.columns import ColumnRecords
from feeds.mapping.errors import ParseError, shown
from feeds.mapping.expr import Expression, ExpressionError
from feeds.mapping.fast_path import FastPath
from feeds.mapping.numbers import as_count, is_null, parse_number
from feeds.mapping.result import (
    DUPLICATE_REASON,
    MappedObservation,
    MappingResult,
    SeenKeys,
    record_excerpt,
)
from feeds.mapping.skip import record_labels, skip_reason
from feeds.mapping.spec import (
    STORABLE_PERIOD_KINDS,
    DocumentField,
    MappingSpec,
    ObservationSpec,
    is_count,
    metric_problem,
)
from feeds.mapping.times import (
    Period,
    is_in_future,
    month_year_period,
    parse_period,
    parse_time,
    widen,
)
from geo.hierarchy import AdminUnit
from store.records import Observation, Rejection

MISSING: Any = object()
T = TypeVar("T")


class RecordError(ValueError):
    """A record (or one of its values) that cannot be mapped; the message is the reason."""


def resolve_path(document: Any, path: str) -> Any:
    """Follow a dotted path through objects and list indexes; text holding JSON is decoded
    on the way (LGSP envelopes carry their data as a JSON string). MISSING when it leads
    nowhere."""
    current = _decoded(document)
    for part in path.split(".") if path else ():
        if isinstance(current, Mapping) and part in current:
            current = _decoded(current[part])
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = _decoded(current[int(part)])
        else:
            return MISSING
    return current


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _memo(cache: dict[Any, T], key: Any, compute: Callable[[], T]) -> T:
    """compute(), remembered under `key` when it is hashable and the call succeeds."""
    try:
        return cache[key]
    except KeyError:
        value = cache[key] = compute()
        return value
    except TypeError:  # an unhashable raw value (a list in JSON): not remembered
        return compute()


def _record_label(index: int) -> str:
    return f"record {index + 1}"


def _header_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


class Mapper:
    """Applies one MappingSpec; build once per run (it indexes the areas)."""

    def __init__(self, spec: MappingSpec, context: FeedContext, feed_id: str) -> None:
        self.spec = spec
        self.context = context
        self.feed_id = feed_id
        self.areas = AreaIndex.from_context(context.areas)
        self._expressions: dict[str, Expression] = spec.expressions()
        # Reports repeat their period and update time on every row: parse each text once.
        self._periods: dict[Any, Period] = {}
        self._zone = spec.zone
        self._times: dict[Any, datetime] = {}
        self._counts: dict[str, bool] = {}  # metric → is it a count (checked once per run)
        self._fast = FastPath.plan(spec, self._expressions, self.areas, self._accepted_period)

    # --- entry points ----------------------------------------------------------------------

    def map_document(self, document: Any) -> MappingResult:
        """A JSON document: records at `spec.records`, document fields by path."""
        records = resolve_path(document, self.spec.records)
        if not isinstance(records, list):
            at = f"'{self.spec.records}'" if self.spec.records else "the top level"
            got = "nothing" if records is MISSING else type(records).__name__
            raise FeedBadData(f"expected a list of records at {at}, got {got}")
        return self.map_rows(records, document=document)

    def map_rows(
        self,
        rows: Iterable[Any],
        *,
        document: Any = None,
        grid: Sequence[Sequence[Any]] | None = None,
        label: Callable[[int], str] | None = None,
    ) -> MappingResult:
        """Records (mappings of field → value, or (label, mapping) pairs to name them in
        reasons); document fields come from `document` (JSON) or `grid` (a sheet's cells).
        `label(index)` names the record at that index in reasons ("record 3" by default);
        it is called only for a record a reason or a shown observation names."""
        shared = self._document_values(document, grid)
        records = rows if isinstance(rows, list | ColumnRecords) else list(rows)
        result = MappingResult(feed_id=self.feed_id, label=label or _record_label)
        seen = SeenKeys()

        def general(index: int) -> None:
            row = records[index]
            where, record = row if isinstance(row, tuple) else (result.label(index), row)
            where = where if type(where) is str else str(where)
            self._map_one(where, record, shared, result, seen)

        if self._fast is not None:
            self._fast.map_all(records, result, seen, general)
        else:
            for index in range(len(records)):
                general(index)
        return result

    # --- document-level fields -------------------------------------------------------------

    def _document_values(
        self, document: Any, grid: Sequence[Sequence[Any]] | None
    ) -> dict[str, Any]:
        values: dict[str, Any] = dict(self.spec.constants)
        for name, where in self.spec.document.items():
            value = _document_value(where, document, grid)
            if value is MISSING or is_null(value):
                raise FeedBadData(f"document field {name!r} ({_described(where)}) not found")
            values[name] = value
        return values

    # --- one record ------------------------------------------------------------------------

    def _map_one(
        self,
        where: str,
        record: Any,
        shared: dict[str, Any],
        result: MappingResult,
        seen: SeenKeys,
    ) -> None:
        if type(record) is not dict and not isinstance(record, Mapping):
            result.entries.append(
                Rejection(f"{where}: record is not an object", record_excerpt(record))
            )
            return
        rule = skip_reason(record_labels(record, self.spec.skip), self.spec.skip)
        if rule is not None:
            result.skipped[rule] += 1
            return
        fields = _Fields(record, shared, self._expressions, self.spec)
        try:
            base = self._base(fields)
        except (RecordError, ParseError, ExpressionError) as exc:
            result.entries.append(Rejection(f"{where}: {exc}", record_excerpt(record)))
            return
        for spec in self.spec.observations:
            item = self._observation(spec, fields, base, where, result)
            if item is None:
                continue
            if isinstance(item, MappedObservation):
                o = item.observation
                key = (o.metric, o.area, o.period_kind, o.period_start, o.dim)
                if key in seen:
                    item = Rejection(
                        f"{where}: {o.metric}: {DUPLICATE_REASON}", record_excerpt(record)
                    )
                seen.add(key)
            if isinstance(item, Rejection):
                item = Rejection(item.reason, record_excerpt(record))
            elif item.source_time is None and not item.warnings:  # a plain one, kept as such
                o = item.observation
                plain = (o.metric, o.area, o.period_start, o.value, o.period_kind, o.dim, where)
                result.entries.append(plain)
                continue
            result.entries.append(item)

    def _base(self, fields: _Fields) -> _Base:
        period = self._period(fields)
        warnings: list[str] = []
        source_time = self._source_time(fields, warnings)
        self._check(fields, warnings)
        return _Base(
            area=self._area(fields).code,
            period=period,
            dim=self._dim(fields),
            source_time=source_time,
            warnings=tuple(warnings),
        )

    def _area(self, fields: _Fields) -> AdminUnit:
        spec = self.spec.area
        if spec.fixed is not None:
            return self.areas.by_code(spec.fixed)
        parent = None
        if spec.parent is not None:
            parent = self.areas.lookup(fields.required(spec.parent, "area parent"))
        if spec.code is not None:
            raw = fields.required(spec.code, "area code")
            unit = self.areas.by_code(raw)
            if parent is not None and unit.parent_code != parent.code:
                raise RecordError(f"area code {shown(raw)} is not in {parent.name_vi}")
            return unit
        assert spec.name is not None
        raw = fields.required(spec.name, "area name")
        level = spec.level
        if self.spec.skip.province_is_data and fold(str(raw)) in ("toan tinh", "ca tinh"):
            level = "province"
        return self.areas.lookup(raw, parent=parent, level=level)

    def _period(self, fields: _Fields) -> Period:
        """The record's period, checked; reports repeat it on every row, so each distinct
        text is parsed and checked once per run (errors are not remembered)."""
        spec = self.spec.period
        if spec.field is not None:
            raw: Any = fields.required(spec.field, "period")
            known = self._periods.get(raw) if type(raw) is str else None
            if known is not None:  # the common case: a text seen on an earlier row
                return known
        else:
            assert spec.month is not None and spec.year is not None
            raw = (fields.required(spec.month, "month"), fields.required(spec.year, "year"))
        return _memo(self._periods, raw, lambda: self._checked_period(raw))

    def _accepted_period(self, raw: str) -> Period | None:
        """A period field's text as `_period` reads it, or None when it refuses it."""
        known = self._periods.get(raw)
        if known is not None:
            return known
        try:
            return _memo(self._periods, raw, lambda: self._checked_period(raw))
        except (RecordError, ParseError):
            return None

    def _checked_period(self, raw: Any) -> Period:
        spec, zone = self.spec.period, self._zone
        if spec.field is not None:
            period = parse_period(raw, spec.format, zone)
        else:
            period = month_year_period(raw[0], raw[1], zone)
        if spec.kind is not None and period.kind != spec.kind:
            period = widen(period, spec.kind, zone)
        if period.kind not in STORABLE_PERIOD_KINDS:
            raise RecordError(f"a {period.kind} period cannot be stored yet")
        if is_in_future(period.start, self.context.now(), self.spec.future_tolerance):
            raise RecordError(f"period starts in the future ({period.start.isoformat()})")
        return period

    def _source_time(self, fields: _Fields, warnings: list[str]) -> datetime | None:
        spec = self.spec.source_time
        if spec is None:
            return None
        raw = fields.get(spec.field)
        if raw is MISSING or is_null(raw):
            return None
        moment = _memo(self._times, raw, lambda: parse_time(raw, spec.format, self._zone))
        if is_in_future(moment, self.context.now(), self.spec.future_tolerance):
            warnings.append(
                f"source time {moment.isoformat()} is in the future (source clock fault?)"
            )
        return moment

    def _dim(self, fields: _Fields) -> str:
        spec = self.spec.dimension
        if spec is None:
            return ""
        raw = fields.required(spec.field, "dimension")
        key = _dim_key(raw)
        if key in spec.map:
            return spec.map[key]
        if spec.unmapped == "keep":
            return key
        raise RecordError(f"{spec.field} {shown(key)} is not in the dimension map")

    def _check(self, fields: _Fields, warnings: list[str]) -> None:
        for check in self.spec.checks:
            total = fields.number(check.total)
            maybe_parts = [fields.number(p) for p in check.parts]
            parts = [p for p in maybe_parts if p is not None]
            if total is None or len(parts) < len(maybe_parts):
                continue  # a blank cannot be checked, and is never taken as 0
            added = math.fsum(parts)
            if abs(total - added) <= check.tolerance:
                continue
            terms = " + ".join(f"{n} {_num(v)}" for n, v in zip(check.parts, parts, strict=True))
            message = (
                f"check failed: {check.total} {_num(total)} ≠ {terms} = {_num(added)}"
                f" (tolerance {_num(check.tolerance)})"
            )
            if check.action == "reject":
                raise RecordError(message)
            warnings.append(message)

    def _observation(
        self,
        spec: ObservationSpec,
        fields: _Fields,
        base: _Base,
        where: str,
        result: MappingResult,
    ) -> MappedObservation | Rejection | None:
        try:
            metric = spec.metric if spec.metric is not None else _metric_of(spec, fields)
        except RecordError as exc:
            return Rejection(f"{where}: {exc}")
        if metric is None:
            result.skipped["unmapped_metric"] += 1
            return None
        try:
            value = fields.number(spec.field, required=True)
            if value is None:
                result.nulls += 1
                return None
            value *= spec.scale
            counted = self._counts.get(metric)
            if counted is None:
                counted = self._counts[metric] = is_count(metric)
            if counted:
                value = float(as_count(round(value, 6), fields.get(spec.field)))
        except (RecordError, ParseError, ExpressionError) as exc:
            return Rejection(f"{where}: {metric} (field {spec.field!r}): {exc}")
        observation = Observation(
            metric=metric,
            area=base.area,
            period_start=base.period.start,
            value=value,
            period_kind=base.period.kind,
            dim=base.dim if spec.dim is None else spec.dim,
            source_time=base.source_time,
        )
        return MappedObservation(
            observation=observation,
            feed_id=self.feed_id,
            source_time=base.source_time,
            warnings=base.warnings,
            where=where,
        )


def _metric_of(spec: ObservationSpec, fields: _Fields) -> str | None:
    """The metric key: fixed, or the record's indicator code through metric_map (None: skip)."""
    if spec.metric is not None:
        return spec.metric
    assert spec.metric_field is not None
    code = _dim_key(fields.required(spec.metric_field, "metric"))
    if not spec.metric_map:  # the record names the catalog key itself
        problem = metric_problem(code)
        if problem:
            raise RecordError(problem)
        return code
    metric = spec.metric_map.get(code)
    if metric is None and spec.unmapped_metric == "reject":
        raise RecordError(f"{spec.metric_field} {shown(code)} is not in the metric map")
    return metric


class _Base(NamedTuple):  # a tuple: built once per record, cheaper than a frozen dataclass
    area: str
    period: Period
    dim: str
    source_time: datetime | None
    warnings: tuple[str, ...]


class _Fields:
    """One record's field lookup: computed, the record (exact or dotted name), document
    fields and constants, then the record's headers compared loosely (spacing, case, form)."""

    __slots__ = ("_computing", "_headers", "expressions", "record", "shared", "spec")

    def __init__(
        self,
        record: Mapping[str, Any],
        shared: Mapping[str, Any],
        expressions: Mapping[str, Expression],
        spec: MappingSpec,
    ) -> None:
        self.record = record
        self.shared = shared
        self.expressions = expressions
        self.spec = spec
        self._headers: dict[str, str] | None = None
        self._computing: set[str] = set()

    def get(self, name: str) -> Any:
        if name in self.expressions:
            return self._computed(name)
        if name in self.record:
            return self.record[name]
        value = resolve_path(self.record, name) if "." in name else MISSING
        if value is MISSING:
            value = self.shared.get(name, MISSING)
        if value is MISSING:  # last: a header written with other spacing, case or form
            value = self._by_header(name)
        return value

    def required(self, name: str, what: str) -> Any:
        value = self.get(name)
        if value is MISSING:
            raise RecordError(f"{what}: field {name!r} is missing")
        if is_null(value):
            raise RecordError(f"{what}: field {name!r} is empty")
        return value

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self.get(name)
        if value is MISSING:
            if required:
                raise RecordError(f"field {name!r} is missing")
            return None
        if isinstance(value, float) and name in self.expressions:
            return value
        try:
            return parse_number(value, self.spec.locale)
        except ParseError as exc:
            raise RecordError(f"field {name!r}: {exc}") from None

    def _computed(self, name: str) -> float | None:
        if name in self._computing:  # the spec forbids cycles; this guards a bad caller
            raise RecordError(f"computed field {name!r} depends on itself")
        self._computing.add(name)
        try:
            return self.expressions[name].evaluate(self.number)
        finally:
            self._computing.discard(name)

    def _by_header(self, name: str) -> Any:
        if self._headers is None:
            self._headers = {_header_key(str(k)): k for k in self.record}
        key = self._headers.get(_header_key(name))
        return MISSING if key is None else self.record[key]


def _document_value(
    where: DocumentField, document: Any, grid: Sequence[Sequence[Any]] | None
) -> Any:
    if where.path is not None:
        return MISSING if document is None else resolve_path(document, where.path)
    if grid is None:
        return MISSING
    if where.cell is not None:
        row, column = where.cell_position()
        cells = grid[row] if row < len(grid) else ()
        return cells[column] if column < len(cells) else MISSING
    assert where.row_starting is not None
    return _labelled_value(grid, where.row_starting)


def _labelled_value(grid: Sequence[Sequence[Any]], label: str) -> Any:
    """The value beside a label: "Kỳ báo cáo: Tháng 10/2026" or ["Kỳ báo cáo", "10/2026"]."""
    wanted = fold(label)
    for cells in grid:
        filled = [c for c in cells if not is_null(c)]
        if not filled or not isinstance(filled[0], str) or not fold(filled[0]).startswith(wanted):
            continue
        first = unicodedata.normalize("NFC", filled[0]).strip()
        rest = first[len(label) :].lstrip(" :：-–").strip() if len(first) > len(label) else ""
        if rest and fold(first[: len(label)]) == wanted:
            return rest
        return filled[1] if len(filled) > 1 else MISSING
    return MISSING


def _described(where: DocumentField) -> str:
    if where.path is not None:
        return f"path '{where.path}'"
    if where.cell is not None:
        return f"cell {where.cell}"
    return f"row starting '{where.row_starting}'"


def _dim_key(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unicodedata.normalize("NFC", str(raw)).strip()


def _num(value: float) -> str:
    return f"{value:g}"

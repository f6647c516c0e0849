"""The declarative mapping of a feed's options: where records are and how each becomes data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from feeds.mapping.expr import Expression, ExpressionError
from feeds.mapping.numbers import Locale
from feeds.mapping.skip import SkipRules
from feeds.mapping.times import FORMAT_KIND, TimeFormat
from store.catalog import METRICS_BY_KEY, Aggregation

STORABLE_PERIOD_KINDS = ("day", "month", "year")  # store.records.PERIOD_KINDS
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,5})")
FieldName = str


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def metric_problem(key: object) -> str | None:
    """Why `key` cannot be ingested as a stored metric, or None when it can."""
    metric = METRICS_BY_KEY.get(key) if isinstance(key, str) else None
    if metric is None:
        return f"unknown metric {key!r} (not in the metric catalog)"
    if metric.aggregation is Aggregation.RATIO:
        return f"metric {key!r} is a ratio computed from its components; map the components"
    return None


def _fail(errors: list[tuple[tuple[str | int, ...], str]], title: str) -> None:
    """Raise the problems as one ValidationError whose locations name the option paths."""
    if errors:
        details: list[InitErrorDetails] = [
            {"type": PydanticCustomError("mapping", message), "loc": loc, "input": None}
            for loc, message in errors
        ]
        raise ValidationError.from_exception_data(title, details)


class DocumentField(_Spec):
    """A value given once for the whole document: a JSON path, a cell ("B3"), or the row
    whose first cell starts with a label ("Kỳ báo cáo:"; the value follows in that cell or
    the next filled one)."""

    path: str | None = Field(None, min_length=1)
    cell: str | None = None
    row_starting: str | None = Field(None, min_length=1)

    @field_validator("cell")
    @classmethod
    def _cell_ref(cls, cell: str | None) -> str | None:
        if cell is not None and not _CELL_REF.fullmatch(cell.strip()):
            raise ValueError(f"{cell!r} is not a cell reference like 'B3'")
        return None if cell is None else cell.strip().upper()

    @model_validator(mode="after")
    def _one_place(self) -> Self:
        if sum(v is not None for v in (self.path, self.cell, self.row_starting)) != 1:
            raise ValueError("set exactly one of path, cell or row_starting")
        return self

    def cell_position(self) -> tuple[int, int]:
        """(row, column), 0-based, of `cell`."""
        match = _CELL_REF.fullmatch(self.cell or "")
        assert match is not None
        column = 0
        for letter in match[1].upper():
            column = column * 26 + ord(letter) - 64
        return int(match[2]) - 1, column - 1


class AreaSpec(_Spec):
    """Where the area is: a code field, a name field, or one fixed code for the whole feed."""

    code: FieldName | None = None
    name: FieldName | None = None
    fixed: str | None = None
    parent: FieldName | None = None  # a field holding the parent's code or name
    level: Literal["province", "district", "commune"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if sum(v is not None for v in (self.code, self.name, self.fixed)) != 1:
            raise ValueError("set exactly one of code, name or fixed")
        return self


class PeriodSpec(_Spec):
    """The period: one field in a declared format, or a month field and a year field."""

    field: FieldName | None = None
    format: TimeFormat = "dd/mm/yyyy"
    month: FieldName | None = None
    year: FieldName | None = None
    # the period a date stands for, when the source dates a month by its first day
    kind: Literal["day", "month", "year"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.field is None) == (self.month is None or self.year is None):
            raise ValueError("set either field (with format) or both month and year")
        if self.field is not None and FORMAT_KIND.get(self.format) == "quarter":
            kinds = ", ".join(STORABLE_PERIOD_KINDS)
            _fail([(("format",), f"quarter periods cannot be stored yet (kinds: {kinds})")], "")
        return self


class SourceTimeSpec(_Spec):
    """The source's own update time of a record; kept with each observation."""

    field: FieldName
    format: TimeFormat = "iso8601"


class DimensionSpec(_Spec):
    """The dimension member (agency, portal, channel…) from a field, through a table."""

    field: FieldName
    map: dict[str, str] = Field(default_factory=dict)
    unmapped: Literal["reject", "keep"] = "reject"

    @model_validator(mode="after")
    def _something_maps(self) -> Self:
        if not self.map and self.unmapped == "reject":
            raise ValueError(
                "map is empty, so every record would be rejected; add entries or set unmapped: keep"
            )
        return self


class ObservationSpec(_Spec):
    """One observation taken from each record: a catalog metric read from a field.

    The metric is fixed (`metric`), or named by the record itself (`metric_field`), as in
    reporting databases that keep one row per indicator: through `metric_map` (source code →
    catalog key), or, without a map, the field holds the catalog key itself (checked per
    record: an unknown key is a rejection).
    """

    metric: str | None = None
    metric_field: FieldName | None = None
    metric_map: dict[str, str] = Field(default_factory=dict)
    unmapped_metric: Literal["reject", "skip"] = "reject"
    field: FieldName = Field(min_length=1)
    dim: str | None = None  # a fixed member ("" = the total); None: from `dimension`
    scale: float = Field(1.0, gt=0)  # e.g. 1000000 when the column is in millions

    @field_validator("metric")
    @classmethod
    def _catalogued(cls, key: str | None) -> str | None:
        problem = None if key is None else metric_problem(key)
        if problem:
            raise ValueError(problem)
        return key

    @field_validator("metric_map")
    @classmethod
    def _catalogued_map(cls, table: dict[str, str]) -> dict[str, str]:
        errors: list[tuple[tuple[str | int, ...], str]] = [
            ((code,), problem) for code, key in table.items() if (problem := metric_problem(key))
        ]
        _fail(errors, "metric_map")
        return table

    @model_validator(mode="after")
    def _one_metric_source(self) -> Self:
        if (self.metric is None) == (self.metric_field is None):
            raise ValueError("set exactly one of metric or metric_field (with metric_map)")
        if self.metric is not None and self.metric_map:
            _fail([(("metric_map",), "metric_map goes with metric_field, not metric")], "")
        return self

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric this observation can produce."""
        return (self.metric,) if self.metric else tuple(dict.fromkeys(self.metric_map.values()))


def is_count(metric: str) -> bool:
    """Counts (SUM metrics shown without decimals) must be non-negative whole numbers; sums
    of measures (rainfall in mm, budget in billions) may have fractions."""
    found = METRICS_BY_KEY[metric]
    return found.aggregation is Aggregation.SUM and found.decimals == 0


class CheckSpec(_Spec):
    """A total that must equal the sum of its parts (within `tolerance`)."""

    total: FieldName
    parts: tuple[FieldName, ...] = Field(min_length=1)
    tolerance: float = Field(0.0, ge=0)
    action: Literal["warn", "reject"] = "warn"


class MappingSpec(_Spec):
    """A feed's mapping: records → observations. See feeds/mapping/README.md for the shape."""

    records: str = ""  # JSON documents: dotted path of the record list ("" = top level)
    locale: Locale = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    future_tolerance_s: int = Field(300, ge=0, le=86400)
    document: dict[str, DocumentField] = Field(default_factory=dict)
    constants: dict[str, str | int | float] = Field(default_factory=dict)
    computed: dict[str, str] = Field(default_factory=dict)
    skip: SkipRules = Field(default_factory=SkipRules)
    area: AreaSpec
    period: PeriodSpec
    source_time: SourceTimeSpec | None = None
    dimension: DimensionSpec | None = None
    observations: tuple[ObservationSpec, ...]
    checks: tuple[CheckSpec, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}") from None
        return name

    @field_validator("observations")
    @classmethod
    def _at_least_one(
        cls, observations: tuple[ObservationSpec, ...]
    ) -> tuple[ObservationSpec, ...]:
        if not observations:  # checked here, not by min_length, so bad items are not reported twice
            raise ValueError("map at least one observation")
        return observations

    @field_validator("computed")
    @classmethod
    def _expressions(cls, computed: dict[str, str]) -> dict[str, str]:
        errors: list[tuple[tuple[str | int, ...], str]] = []
        for name, text in computed.items():
            try:
                Expression.parse(text)
            except ExpressionError as exc:
                errors.append(((name,), str(exc)))
        _fail(errors, "computed")
        errors = [
            ((name,), f"computed field {name!r} depends on itself") for name in _cyclic(computed)
        ]
        _fail(errors, "computed")
        return computed

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _fail(list(self._problems()), "mapping")
        return self

    def _problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        names = [*self.document, *self.constants, *self.computed]
        for name in {n for n in names if names.count(n) > 1}:
            yield (
                ("constants" if name in self.constants else "computed", name),
                (f"{name!r} is declared more than once in document/constants/computed"),
            )
        seen: dict[tuple[str, str | None], int] = {}
        for index, obs in enumerate(self.observations):
            here: tuple[str | int, ...] = ("observations", index)
            split = obs.dim is None and self.dimension is not None
            for metric in obs.metrics:
                if split and METRICS_BY_KEY[metric].dimension is None:
                    yield (
                        (*here, "dim"),
                        (f'metric {metric!r} is not split by a dimension; set dim: ""'),
                    )
            if obs.metric is None:
                continue
            key = (obs.metric, obs.dim)
            if key in seen:
                yield (
                    (*here, "metric"),
                    (f"metric {obs.metric!r} is already mapped at observations[{seen[key]}]"),
                )
            seen.setdefault(key, index)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def future_tolerance(self) -> timedelta:
        return timedelta(seconds=self.future_tolerance_s)

    def expressions(self) -> dict[str, Expression]:
        return {name: Expression.parse(text) for name, text in self.computed.items()}


def _cyclic(computed: dict[str, str]) -> list[str]:
    """Computed fields that depend on themselves, directly or through others."""
    reads = {
        name: Expression.parse(text).names & computed.keys() for name, text in computed.items()
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for name in reads[start]:
            if name == target or (name not in seen and reaches(name, target, seen | {name})):
                return True
        return False

    return [name for name in computed if reaches(name, name, set())]

"""A table's filter and sort, as AG Grid describes them, applied on the server to rows the
server read: only the table's own columns and AG Grid's own operators are accepted."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from dashboards.guard import Refused
from i18n.collation import natural_key
from store.scope import LOCAL_TZ
from ui.table import GridColumn

Rows = list[dict[str, Any]]
MAX_CONDITIONS = 8
NUMBER_KINDS = ("number", "percent")
TEXT_OPS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda v, f: f in v,
    "notContains": lambda v, f: f not in v,
    "equals": lambda v, f: v == f,
    "notEqual": lambda v, f: v != f,
    "startsWith": lambda v, f: v.startswith(f),
    "endsWith": lambda v, f: v.endswith(f),
}
ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda v, f: v == f,
    "notEqual": lambda v, f: v != f,
    "lessThan": lambda v, f: v < f,
    "lessThanOrEqual": lambda v, f: v <= f,
    "greaterThan": lambda v, f: v > f,
    "greaterThanOrEqual": lambda v, f: v >= f,
}
EMPTY_OPS = ("blank", "notBlank")


def apply_model(columns: Sequence[GridColumn], rows: Rows, filters: Any, column_state: Any) -> Rows:
    """The rows the grid shows for this filter model and column state, in its order."""
    by_field = {c.field: c for c in columns}
    kept = rows
    for field, model in _mapping(filters, "filter model").items():
        column = _column(by_field, field)
        test = _condition(column, model)
        kept = [row for row in kept if test(row.get(field))]
    return _sorted(kept, by_field, column_state)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Refused(f"{what} must be an object", value)
    return value


def _column(by_field: Mapping[str, GridColumn], field: Any) -> GridColumn:
    column = by_field.get(field) if isinstance(field, str) else None
    if column is None:
        raise Refused("unknown column", field)
    return column


def _condition(column: GridColumn, model: Any) -> Callable[[Any], bool]:
    model = _mapping(model, "filter")
    if "conditions" in model:
        parts = model["conditions"]
        if not isinstance(parts, list) or not 1 <= len(parts) <= MAX_CONDITIONS:
            raise Refused("filter conditions must be a short list", parts)
        tests = [_condition(column, part) for part in parts]
        if model.get("operator") == "OR":
            return lambda value: any(test(value) for test in tests)
        if model.get("operator", "AND") != "AND":
            raise Refused("unknown filter operator", model.get("operator"))
        return lambda value: all(test(value) for test in tests)
    kind = model.get("filterType")
    op = model.get("type")
    if op in EMPTY_OPS:
        return lambda value: (value is None or value == "") == (op == "blank")
    if kind == "text" and op in TEXT_OPS:
        wanted = _text(model.get("filter"))
        return lambda value: TEXT_OPS[op](_text(value), wanted)
    if kind == "number" and column.kind in NUMBER_KINDS:
        return _ordered(op, _number(model.get("filter")), _number(model.get("filterTo")), _number)
    if kind == "date" and column.kind == "datetime":
        low, high = _day(model.get("dateFrom")), _day(model.get("dateTo"))
        return _ordered(op, low, high, _day)
    raise Refused(f"filter {kind!r}/{op!r} does not apply to column {column.field}")


def _ordered(op: Any, low: Any, high: Any, read: Callable[[Any], Any]) -> Callable[[Any], bool]:
    if op == "inRange":  # AG Grid's default: both ends excluded
        if low is None or high is None:
            raise Refused("a range needs both ends")
        return lambda value: (v := read(value)) is not None and low < v < high
    if op not in ORDER_OPS or low is None:
        raise Refused("unknown filter", op)
    return lambda value: (v := read(value)) is not None and ORDER_OPS[op](v, low)


def _text(value: Any) -> str:
    return "" if value is None else str(value).lower()


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Refused("not a number", value)
    try:
        return float(value)
    except ValueError:
        raise Refused("not a number", value) from None


def _day(value: Any) -> date | None:
    """The local calendar day of a stored time or of a filter's "YYYY-MM-DD hh:mm:ss"."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value)[:32])
    except ValueError:
        raise Refused("not a date", value) from None
    return moment.astimezone(LOCAL_TZ).date() if moment.tzinfo else moment.date()


def _sorted(rows: Rows, by_field: Mapping[str, GridColumn], column_state: Any) -> Rows:
    """Stable multi-column sort by the grid's sort indexes; empty values first, as the grid."""
    keys = _sort_keys(by_field, column_state)
    for field, descending in reversed(keys):
        column = by_field[field]
        rows = sorted(rows, key=lambda r: _sort_value(column, r.get(field)), reverse=descending)
    return rows


def _sort_keys(by_field: Mapping[str, GridColumn], column_state: Any) -> list[tuple[str, bool]]:
    if column_state is None:  # the grid never reported: the columns' own default sort
        return [("time", True)] if "time" in by_field else []
    if not isinstance(column_state, list):
        raise Refused("column state must be a list", column_state)
    found = []
    for index, state in enumerate(column_state):
        if not isinstance(state, Mapping) or state.get("sort") in (None, ""):
            continue
        if state["sort"] not in ("asc", "desc"):
            raise Refused("unknown sort", state["sort"])
        column = _column(by_field, state.get("colId"))
        order = state.get("sortIndex")
        found.append((order if isinstance(order, int) else index, column.field, state["sort"]))
    return [(field, sort == "desc") for _order, field, sort in sorted(found)]


def _sort_value(column: GridColumn, value: Any) -> tuple[int, Any]:
    if value is None or value == "":
        return (0, ())
    if column.kind in NUMBER_KINDS:
        number = _number(value) if not isinstance(value, list) else None
        return (1, (number,)) if number is not None else (0, ())
    return (1, natural_key(str(value)))

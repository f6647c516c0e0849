"""Records kept as rows of cells under column names (a sheet's or a query's data rows): each
record's dict is made only when one is asked for, and the fast path reads a field of many
records at once, as a column, without making any."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, overload


class ColumnRecords(Sequence[dict[str, Any]]):
    """`rows` of exactly one cell per name, in the names' order, read as records: record i is
    `dict(zip(names, rows[i]))`. A slice is another ColumnRecords over the same rows."""

    __slots__ = ("_position", "_rows", "names")

    def __init__(self, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.names = tuple(names)
        self._rows = rows
        self._position = {name: i for i, name in enumerate(self.names)}
        if len(self._position) != len(self.names):
            raise ValueError(f"column names repeat: {self.names}")

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> ColumnRecords: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | ColumnRecords:
        if isinstance(index, slice):
            part = ColumnRecords.__new__(ColumnRecords)
            part.names, part._rows, part._position = self.names, self._rows[index], self._position
            return part
        return dict(zip(self.names, self._rows[index], strict=True))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(dict, map(zip, repeat(self.names), self._rows))

    def __eq__(self, other: object) -> bool:
        """Equal to the same records in a list (or tuple, or other ColumnRecords)."""
        if isinstance(other, list | tuple | ColumnRecords):
            return len(self) == len(other) and all(map(operator.eq, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list: unhashable, as a list

    def __repr__(self) -> str:
        return f"ColumnRecords({list(self.names)!r}, {len(self):,} rows)"

    def column(self, name: str) -> list[Any]:
        """Every record's value of one field; KeyError when there is no such column."""
        return list(map(itemgetter(self._position[name]), self._rows))

"""Find a report's header block, name each column from its header rows, give the data rows."""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from itertools import compress
from typing import NamedTuple

from openpyxl.utils.cell import get_column_letter

from feeds.base import FeedBadData
from feeds.mapping.columns import ColumnRecords
from feeds.tabular.grid import Cell, Grid, Merge

HEADER_SEPARATOR = " / "
MAX_HEADER_ROWS = 4
SEARCH_ROWS = 50  # the header block starts within the first rows of a report
# Cells that read as data, not as a header: numbers, "1.234,5", "12%", "-", "...", "(1)".
_NUMERIC_TEXT = re.compile(r"^\(?[-+]?[\d.,\s]*\d[\d.,\s]*%?\)?$|^-$|^\.\.\.$|^…$")


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentCell:
    """A non-empty cell above the header block (the province, the title, the report period)."""

    row: int
    column: int
    value: Cell


class DataRow(NamedTuple):
    """One row below the headers: its source row number (1-based, as Excel shows) and cells
    (a named tuple: a 100,000-row report makes as many, and a tuple is made in C)."""

    row: int
    cells: dict[str, Cell]


@dataclass(frozen=True, kw_only=True)
class Table:
    """A sheet read as a table: column names, document-level cells, the data rows (their
    cells by column name in `records`, their source row numbers in `row_numbers`), notes."""

    source: str
    header_rows: tuple[int, ...]
    columns: list[str]
    document: list[DocumentCell]
    records: Sequence[dict[str, Cell]]
    row_numbers: list[int]
    notes: tuple[str, ...] = ()

    @cached_property
    def rows(self) -> list[DataRow]:
        """The data rows with their source row numbers."""
        return list(map(DataRow._make, zip(self.row_numbers, self.records, strict=True)))

    def document_text(self) -> list[str]:
        """The text cells above the headers, in reading order (e.g. "Kỳ báo cáo: Tháng 10/2026")."""
        return [str(cell.value) for cell in self.document if isinstance(cell.value, str)]


def build_table(grid: Grid, header_rows: Sequence[int] | None = None) -> Table:
    """Turn a grid into a Table; `header_rows` (1-based) declares the block, else it is found.

    Found: the first mostly-text row of at least two cells that, with the rows below it that
    stay mostly text and fill gaps the rows above left (up to MAX_HEADER_ROWS), names at
    least half of the sheet's width; title rows ("UBND TỈNH..." beside "CỘNG HÒA XÃ HỘI
    CHỦ NGHĨA VIỆT NAM") name too few columns and stay document cells. Merged
    ranges give their top-left value to every cell they cover; a CSV has no merges, so a
    blank in an upper header row over a sub-header takes the group name from its left.
    """
    filled = _filled_counts(grid.rows)
    block = (
        tuple(header_rows) if header_rows else _find_header_block(grid.rows, max(filled, default=0))
    )
    if not block:
        raise FeedBadData(f"{grid.source}: no header row found")
    if max(block) > len(grid.rows) or min(block) < 1:
        raise FeedBadData(
            f"{grid.source}: header rows {list(block)} beyond the sheet's {len(grid.rows)} rows"
        )
    first_data = max(block) + 1
    columns = _name_unlabelled(_column_names(grid, block), grid.rows[first_data - 1 :])
    document = [
        DocumentCell(row=number, column=col, value=value)
        for number, row in enumerate(grid.rows[: min(block) - 1], start=1)
        for col, value in enumerate(row, start=1)
        if value is not None
    ]
    data = grid.rows[first_data - 1 :]
    numbers: Sequence[int] = range(first_data, first_data + len(data))
    kept = filled[first_data - 1 :]  # an empty row is left out
    if not all(kept):
        data, numbers = list(compress(data, kept)), list(compress(numbers, kept))
    return Table(
        source=grid.source,
        header_rows=block,
        columns=[c for c in columns if c],
        document=document,
        records=_records(columns, data),
        row_numbers=list(numbers),
        notes=grid.notes,
    )


def _filled_counts(rows: list[list[Cell]]) -> list[int]:
    """How many cells of each row hold a value. A row of truthy cells only (the usual data
    row) is counted by its length, in C; the others cell by cell (a 0 is a value)."""
    counts = list(map(len, rows))
    for i in compress(range(len(rows)), map(operator.not_, map(all, rows))):
        counts[i] -= rows[i].count(None)
    return counts


def _name_unlabelled(columns: list[str], data: list[list[Cell]]) -> list[str]:
    """A column with data but no header is named by its letter ("[A]"), never dropped."""
    width = max(len(columns), max(map(len, data), default=0))
    named = columns + [""] * (width - len(columns))
    for col in range(width):
        if not named[col] and any(col < len(row) and row[col] is not None for row in data):
            named[col] = f"[{get_column_letter(col + 1)}]"
    return named


def _records(columns: list[str], rows: list[list[Cell]]) -> Sequence[dict[str, Cell]]:
    """Each row's cells by column name: a named column past the row's end is None, a cell
    under no name is left out (every column with data has a name: `_name_unlabelled`).
    Rows as wide as the header, every column named (the usual report), stay rows: their
    dicts are made when asked for (ColumnRecords)."""
    named = [(i, name) for i, name in enumerate(columns) if name]
    names = [name for _, name in named]
    if len(names) == len(columns) and set(map(len, rows)) <= {len(columns)}:
        return ColumnRecords(names, rows)
    return [{name: (row[i] if i < len(row) else None) for i, name in named} for row in rows]


def _is_texty(value: Cell) -> bool:
    if isinstance(value, str):
        return _NUMERIC_TEXT.match(value) is None
    return not isinstance(value, int | float | datetime | date | time)


def _filled(row: list[Cell]) -> list[Cell]:
    return [value for value in row if value is not None]


def _mostly_text(row: list[Cell]) -> bool:
    cells = _filled(row)
    return bool(cells) and sum(_is_texty(v) for v in cells) * 2 > len(cells)


def _find_header_block(rows: list[list[Cell]], width: int) -> tuple[int, ...]:
    """The header block's 1-based rows; `width` is the most filled cells of any row."""
    for start in range(min(len(rows), SEARCH_ROWS)):
        if len(_filled(rows[start])) < 2 or not _mostly_text(rows[start]):
            continue
        block = [start]
        for i in range(start + 1, min(start + MAX_HEADER_ROWS, len(rows))):
            if not _mostly_text(rows[i]) or not _fills_header_gaps(rows, block, rows[i]):
                break
            block.append(i)
        named = {c for i in block for c, value in enumerate(rows[i]) if value is not None}
        if len(named) >= max(2, (width + 1) // 2):
            return tuple(i + 1 for i in block)
    return ()


def _fills_header_gaps(rows: list[list[Cell]], block: list[int], row: list[Cell]) -> bool:
    """A lower header row names sub-columns under blanks the rows above left (a group's
    merged or empty cells); a data row under a full header row fills no such gap."""
    above = [rows[i] for i in block]
    first = min(next(c for c, v in enumerate(r) if v is not None) for r in above)
    return any(
        row[c] is not None and all(c >= len(r) or r[c] is None for r in above)
        for c in range(first, len(row))
    )


def _column_names(grid: Grid, block: tuple[int, ...]) -> list[str]:
    width = max(len(grid.rows[r - 1]) for r in block)
    layers = [_header_layer(grid, r, width) for r in block]
    if not grid.merges:
        layers = _fill_groups_from_left(layers)
    names: list[str] = []
    for col in range(width):
        parts: list[str] = []
        for layer in layers:
            part = layer[col]
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        names.append(HEADER_SEPARATOR.join(parts))
    return _unique(names)


def _header_layer(grid: Grid, row_number: int, width: int) -> list[str | None]:
    """One header row's text per column, merged ranges filled with their top-left value."""
    row = grid.rows[row_number - 1]
    layer = [_as_header(row[c]) if c < len(row) else None for c in range(width)]
    for merge in grid.merges:
        if merge.first_row <= row_number <= merge.last_row:
            _fill_merge(grid, merge, layer)
    return layer


def _fill_merge(grid: Grid, merge: Merge, layer: list[str | None]) -> None:
    top = grid.rows[merge.first_row - 1]
    value = _as_header(top[merge.first_col - 1]) if merge.first_col - 1 < len(top) else None
    for col in range(merge.first_col - 1, min(merge.last_col, len(layer))):
        layer[col] = value


def _fill_groups_from_left(layers: list[list[str | None]]) -> list[list[str | None]]:
    """In a CSV's upper header rows, a blank above a sub-header belongs to the group on its left."""
    filled = [list(layer) for layer in layers]
    # bottom-up, so a middle row's groups are filled before the row above reads them
    for upper, lower in reversed(list(itertools.pairwise(filled))):
        for col in range(1, len(upper)):
            if upper[col] is None and lower[col] is not None and lower[col - 1] is not None:
                upper[col] = upper[col - 1]
    return filled


def _as_header(value: Cell) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        if not name:
            result.append("")
            continue
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result

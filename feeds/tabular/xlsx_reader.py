"""Excel workbooks (xlsx) read with openpyxl: chosen sheets, merged ranges, typed cells."""

from __future__ import annotations

import fnmatch
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import iterparse

import openpyxl
from openpyxl.utils.cell import range_boundaries

from feeds.base import FeedBadData
from feeds.tabular.grid import Cell, Grid, Merge, clean_text

REGEX_PREFIX = "re:"


@dataclass(frozen=True, kw_only=True)
class Workbook:
    """The sheets read, and one line for each sheet left out and why."""

    grids: list[Grid]
    ignored: list[str]


def read_xlsx(data: bytes, *, source: str, sheets: Sequence[str] | None = None) -> Workbook:
    """Read the visible, non-empty sheets whose names match `sheets` (all when None).

    A pattern is a glob ("Tháng *") or, prefixed "re:", a regular expression searched in the
    name; names are compared NFC-normalised and case-folded. Cells keep their Excel types:
    numbers as int/float, date cells as datetime, formulas as their cached values (a formula
    never calculated by Excel reads None). A pattern matching no sheet is an error.
    """
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FeedBadData(f"{source}: not a readable xlsx workbook ({error})") from error
    try:
        return _read_sheets(book, data, source, sheets)
    finally:
        book.close()


def _read_sheets(book: Any, data: bytes, source: str, patterns: Sequence[str] | None) -> Workbook:
    grids: list[Grid] = []
    ignored: list[str] = []
    matched: set[str] = set()
    for sheet in book.worksheets:
        hits = _matching(sheet.title, patterns)
        if not hits:
            continue
        matched.update(hits)
        if sheet.sheet_state != "visible":
            ignored.append(f"sheet {sheet.title!r} ignored: hidden")
            continue
        sheet.reset_dimensions()  # a stated A1:XFD1048576 would pad every row to 16,384 cells
        rows = [_trimmed([_cell(v) for v in row]) for row in sheet.iter_rows(values_only=True)]
        if not any(value is not None for row in rows for value in row):
            ignored.append(f"sheet {sheet.title!r} ignored: empty")
            continue
        merges = _merges(data, sheet._worksheet_path)
        grids.append(
            Grid(source=f"{source}#{sheet.title}", rows=rows, merges=merges, sheet=sheet.title)
        )
    unmatched = [p for p in patterns or () if p not in matched]
    if unmatched:
        names = ", ".join(repr(s.title) for s in book.worksheets)
        raise FeedBadData(f"{source}: no sheet matches {unmatched} (sheets: {names})")
    return Workbook(grids=grids, ignored=ignored)


def _matching(title: str, patterns: Sequence[str] | None) -> list[str]:
    """The patterns that select this sheet (one pseudo-pattern when all are selected)."""
    if patterns is None:
        return ["*"]
    name = _fold(title)
    hits = []
    for pattern in patterns:
        if pattern.startswith(REGEX_PREFIX):
            found = re.search(_fold(pattern[len(REGEX_PREFIX) :]), name) is not None
        else:
            found = fnmatch.fnmatchcase(name, _fold(pattern))
        if found:
            hits.append(pattern)
    return hits


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _trimmed(row: list[Cell]) -> list[Cell]:
    while row and row[-1] is None:
        row.pop()
    return row


def _cell(value: object) -> Cell:
    if isinstance(value, str):
        return clean_text(value)
    return value  # type: ignore[return-value]  # openpyxl gives numbers, datetimes, bools, None


def _merges(data: bytes, worksheet_path: str) -> tuple[Merge, ...]:
    """The sheet's merged ranges, read from its XML: read-only openpyxl does not expose them."""
    merges: list[Merge] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(worksheet_path) as xml:
        for _event, element in iterparse(xml):
            if element.tag.endswith("}mergeCell"):
                first_col, first_row, last_col, last_row = range_boundaries(element.get("ref", ""))
                merges.append(
                    Merge(
                        first_row=first_row or 1,
                        first_col=first_col or 1,
                        last_row=last_row or 1,
                        last_col=last_col or 1,
                    )
                )
            element.clear()
    return tuple(merges)

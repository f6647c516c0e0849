"""One entry point: a file's bytes (CSV, tab text or xlsx) to tables, by its content."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from feeds.base import FeedBadData
from feeds.tabular.csv_reader import DEFAULT_FALLBACKS, read_csv
from feeds.tabular.headers import Table, build_table
from feeds.tabular.xlsx_reader import read_xlsx

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls
_HTML_STARTS = (b"<!doctype html", b"<html", b"<table", b"<?xml")


@dataclass(frozen=True, kw_only=True)
class TabularOptions:
    """How to read a file; the connector's pydantic options map onto these fields."""

    sheets: Sequence[str] | None = None  # xlsx: names, globs or "re:" patterns; None = all
    header_rows: Sequence[int] | None = None  # 1-based; None = found
    encoding: str = "auto"  # CSV: "auto" or a codec name
    fallback_encodings: Sequence[str] = field(default=DEFAULT_FALLBACKS)
    delimiter: str | None = None  # CSV: None = sniffed


def read_tables(
    data: bytes, *, source: str, options: TabularOptions | None = None
) -> tuple[list[Table], list[str]]:
    """The tables in a file and the notes on sheets left out. An xlsx is told by its zip
    signature, not its name (reports are often mailed as .xls or without a suffix)."""
    opts = options or TabularOptions()
    _refuse_unreadable_kinds(data, source)
    if data.startswith(_ZIP_MAGIC):
        book = read_xlsx(data, source=source, sheets=opts.sheets)
        return [build_table(g, opts.header_rows) for g in book.grids], book.ignored
    grid = read_csv(
        data,
        source=source,
        encoding=opts.encoding,
        fallbacks=opts.fallback_encodings,
        delimiter=opts.delimiter,
    )
    return [build_table(grid, opts.header_rows)], []


def _refuse_unreadable_kinds(data: bytes, source: str) -> None:
    """Formats a CSV parse would turn into garbage: say what they are instead."""
    if data.startswith(_OLE2_MAGIC):
        raise FeedBadData(f"{source}: an Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV")
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_STARTS):
        # Many web systems export "Excel" files that are HTML or XML tables under an .xls name.
        raise FeedBadData(f"{source}: an HTML/XML page, not a CSV or xlsx file")

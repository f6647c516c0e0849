"""Exports of exactly what a table shows: CSV and Excel with Vietnamese headers and formats."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from i18n.formatting import format_datetime_local, format_number
from ui.table import GridColumn

CSV_DELIMITER = ";"  # the comma is the decimal sign in vi-VN
# A spreadsheet reads a cell starting with one of these as a formula (CSV/DDE injection):
# text from a feed or a citizen's report must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_GUARD = "'"
PICTURES = ("sparkline", "thumbnail")  # drawn in the grid, not data a sheet can hold


def exported(columns: Sequence[GridColumn]) -> list[GridColumn]:
    """The columns an export writes: every shown column but the pictures."""
    return [c for c in columns if c.kind not in PICTURES]


def cell_text(column: GridColumn, value: Any, lang: str) -> str:
    """The value as the grid displays it."""
    if value is None or value == "":
        return ""
    if column.kind in ("number", "percent"):
        text = format_number(float(value), lang, column.decimals)
        return text + ("%" if column.kind == "percent" else "")
    if column.kind == "datetime":
        return format_datetime_local(datetime.fromisoformat(str(value)), lang)
    return str(value)


def neutralised(text: str) -> str:
    """Text a spreadsheet will show as written, never evaluate."""
    return TEXT_GUARD + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(column: GridColumn, value: Any, lang: str) -> str:
    text = cell_text(column, value, lang)
    return text if column.kind in ("number", "percent") else neutralised(text)


def to_csv(columns: Sequence[GridColumn], rows: Sequence[Mapping[str, Any]], lang: str) -> bytes:
    columns = exported(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([neutralised(c.header) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c, row.get(c.field), lang) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def to_xlsx(
    columns: Sequence[GridColumn], rows: Sequence[Mapping[str, Any]], lang: str, title: str
) -> bytes:
    """Numbers stay numbers (sortable, summable) with a grouped format; times are local."""
    columns = exported(columns)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(c, row.get(c.field), lang) for c in columns])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
    for index, column in enumerate(columns, start=1):
        _format_column(sheet, index, column, len(rows))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(column: GridColumn, value: Any, lang: str) -> Any:
    if value is None or value == "":
        return None
    if column.kind in ("number", "percent"):
        number = float(value)
        return number / 100 if column.kind == "percent" else number
    if column.kind == "datetime":
        return cell_text(column, value, lang)
    return str(value)


def _format_column(sheet: Any, index: int, column: GridColumn, count: int) -> None:
    decimals = "." + "0" * column.decimals if column.decimals else ""
    pattern = {"number": f"#,##0{decimals}", "percent": f"0{decimals}%"}.get(column.kind)
    letter = sheet.cell(row=1, column=index).column_letter
    sheet.column_dimensions[letter].width = max(12, min(48, len(column.header) + 4))
    if pattern:
        for row in range(2, count + 2):
            sheet.cell(row=row, column=index).number_format = pattern

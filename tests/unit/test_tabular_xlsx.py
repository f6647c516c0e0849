"""Excel reports: sheets chosen by pattern, hidden and empty sheets, merged two-row headers."""

from __future__ import annotations

from datetime import datetime

import pytest

from feeds.base import FeedBadData
from feeds.tabular import TabularOptions, read_tables, read_xlsx
from tests.fixtures.reports import tourism_workbook


def test_monthly_tourism_report() -> None:
    tables, ignored = read_tables(
        tourism_workbook(), source="du-lich.xlsx", options=TabularOptions(sheets=["Tháng 1*"])
    )
    assert ignored == ["sheet 'Tháng 11' ignored: empty"]
    [table] = tables
    assert table.source == "du-lich.xlsx#Tháng 10"
    assert table.header_rows == (5, 6)
    assert table.columns == [
        "Địa bàn",
        "Lượt khách / Quốc tế",
        "Lượt khách / Nội địa",
        "Doanh thu (triệu đồng)",
        "Ngày cập nhật",
    ]
    assert "Kỳ báo cáo: Tháng 10/2026" in table.document_text()
    first, second, totals = table.rows
    assert first.row == 7
    assert first.cells["Lượt khách / Nội địa"] == 30480
    assert isinstance(first.cells["Lượt khách / Quốc tế"], int)
    assert first.cells["Doanh thu (triệu đồng)"] == 15234.5
    assert first.cells["Ngày cập nhật"] == datetime(2026, 10, 31, 17, 0)
    assert second.cells["Ngày cập nhật"] == datetime(2026, 10, 30)
    assert totals.cells["Địa bàn"] == "Tổng cộng"
    assert totals.cells["Lượt khách / Quốc tế"] == 80  # the formula's cached value


def test_hidden_and_empty_sheets_are_ignored_and_said_so() -> None:
    book = read_xlsx(tourism_workbook(), source="du-lich.xlsx")
    assert [grid.sheet for grid in book.grids] == ["Tháng 10", "Tháng 9"]
    assert book.ignored == [
        "sheet 'Dữ liệu gốc' ignored: hidden",
        "sheet 'Tháng 11' ignored: empty",
    ]


def test_regex_pattern_and_case_folding() -> None:
    book = read_xlsx(tourism_workbook(), source="x.xlsx", sheets=[r"re:^tháng \d$"])
    assert [grid.sheet for grid in book.grids] == ["Tháng 9"]
    book = read_xlsx(tourism_workbook(), source="x.xlsx", sheets=["THÁNG 9"])
    assert [grid.sheet for grid in book.grids] == ["Tháng 9"]


def test_a_pattern_matching_no_sheet_is_an_error_naming_the_sheets() -> None:
    with pytest.raises(FeedBadData, match=r"no sheet matches.*'Tháng 10'"):
        read_xlsx(tourism_workbook(), source="x.xlsx", sheets=["Quý *"])


def test_a_formula_never_calculated_reads_none() -> None:
    book = read_xlsx(tourism_workbook(formula_value=None), source="x.xlsx", sheets=["Tháng 10"])
    assert book.grids[0].rows[8][1] is None


def test_merged_ranges_are_read_from_the_sheet() -> None:
    book = read_xlsx(tourism_workbook(), source="x.xlsx", sheets=["Tháng 10"])
    refs = {(m.first_row, m.first_col, m.last_row, m.last_col) for m in book.grids[0].merges}
    assert (5, 2, 5, 3) in refs  # B5:C5 "Lượt khách"
    assert (5, 1, 6, 1) in refs  # A5:A6 "Địa bàn"


def test_not_a_workbook() -> None:
    with pytest.raises(FeedBadData, match="not a readable xlsx"):
        read_xlsx(b"PK\x03\x04garbage", source="x.xlsx")


def test_a_stated_huge_dimension_does_not_pad_rows() -> None:
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(tourism_workbook()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', content
                )
            out.writestr(item, content)
    book = read_xlsx(patched.getvalue(), source="x.xlsx", sheets=["Tháng 10"])
    rows = book.grids[0].rows
    assert len(rows) == 9
    assert max(len(row) for row in rows) == 5

"""CSV reading as Windows tools deliver it, and header detection over report-shaped grids."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.base import FeedBadData
from feeds.tabular import (
    TabularOptions,
    build_table,
    decode,
    read_csv,
    read_tables,
    sniff_delimiter,
)
from feeds.tabular.csv_reader import _parse
from tests.fixtures.reports import ONE_STOP_COLUMNS, ONE_STOP_ROWS, csv_text, to_cp1258


def _one_stop(data: bytes, **options: object) -> object:
    tables, ignored = read_tables(data, source="mot-cua.csv", options=TabularOptions(**options))  # type: ignore[arg-type]
    assert ignored == []
    assert len(tables) == 1
    return tables[0]


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
        (lambda text: text.encode("utf-8"), "utf-8"),
        (to_cp1258, "cp1258"),
    ],
    ids=["utf-8-bom", "utf-8", "windows-1258"],
)
def test_one_stop_report_reads_the_same_in_every_encoding(encode, encoding) -> None:
    table = _one_stop(encode(csv_text(ONE_STOP_ROWS)))
    assert f"encoding {encoding}, delimiter ';'" in table.notes
    assert table.header_rows == (5, 6)
    assert table.columns == ONE_STOP_COLUMNS
    assert table.document_text() == [
        "UBND TỈNH SÓC TRĂNG",
        "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
        "Kỳ báo cáo: Tháng 10/2026",
    ]
    by_row = {row.row: row.cells for row in table.rows}
    assert by_row[7]["STT"] == "(1)"  # the column-number row is data: the mapping skips it
    assert by_row[8]["Đơn vị"] == "TP. Sóc Trăng"
    assert by_row[8]["Đã giải quyết / Trước hạn"] == "1.100,5"  # text: the locale parses it
    assert by_row[9]["Ghi chú"] == "Nhập\nmuộn"  # a quoted field across lines
    assert by_row[10]["Số hồ sơ nhận / Trực tuyến"] == "..."
    assert by_row[10]["Đã giải quyết / Trước hạn"] is None
    assert by_row[11]["Đơn vị"] == "Tổng cộng"  # totals kept for the mapping's skip rules
    assert by_row[12]["Đơn vị"] == "Trong đó: cấp xã"
    assert by_row[14]["STT"] == "Người lập biểu"
    assert sorted(by_row) == list(range(7, 15))  # the empty row 4 is above; none are lost


def test_windows_1258_tone_marks_come_back_composed() -> None:
    raw = to_cp1258("Huyện Mỹ Tú;Kế Sách\r\n")
    assert b"\xd2" in raw or b"\xde" in raw or b"\xec" in raw  # combining bytes really used
    decoded = decode(raw)
    assert decoded.encoding == "cp1258"
    assert decoded.text == "Huyện Mỹ Tú;Kế Sách\r\n"  # NFC: equal to the precomposed text


def test_cp1252_text_is_not_taken_for_vietnamese() -> None:
    decoded = decode("Hotel;Café São Paulo;Đà\r\n".replace("Đà", "Zoë").encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert decoded.text.startswith("Hotel;Café São Paulo;Zoë")


def test_declared_encoding_is_the_only_one_tried() -> None:
    raw = to_cp1258("Sóc Trăng;Lượt khách\r\n")
    assert decode(raw, "windows-1258").text == "Sóc Trăng;Lượt khách\r\n"
    with pytest.raises(FeedBadData, match=r"utf-8 \(byte 0x.. at offset \d+\)"):
        decode(raw, "utf-8")


def test_undecodable_file_names_each_encoding_and_offset() -> None:
    # 0x81 is undefined in both cp1258 and cp1252, and invalid UTF-8 as a start byte.
    raw = to_cp1258("Địa bàn;Số hồ sơ\r\n") + b"Ph\x81ng;1\r\n"
    with pytest.raises(FeedBadData) as caught:
        decode(raw)
    message = str(caught.value)
    offset = raw.index(b"\x81")
    for codec in ("utf-8", "cp1258", "cp1252"):
        assert f"{codec} (byte 0x" in message
    assert f"at offset {offset}" in message


def test_utf8_with_a_bad_byte_is_refused_not_read_as_mojibake() -> None:
    raw = "Địa bàn;Số hồ sơ\r\nTP. Sóc Trăng;1\r\n".encode() + b"Ph\x81ng;2\r\n"
    with pytest.raises(FeedBadData) as caught:
        decode(raw)
    message = str(caught.value)
    offset = raw.index(b"\x81")
    assert f"utf-8 (byte 0x81 at offset {offset})" in message
    assert "the rest is valid UTF-8" in message
    assert "cp1252" not in message


def test_excel_unicode_text_is_utf16_with_tabs() -> None:
    text = csv_text([["Địa bàn", "Lượt khách"], ["TP. Sóc Trăng", "30.480"]], delimiter="\t")
    grid = read_csv(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), source="du-lich.txt")
    assert grid.notes[0] == "encoding utf-16, delimiter '\\t'"
    assert grid.rows == [["Địa bàn", "Lượt khách"], ["TP. Sóc Trăng", "30.480"]]


def test_semicolon_wins_over_decimal_commas() -> None:
    text = csv_text(
        [["Đơn vị", "Tỷ lệ", "Giá trị"], ["A", "99,71%", "1.234,5"], ["B", "98,5", "7"]]
    )
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter(text.replace(";", ",").replace("99,71%", '"99,71%"')) == ","


def test_decimal_commas_in_every_row_still_give_the_semicolon() -> None:
    text = csv_text([["a", "b", "c"], ["1,5", "2,5", "x"], ["3,5", "4,5", "y"]])
    assert sniff_delimiter(text) == ";"  # two commas a line, but three `;` fields


def test_declared_delimiter_is_used() -> None:
    grid = read_csv(b"a|b\r\n1|2\r\n", source="x.csv", delimiter="|")
    assert grid.rows == [["a", "b"], ["1", "2"]]


def test_truncated_last_line_is_dropped_and_reported() -> None:
    whole = csv_text(ONE_STOP_ROWS[4:10]).encode()
    cut = whole[: whole.index("H. Kế Sách".encode()) + 6]  # stops inside row 5
    grid = read_csv(cut, source="mot-cua.csv")
    assert "truncated last line at row 5: dropped" in grid.notes
    assert "the file ends inside a character" in grid.notes  # cut inside "ế"
    assert [row[1] for row in grid.rows] == ["Đơn vị", None, "(2)", "TP. Sóc Trăng"]


def test_open_quote_at_the_end_is_a_truncation() -> None:
    data = csv_text(ONE_STOP_ROWS[4:8]).encode() + '2;H. Kế Sách;1;2;3;4;"Nhập\r\nmu'.encode()
    grid = read_csv(data, source="mot-cua.csv")
    assert "truncated last line at row 5: dropped" in grid.notes
    assert len(grid.rows) == 4


def test_a_complete_file_without_final_newline_is_not_truncated() -> None:
    data = csv_text(ONE_STOP_ROWS[4:9]).rstrip("\r\n").encode()
    grid = read_csv(data, source="mot-cua.csv")
    assert not any("truncated" in note for note in grid.notes)
    assert grid.rows[-1][1] == "H. Kế Sách"


def test_declared_header_rows_override_detection() -> None:
    grid = read_csv(csv_text(ONE_STOP_ROWS).encode(), source="mot-cua.csv")
    table = build_table(grid, header_rows=[5, 6, 7])
    assert table.columns[2] == "Số hồ sơ nhận / Trực tuyến / (3)"
    assert table.rows[0].row == 8


def test_header_rows_beyond_the_sheet_are_refused() -> None:
    grid = read_csv(b"a;b\r\n1;2\r\n", source="x.csv")
    with pytest.raises(FeedBadData, match="beyond"):
        build_table(grid, header_rows=[5])


def test_single_header_row_and_duplicate_names() -> None:
    grid = read_csv("Mã ĐVHC;Tên;Tên\r\n941;TP. Sóc Trăng;Soc Trang\r\n".encode(), source="x.csv")
    table = build_table(grid)
    assert table.header_rows == (1,)
    assert table.columns == ["Mã ĐVHC", "Tên", "Tên (2)"]
    assert table.rows[0].cells == {"Mã ĐVHC": "941", "Tên": "TP. Sóc Trăng", "Tên (2)": "Soc Trang"}


def test_text_is_nfc_normalised() -> None:
    decomposed = "Sóc Trăng".replace("ó", "o\u0301")
    grid = read_csv(f"Địa bàn;Số\r\n{decomposed};1\r\n".encode(), source="x.csv")
    assert grid.rows[1][0] == "Sóc Trăng"


def test_three_header_rows_combine_into_one_name() -> None:
    rows = [
        ["Kỳ báo cáo: Quý III/2026", "", "", "", ""],
        ["Đơn vị", "Hồ sơ", "", "", ""],
        ["", "Đã giải quyết", "", "", "Đang giải quyết"],
        ["", "Trước hạn", "Đúng hạn", "Quá hạn", ""],
        ["Sở Y tế", "10", "5", "1", "3"],
    ]
    table = build_table(read_csv(csv_text(rows).encode(), source="x.csv"))
    assert table.header_rows == (2, 3, 4)
    assert table.columns == [
        "Đơn vị",
        "Hồ sơ / Đã giải quyết / Trước hạn",
        "Hồ sơ / Đã giải quyết / Đúng hạn",
        "Hồ sơ / Đã giải quyết / Quá hạn",
        "Hồ sơ / Đang giải quyết",
    ]
    assert table.rows[0].cells["Hồ sơ / Đang giải quyết"] == "3"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Excel 97-2003"),
        (b"\xef\xbb\xbf<html><table><tr><td>S\xc3\xb3c</td></tr></table>", "HTML/XML page"),
        (b"  <!DOCTYPE html><html>", "HTML/XML page"),
    ],
    ids=["xls", "html-as-xls", "login-page"],
)
def test_files_that_are_not_csv_are_named_for_what_they_are(data: bytes, reason: str) -> None:
    with pytest.raises(FeedBadData, match=reason):
        read_tables(data, source="bao-cao.xls")


def test_official_letterhead_rows_stay_document_cells() -> None:
    letterhead = [
        ["UBND TỈNH SÓC TRĂNG", "", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", ""],
        ["SỞ Y TẾ", "", "", "", "Độc lập - Tự do - Hạnh phúc", "", ""],
        ["Số: 123/BC-SYT", "", "", "", "Sóc Trăng, ngày 05 tháng 11 năm 2026", "", ""],
    ]
    table = build_table(read_csv(csv_text(letterhead + ONE_STOP_ROWS[1:]).encode(), source="x.csv"))
    assert table.header_rows == (7, 8)
    assert table.columns == ONE_STOP_COLUMNS
    assert "Sóc Trăng, ngày 05 tháng 11 năm 2026" in table.document_text()
    assert "Kỳ báo cáo: Tháng 10/2026" in table.document_text()


def test_a_column_without_a_header_is_named_by_its_letter() -> None:
    rows = [["", "Đơn vị", "Số hồ sơ"], ["1", "Sở Y tế", "12"], ["2", "Sở Tài chính", "7", "x"]]
    table = build_table(read_csv(csv_text(rows).encode(), source="x.csv"))
    assert table.columns == ["[A]", "Đơn vị", "Số hồ sơ", "[D]"]
    assert table.rows[1].cells == {
        "[A]": "2",
        "Đơn vị": "Sở Tài chính",
        "Số hồ sơ": "7",
        "[D]": "x",
    }


# Cells as the careful reading keeps them: every cell stripped, an empty one None.
def _careful(text: str, delimiter: str) -> list[list[object]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    return [[value.strip() or None for value in row] for row in reader]


_CSV_PIECES = st.sampled_from(
    ["a", "Sóc Trăng", "1.234", ";", ",", "\t", " ", "\xa0", "\u3000", "\r\n", "\n", "\r", "x y"]
)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_CSV_PIECES, max_size=30), delimiter=st.sampled_from([";", ",", "\t"]))
def test_rows_read_as_they_are_equal_the_careful_reading(pieces: list[str], delimiter: str) -> None:
    """The fast reading (cells kept as read when none needs stripping) gives the same rows as
    stripping every cell, for any text without quotes: blanks, edge spaces, odd line breaks."""
    text = "".join(pieces)
    rows, truncated = _parse(text, delimiter)
    careful = _careful(text, delimiter)
    if truncated is None:
        assert rows == careful
    else:
        assert rows == careful[:-1]


def test_a_table_leaves_out_blank_rows_and_fills_short_ones() -> None:
    lines = ["Mã;Tên;Lượt khách", "941;TP. Sóc Trăng;10", ";;", "942;Châu Thành", "943;Kế Sách;7"]
    grid = read_csv(("\r\n".join(lines) + "\r\n").encode(), source="r.csv")
    table = build_table(grid)
    assert table.row_numbers == [2, 4, 5]
    assert table.records[1] == {"Mã": "942", "Tên": "Châu Thành", "Lượt khách": None}
    assert [r.row for r in table.rows] == [2, 4, 5]
    assert table.rows[2].cells == {"Mã": "943", "Tên": "Kế Sách", "Lượt khách": "7"}

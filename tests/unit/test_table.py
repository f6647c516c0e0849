"""Grid columns: numbers and statuses coloured by the server's status, names sorted naturally,
texts written by a source marked as such."""

from __future__ import annotations

import pytest

from ui.table import SOURCE_TEXT_CLASS, GridColumn, column_defs, tone_field

pytestmark = pytest.mark.unit


def test_columns_take_the_status_the_server_computed() -> None:
    columns = [
        GridColumn("area_name", "Địa bàn"),
        GridColumn("health__visits", "Lượt khám", "number"),
        GridColumn("rate", "Tỷ lệ", "percent", 1),
        GridColumn("status", "Trạng thái", "status"),
        GridColumn("name", "Tên", source_text=True),
    ]
    area, visits, rate, status, name = column_defs(columns, "vi")
    assert area["comparator"] == {"function": "iocNaturalCompare"}
    assert "cellClass" not in area
    for column, field in ((visits, "health__visits"), (rate, "rate"), (status, "status")):
        assert column["cellClass"] == {"function": f"iocToneClass(params, '{tone_field(field)}')"}
    assert rate["valueFormatter"]["function"].endswith("'vi-VN', '%')")
    assert name["cellClass"] == SOURCE_TEXT_CLASS and name["comparator"]
    assert tone_field("rate") == "rate__tone"

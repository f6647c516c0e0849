"""Detail tables: AG Grid column definitions from declared columns; vi-VN number formats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dash_ag_grid as dag


@dataclass(frozen=True, slots=True)
class GridColumn:
    field: str
    header: str
    kind: str = "text"  # text | number | percent | datetime | status | sparkline | thumbnail
    decimals: int = 0


def field_id(key: str) -> str:
    """AG Grid reads dots as nested paths: metric keys become flat field names."""
    return key.replace(".", "__")


def column_defs(columns: Sequence[GridColumn], lang: str) -> list[dict[str, Any]]:
    locale = "en-GB" if lang == "en" else "vi-VN"
    return [_column_def(c, locale) for c in columns]


def _column_def(column: GridColumn, locale: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "field": column.field,
        "headerName": column.header,
        "headerTooltip": column.header,
    }
    if column.kind in ("number", "percent"):
        suffix = "%" if column.kind == "percent" else ""
        base.update(
            type="numericColumn",
            filter="agNumberColumnFilter",
            valueFormatter={
                "function": f"iocNumber(params.value, {column.decimals}, '{locale}', '{suffix}')"
            },
        )
    elif column.kind == "datetime":
        base.update(
            filter="agDateColumnFilter",
            sort="desc" if column.field == "time" else None,
            valueFormatter={"function": f"iocDateTime(params.value, '{locale}')"},
        )
    elif column.kind == "sparkline":
        base.update(
            cellRenderer="IocSparkline",
            sortable=False,
            filter=False,
            minWidth=150,
            cellClass="ioc-spark-cell",
        )
    elif column.kind == "thumbnail":
        base.update(
            cellRenderer="IocThumbnail",
            sortable=False,
            filter=False,
            minWidth=90,
            maxWidth=100,
            cellClass="ioc-thumb-cell",
        )
    elif column.kind == "status":
        base.update(filter="agTextColumnFilter", cellClass={"function": "iocStatusClass(params)"})
    else:
        base.update(filter="agTextColumnFilter")
    return {k: v for k, v in base.items() if v is not None}


def grid(grid_id: dict[str, str], lang: str) -> dag.AgGrid:
    """An empty grid; a callback fills columnDefs and rowData for the scope."""
    return dag.AgGrid(
        id=grid_id,
        rowData=[],
        columnDefs=[],
        className="ag-theme-quartz ioc-grid",
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": True,
            "minWidth": 110,
            "flex": 1,
            "floatingFilter": False,
        },
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": 20,
            "paginationPageSizeSelector": False,
            "animateRows": False,
            "localeText": _locale_text(lang),
        },
        style={"height": "520px"},
    )


def _locale_text(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    return {
        "page": "Trang",
        "of": "trên",
        "to": "đến",
        "noRowsToShow": "Không có dữ liệu",
        "filterOoo": "Lọc...",
        "contains": "Chứa",
        "equals": "Bằng",
        "notEqual": "Khác",
        "lessThan": "Nhỏ hơn",
        "greaterThan": "Lớn hơn",
        "andCondition": "VÀ",
        "orCondition": "HOẶC",
        "blanks": "Trống",
        "loadingOoo": "Đang tải...",
        "pageSizeSelectorLabel": "Số dòng:",
    }

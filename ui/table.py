"""Detail tables: AG Grid column definitions from declared columns; vi-VN number formats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dash_ag_grid as dag

from i18n import catalog_keys, t

GRID_TEXT = "grid."  # AG Grid's own texts (pagination, filters, overlays) are i18n keys
TONE_SUFFIX = "__tone"
SOURCE_TEXT_CLASS = "ioc-source-text"
NATURAL_COMPARE = "iocNaturalCompare"  # assets/50_app/grid.js; the grid calls it (a, b)


@dataclass(frozen=True, slots=True)
class GridColumn:
    field: str
    header: str
    kind: str = "text"  # text | number | percent | datetime | status | sparkline | thumbnail
    decimals: int = 0
    # Names and texts as the source system wrote them (an agency, a camera, a citizen's report):
    # shown in the source's language on every page, and marked so.
    source_text: bool = False


def field_id(key: str) -> str:
    """AG Grid reads dots as nested paths: metric keys become flat field names."""
    return key.replace(".", "__")


def tone_field(field: str) -> str:
    """Where a row carries a cell's status colour (good | warn | critical | nodata)."""
    return field + TONE_SUFFIX


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
            cellClass=_tone_class(column.field),
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
        base.update(filter="agTextColumnFilter", cellClass=_tone_class(column.field))
    else:  # names sort naturally and Vietnamese-aware: Phường 2 before Phường 10
        base.update(filter="agTextColumnFilter", comparator={"function": NATURAL_COMPARE})
    if column.source_text:
        base["cellClass"] = SOURCE_TEXT_CLASS
    return {k: v for k, v in base.items() if v is not None}


def _tone_class(field: str) -> dict[str, str]:
    """The cell's class from the status the server computed with the tiles' rule."""
    return {"function": f"iocToneClass(params, '{tone_field(field)}')"}


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
    """AG Grid's own texts in the page's language (its built-in ones are English only)."""
    return {
        key.removeprefix(GRID_TEXT): t(key, lang)
        for key in sorted(catalog_keys(lang))
        if key.startswith(GRID_TEXT)
    }

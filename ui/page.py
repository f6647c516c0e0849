"""Page building blocks shared by every page: header with scope/window controls, KPI section."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import t
from store.areas import AreaIndex
from store.scope import CUSTOM, WINDOW_DAYS
from ui.legend import status_legend


def param_id(page: str, param: str) -> dict[str, str]:
    """Controls with this id are mirrored into the URL query string (deep links)."""
    return {"type": "url-param", "page": page, "param": param}


def area_options(areas: AreaIndex, lang: str, root: str | None) -> list[dict[str, Any]]:
    """The permitted root (the province, or one district), then each of its children followed
    by theirs, indented; nothing when nothing is permitted."""
    if root is None or root not in areas:
        return []
    options = [{"label": areas.name(root, lang), "value": root}]
    for district in areas.sorted_children(root, lang):
        options.append({"label": f"· {areas.name(district, lang)}", "value": district})
        options.extend(
            {"label": f"\u2003· {areas.name(c, lang)}", "value": c}
            for c in areas.sorted_children(district, lang)
        )
    return options


def scope_controls(
    page: str, areas: AreaIndex, area: str, window: str, lang: str, root: str | None
) -> html.Div:
    """Area picker (only what `root`, the permitted area, holds) and window choice; the
    effective window (a name or FROM..TO) sits in a hidden input mirrored into the URL."""
    custom = window not in WINDOW_DAYS
    start, _, end = window.partition("..") if custom else ("", "", "")
    return html.Div(
        [
            html.Label(t("area.scope", lang), className="form-label small mb-0 me-2"),
            dcc.Dropdown(
                id=param_id(page, "area"),
                options=area_options(areas, lang, root),
                value=area,
                clearable=False,
                searchable=True,
                className="scope-select",
            ),
            dbc.RadioItems(
                id={"type": "window-choice", "page": page},
                options=[
                    {"label": t(f"window.{w}", lang), "value": w} for w in (*WINDOW_DAYS, CUSTOM)
                ],
                value=CUSTOM if custom else window,
                inline=True,
                className="window-select ms-3",
                inputClassName="btn-check",
                labelClassName="btn btn-sm btn-outline-primary",
                labelCheckedClassName="active",
            ),
            dcc.DatePickerRange(
                id={"type": "window-range", "page": page},
                start_date=start or None,
                end_date=end or None,
                display_format="DD/MM/YYYY",
                first_day_of_week=1,
                className="window-range" + ("" if custom else " d-none"),
                start_date_placeholder_text=t("window.from", lang),
                end_date_placeholder_text=t("window.to", lang),
            ),
            dcc.Input(id=param_id(page, "window"), type="hidden", value=window),
        ],
        className="d-flex align-items-center flex-wrap gap-1 scope-controls",
    )


def page_header(title: str, subtitle: str, controls: html.Div, lang: str) -> html.Div:
    """Title, subtitle and the status legend (every page says what its colours mean)."""
    return html.Div(
        [
            html.Div(
                [
                    html.H1(title, className="page-title"),
                    html.Div(subtitle, className="page-subtitle"),
                    status_legend(lang),
                ]
            ),
            controls,
        ],
        className="page-header d-flex justify-content-between align-items-end flex-wrap gap-2",
    )


def kpi_section(page: str, refresh_s: int) -> html.Div:
    """A grid filled by the shared KPI callback (with the tiles the page's spec declares),
    refreshed every `refresh_s` seconds."""
    return html.Div(
        [
            dcc.Interval(id={"type": "refresh", "page": page}, interval=refresh_s * 1000),
            html.Div(id={"type": "kpi-grid", "page": page}, className="kpi-grid"),
        ]
    )

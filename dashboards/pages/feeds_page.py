"""Operators' page (/nguon-du-lieu): each feed's recent runs and its rejected records."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html

from dashboards.context import current_lang, services
from i18n import label, t
from ui.page import page_header, param_id
from ui.table import GridColumn, column_defs, grid

PAGE = "feeds"


def register(app: Dash) -> None:
    dash.register_page(
        "feeds",
        path="/nguon-du-lieu",
        name="Nguồn dữ liệu",
        name_vi="Nguồn dữ liệu",
        name_en="Data sources",
        order=90,
        icon="bi-database-gear",
        layout=layout,
        title="Nguồn dữ liệu · IOC",
    )
    _register_callbacks(app)


def layout(feed: str | None = None, **_: Any) -> html.Div:
    lang = current_lang()
    feeds = [h.id for h in services().queries.feed_health()]
    chosen = feed if feed in feeds else (feeds[0] if feeds else None)
    picker = dcc.Dropdown(
        id=param_id(PAGE, "feed"),
        options=feeds,
        value=chosen,
        clearable=False,
        className="scope-select",
    )
    return html.Div(
        [
            page_header(t("feeds.title", lang), t("feeds.subtitle", lang), picker, lang),
            dcc.Interval(
                id={"type": "refresh", "page": PAGE},
                interval=services().settings.ui.refresh_interval * 1000,
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2(t("feeds.runs", lang), className="h6"),
                        grid({"type": "grid", "page": "feed-runs"}, lang),
                    ]
                ),
                className="panel-card",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2(t("feeds.rejections", lang), className="h6"),
                        grid({"type": "grid", "page": "feed-rejections"}, lang),
                    ]
                ),
                className="panel-card mt-3",
            ),
        ]
    )


def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output({"type": "grid", "page": "feed-runs"}, "columnDefs"),
        Output({"type": "grid", "page": "feed-runs"}, "rowData"),
        Output({"type": "grid", "page": "feed-rejections"}, "columnDefs"),
        Output({"type": "grid", "page": "feed-rejections"}, "rowData"),
        Input(param_id(PAGE, "feed"), "value"),
        Input({"type": "refresh", "page": PAGE}, "n_intervals"),
    )
    def show_runs(feed: str | None, _tick: Any) -> tuple[Any, ...]:
        lang = current_lang()
        runs = services().store.queries.feed_runs(feed, limit=100) if feed else []
        latest = next((r for r in runs if r.status != "running"), None)
        rejections = services().store.queries.rejections(latest.run_id) if latest else []
        return (
            column_defs(_run_columns(lang), lang),
            [_run_row(r, lang) for r in runs],
            column_defs(_rejection_columns(lang), lang),
            [{"reason": reason, "raw": raw} for reason, raw in rejections],
        )


def _run_columns(lang: str) -> list[GridColumn]:
    return [
        GridColumn("started", t("feeds.started", lang), "datetime"),
        GridColumn("status", t("feeds.status", lang), "status"),
        GridColumn("accepted", t("feeds.accepted", lang), "number"),
        GridColumn("rejected", t("feeds.rejected", lang), "number"),
        GridColumn("duration", t("feeds.duration", lang), "number"),
        GridColumn("error_kind", t("feeds.error_kind", lang)),
        GridColumn("error", t("feeds.error", lang)),
    ]


def _rejection_columns(lang: str) -> list[GridColumn]:
    return [GridColumn("reason", t("feeds.reason", lang)), GridColumn("raw", t("feeds.raw", lang))]


def _run_row(run: Any, lang: str) -> dict[str, Any]:
    return {
        "started": run.started_at.isoformat(),
        "status": label("status", run.status, lang),
        "accepted": run.accepted,
        "rejected": run.rejected,
        "duration": run.duration_ms,
        "error_kind": run.error_kind or "",
        "error": run.error_text or "",
    }

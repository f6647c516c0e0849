"""Operators' page (/nguon-du-lieu): a summary per feed, then the chosen feed's recent runs
and its rejected records — all in the first render, refreshed on an interval."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from babel.dates import format_timedelta
from dash import Dash, Input, Output, dcc, html

from dashboards.context import current_lang, services
from dashboards.feed_summary import FeedSummary, summarize
from i18n import label, t
from i18n.formatting import format_datetime_local, format_number, format_relative, locale_for
from ui.page import page_header, param_id
from ui.table import GridColumn, column_defs, grid

PAGE = "feeds"
SUMMARY = "feed-summaries"
RUNS = {"type": "grid", "page": "feed-runs"}
REJECTIONS = {"type": "grid", "page": "feed-rejections"}


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
    runs_grid, rejections_grid = grid(RUNS, lang), grid(REJECTIONS, lang)
    (
        runs_grid.columnDefs,
        runs_grid.rowData,
        rejections_grid.columnDefs,
        rejections_grid.rowData,
    ) = _tables(chosen, lang)
    return html.Div(
        [
            page_header(t("feeds.title", lang), t("feeds.subtitle", lang), picker, lang),
            dcc.Interval(
                id={"type": "refresh", "page": PAGE},
                interval=services().settings.ui.refresh_interval * 1000,
            ),
            html.H2(t("feeds.summary", lang), className="h6"),
            html.Div(_summary_cards(lang), id=SUMMARY, className="feed-summaries mb-3"),
            dbc.Card(
                dbc.CardBody([html.H2(t("feeds.runs", lang), className="h6"), runs_grid]),
                className="panel-card",
            ),
            dbc.Card(
                dbc.CardBody(
                    [html.H2(t("feeds.rejections", lang), className="h6"), rejections_grid]
                ),
                className="panel-card mt-3",
            ),
        ]
    )


def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(SUMMARY, "children"),
        Output(RUNS, "columnDefs"),
        Output(RUNS, "rowData"),
        Output(REJECTIONS, "columnDefs"),
        Output(REJECTIONS, "rowData"),
        Input(param_id(PAGE, "feed"), "value"),
        Input({"type": "refresh", "page": PAGE}, "n_intervals"),
        prevent_initial_call=True,  # the layout already holds what the first call would send
    )
    def refresh(feed: str | None, _tick: Any) -> tuple[Any, ...]:
        lang = current_lang()
        return (_summary_cards(lang), *_tables(feed, lang))


def _tables(feed: str | None, lang: str) -> tuple[Any, Any, Any, Any]:
    """Column definitions and rows of the feed's recent runs and of its last run's rejects."""
    queries = services().store.queries
    runs = queries.feed_runs(feed, limit=100) if feed else []
    latest = next((r for r in runs if r.status != "running"), None)
    rejections = queries.rejections(latest.run_id) if latest else []
    return (
        column_defs(_run_columns(lang), lang),
        [_run_row(r, lang) for r in runs],
        column_defs(_rejection_columns(lang), lang),
        [{"reason": reason, "raw": raw} for reason, raw in rejections],
    )


def feed_summaries() -> list[FeedSummary]:
    svc = services()
    queries, now = svc.store.queries, svc.clock()
    current, finished = queries.current_runs(), queries.last_runs()
    timeouts = {f.id: f.timeout for f in svc.settings.feeds}
    return [
        summarize(h, current.get(h.id), finished.get(h.id), now, timeouts.get(h.id, 60))
        for h in queries.feed_health()
    ]


def _summary_cards(lang: str) -> list[html.Div]:
    now = services().clock()
    return [_summary_card(s, now, lang) for s in feed_summaries()]


def _summary_card(summary: FeedSummary, now: datetime, lang: str) -> html.Div:
    facts = [
        (t("feeds.last_success", lang), _moment(summary.last_success, now, lang)),
        (t("feeds.next_run", lang), _next_run(summary.next_run, now, lang)),
        (t("feeds.lag", lang), _lag(summary, lang)),
        (t("feeds.failures", lang), format_number(summary.consecutive_failures, lang)),
        (t("feeds.changed", lang), _changes(summary, lang)),
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Span(summary.feed_id, className="feed-name"),
                    html.Span(summary.feed_type, className="feed-type"),
                    html.Span(
                        t(f"feeds.state.{summary.status.value}", lang),
                        className=f"feed-state feed-state-{summary.tone}",
                    ),
                ],
                className="feed-summary-head",
            ),
            html.Dl(
                [part for name, value in facts for part in (html.Dt(name), html.Dd(value))],
                className="feed-facts",
            ),
            html.Div(summary.error, className="feed-error") if summary.error else None,
        ],
        className=f"feed-summary kpi-{summary.tone}",
        title=summary.error or "",
        **{"data-feed": summary.feed_id, "data-status": summary.status.value},
    )


def _duration(delta: timedelta, lang: str) -> str:
    return format_timedelta(delta, threshold=1, granularity="second", locale=locale_for(lang))


def _moment(moment: datetime | None, now: datetime, lang: str) -> str:
    if moment is None:
        return t("feeds.none_yet", lang)
    return f"{format_datetime_local(moment, lang)} ({format_relative(now - moment, lang)})"


def _next_run(moment: datetime | None, now: datetime, lang: str) -> str:
    if moment is None:
        return "—"
    shown = format_datetime_local(moment, lang)
    return t("feeds.next_run_due", lang, time=shown) if moment <= now else shown


def _lag(summary: FeedSummary, lang: str) -> str:
    if summary.lag is None:
        return t("feeds.none_yet", lang)
    return t(
        "feeds.lag_value",
        lang,
        age=_duration(summary.lag, lang),
        interval=_duration(summary.interval, lang),
    )


def _changes(summary: FeedSummary, lang: str) -> str:
    if summary.rows_changed is None:
        return t("feeds.none_yet", lang)
    return t(
        "feeds.changed_value",
        lang,
        changed=format_number(summary.rows_changed, lang),
        accepted=format_number(summary.rows_accepted or 0, lang),
        rejected=format_number(summary.rows_rejected or 0, lang),
    )


def _run_columns(lang: str) -> list[GridColumn]:
    return [
        GridColumn("started", t("feeds.started", lang), "datetime"),
        GridColumn("status", t("feeds.status", lang), "status"),
        GridColumn("accepted", t("feeds.accepted", lang), "number"),
        GridColumn("rejected", t("feeds.rejected", lang), "number"),
        GridColumn("rejected_share", t("feeds.rejected_share", lang), "percent", decimals=1),
        GridColumn("duration", t("feeds.duration", lang), "number"),
        GridColumn("error_kind", t("feeds.error_kind", lang)),
        GridColumn("error", t("feeds.error", lang)),
    ]


def _rejection_columns(lang: str) -> list[GridColumn]:
    return [GridColumn("reason", t("feeds.reason", lang)), GridColumn("raw", t("feeds.raw", lang))]


def _run_row(run: Any, lang: str) -> dict[str, Any]:
    return {
        "started": run.started_at.isoformat(),
        "status": label("run_status", run.status, lang),
        "accepted": run.accepted,
        "rejected": run.rejected,
        "rejected_share": round(run.rejected_share * 100, 1),
        "duration": run.duration_ms,
        "error_kind": run.error_kind or "",
        "error": run.error_text or "",
    }

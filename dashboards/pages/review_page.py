"""Operators' review queue (/quan-tri/du-lieu-bi-loai): rejected records grouped by reason
family and source with their 14-day trend; a record corrected and accepted, discarded, or its
source marked at fault — every action audited and undoable. This module registers the page,
lays it out and wires the callbacks; dashboards/review_view.py draws the grids, the fault list
and the record's detail and history."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from access.current import current_visitor
from access.web.context import client_ip
from access.web.sessions import auth_state
from dashboards import review_actions, review_view
from dashboards.context import current_lang, services
from dashboards.review_forms import (
    STORED_KEYS,
    FormProblem,
    correction_from,
    dimension_members,
    prefill,
)
from i18n import t
from i18n.formatting import format_datetime_local, format_value
from i18n.names import metric_name, metric_unit
from store.catalog import METRICS_BY_KEY, stored_metrics
from store.review import Review
from store.review_models import KINDS, STATUSES, QueueFilter, QueueRecord, ReviewError
from ui.page import area_options

PAGE = "review"
PATH = "/quan-tri/du-lieu-bi-loai"
FEED, FAMILY, STATUS, KIND = "review-feed", "review-family", "review-status", "review-kind"
GROUPS, RECORDS, FAULTS = "review-groups", "review-records", "review-faults"
SELECTED, CHANGED = "review-selected", "review-changed"
DETAIL, HISTORY, HINT, MESSAGE = "review-detail", "review-history", "review-hint", "review-message"
METRIC, AREA, PERIOD, VALUE, DIM = (
    "review-metric",
    "review-area",
    "review-period",
    "review-value",
    "review-dim",
)
ACCEPT, DISCARD, UNDO = "review-accept", "review-discard", "review-undo"
FAULT_FEED, FAULT_NOTE = "review-fault-feed", "review-fault-note"
FAULT, UNFAULT, FAULT_UNDO = "review-fault", "review-unfault", "review-fault-undo"
REFRESH = "review-refresh"
FILTERS = [
    Input(FEED, "value"),
    Input(FAMILY, "value"),
    Input(STATUS, "value"),
    Input(KIND, "value"),
]
FORM = [State(METRIC, "value"), State(AREA, "value"), State(PERIOD, "value")]
FORM += [State(VALUE, "value"), State(DIM, "value")]
ALL = "all"
BUTTON = "btn btn-sm"


def register(app: Dash) -> None:
    dash.register_page(
        PAGE,
        path=PATH,
        name="Dữ liệu bị loại",
        name_vi="Dữ liệu bị loại",
        name_en="Rejected data",
        order=91,
        icon="bi-clipboard-check",
        layout=layout,
        title="Dữ liệu bị loại · IOC",
    )
    _register_callbacks(app)


# -- layout ---------------------------------------------------------------------------------
def layout(feed: str | None = None, status: str | None = None, **_: Any) -> html.Div:
    """The queue, filtered by the link's feed and status (default: the open records)."""
    lang = current_lang()
    review = _review()
    feeds = review.feeds()
    shown = status if status in (*STATUSES, ALL) else "open"
    chosen = QueueFilter(feed=feed if feed in feeds else None, status=_status(shown))
    groups, records, faults = _tables(review, chosen, lang)
    return html.Div(
        [
            html.H1(t("review.title", lang), className="page-title"),
            html.Div(t("review.subtitle", lang), className="page-subtitle mb-3"),
            _filters(review, chosen, shown, feeds, lang),
            dcc.Interval(id=REFRESH, interval=services().settings.ui.refresh_interval * 1000),
            dcc.Store(id=SELECTED, data=None),
            dcc.Store(id=CHANGED, data=0),
            html.Div(faults, id=FAULTS, className="review-faults mb-2"),
            review_view.card(
                t("review.groups", lang),
                [
                    html.Div(t("review.groups_help", lang), className="small text-muted mb-1"),
                    review_view.review_grid(
                        GROUPS, review_view.group_columns(lang), groups, lang, "300px", "key"
                    ),
                ],
            ),
            dbc.Row(
                [
                    dbc.Col(
                        review_view.card(
                            t("review.records", lang),
                            [
                                html.Div(
                                    t("review.records_help", lang),
                                    className="small text-muted mb-1",
                                ),
                                review_view.review_grid(
                                    RECORDS,
                                    review_view.record_columns(lang),
                                    records,
                                    lang,
                                    "460px",
                                    "id",
                                ),
                            ],
                        ),
                        lg=7,
                    ),
                    dbc.Col(_action_card(lang), lg=5),
                ],
                className="g-3 mt-1",
            ),
        ],
        className="review-page",
        **{"data-testid": "review-queue"},
    )


def _filters(
    review: Review, chosen: QueueFilter, shown: str, feeds: list[str], lang: str
) -> html.Div:
    def labelled(name: str, control: Any) -> html.Div:
        return html.Div(
            [
                html.Label(t(f"review.filter.{name}", lang), className="form-label small mb-0"),
                control,
            ],
            className="review-filter",
        )

    return html.Div(
        [
            labelled(
                "feed",
                dcc.Dropdown(
                    id=FEED,
                    options=[{"label": f, "value": f} for f in feeds],
                    value=chosen.feed,
                    placeholder=t("review.any_feed", lang),
                    style={"minWidth": "200px"},
                ),
            ),
            labelled(
                "family",
                dcc.Dropdown(
                    id=FAMILY,
                    options=_family_options(review, chosen.feed),
                    placeholder=t("review.any_family", lang),
                    optionHeight=48,
                    style={"minWidth": "360px"},
                ),
            ),
            labelled(
                "status",
                dcc.Dropdown(
                    id=STATUS,
                    options=[
                        {"label": t(f"review.status.{s}", lang), "value": s}
                        for s in (*STATUSES, ALL)
                    ],
                    value=shown,
                    clearable=False,
                    style={"minWidth": "170px"},
                ),
            ),
            labelled(
                "kind",
                dcc.Dropdown(
                    id=KIND,
                    options=[{"label": t(f"review.kind.{k}", lang), "value": k} for k in KINDS],
                    placeholder=t("review.any_kind", lang),
                    style={"minWidth": "170px"},
                ),
            ),
        ],
        className="d-flex flex-wrap gap-2 align-items-end mb-3",
    )


def _action_card(lang: str) -> html.Div:
    metrics = [
        {"label": f"{metric_name(m, lang)} ({m.key})", "value": m.key} for m in stored_metrics()
    ]
    areas = area_options(services().queries.areas, lang, services().queries.areas.root)

    def field(name: str, control: Any) -> html.Div:
        return html.Div(
            [
                html.Label(t(f"review.field.{name}", lang), className="form-label small mb-0"),
                control,
            ],
            className="mb-2",
        )

    form = html.Div(
        [
            field("metric", dcc.Dropdown(id=METRIC, options=metrics, optionHeight=48)),
            field("area", dcc.Dropdown(id=AREA, options=areas)),
            dbc.Row(
                [
                    dbc.Col(
                        field(
                            "period",
                            dcc.Input(
                                id=PERIOD, type="text", maxLength=20, className="form-control"
                            ),
                        )
                    ),
                    dbc.Col(
                        field(
                            "value",
                            dcc.Input(
                                id=VALUE,
                                type="text",
                                maxLength=40,
                                inputMode="decimal",
                                className="form-control",
                            ),
                        )
                    ),
                ]
            ),
            field("dim", dcc.Dropdown(id=DIM, options=[], disabled=True)),
            html.Div(id=HINT, className="small text-muted mb-2", **{"data-testid": "review-hint"}),
            html.Div(
                [
                    html.Button(
                        [html.I(className="bi bi-check2-circle me-1"), t("review.accept", lang)],
                        id=ACCEPT,
                        className=f"{BUTTON} btn-primary",
                        disabled=True,
                        **{"data-testid": "review-accept"},
                    ),
                    html.Button(
                        [html.I(className="bi bi-trash me-1"), t("review.discard", lang)],
                        id=DISCARD,
                        className=f"{BUTTON} btn-outline-secondary",
                        disabled=True,
                        **{"data-testid": "review-discard"},
                    ),
                    html.Button(
                        [
                            html.I(className="bi bi-arrow-counterclockwise me-1"),
                            t("review.undo", lang),
                        ],
                        id=UNDO,
                        className=f"{BUTTON} btn-outline-warning",
                        disabled=True,
                        **{"data-testid": "review-undo"},
                    ),
                ],
                className="d-flex flex-wrap gap-2",
            ),
        ]
    )
    source = html.Div(
        [
            html.H3(t("review.source", lang), className="h6 mt-3"),
            field("feed", dcc.Dropdown(id=FAULT_FEED, options=_review().feeds())),
            field(
                "note",
                dcc.Input(
                    id=FAULT_NOTE,
                    type="text",
                    maxLength=500,
                    className="form-control",
                    placeholder=t("review.note_placeholder", lang),
                ),
            ),
            html.Div(
                [
                    html.Button(
                        [html.I(className="bi bi-flag me-1"), t("review.fault", lang)],
                        id=FAULT,
                        className=f"{BUTTON} btn-outline-danger",
                        **{"data-testid": "review-fault"},
                    ),
                    html.Button(
                        t("review.unfault", lang),
                        id=UNFAULT,
                        className=f"{BUTTON} btn-outline-secondary",
                        **{"data-testid": "review-unfault"},
                    ),
                    html.Button(
                        t("review.fault_undo", lang),
                        id=FAULT_UNDO,
                        className=f"{BUTTON} btn-outline-warning",
                        **{"data-testid": "review-fault-undo"},
                    ),
                ],
                className="d-flex flex-wrap gap-2",
            ),
        ]
    )
    return review_view.card(
        t("review.action", lang),
        [
            html.Div(t("review.pick_record", lang), id=DETAIL, **{"data-testid": "review-detail"}),
            form,
            html.Div(
                id=MESSAGE,
                className="review-message mt-2",
                role="status",
                **{"data-testid": "review-message"},
            ),
            html.Div(id=HISTORY, className="review-history small mt-2"),
            source,
        ],
    )


# -- callbacks --------------------------------------------------------------------------------
def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(GROUPS, "rowData"),
        Output(RECORDS, "rowData"),
        Output(FAULTS, "children"),
        Output(FAMILY, "options"),
        *FILTERS,
        Input(CHANGED, "data"),
        Input(REFRESH, "n_intervals"),
        prevent_initial_call=True,  # the layout already holds the first answer
    )
    def refresh(feed, family, status, kind, _changed, _tick) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
        lang, review = current_lang(), _review()
        chosen = _chosen(review, feed, family, status, kind)
        groups, records, faults = _tables(review, chosen, lang)
        return groups, records, faults, _family_options(review, chosen.feed)

    @app.callback(
        Output(FEED, "value"),
        Output(FAMILY, "value"),
        Input(GROUPS, "cellClicked"),
        prevent_initial_call=True,
    )
    def pick_group(cell) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
        picked = _clicked_group(cell)
        if picked is None:
            return no_update, no_update
        return picked

    @app.callback(
        Output(SELECTED, "data"),
        Output(METRIC, "value"),
        Output(AREA, "value"),
        Output(PERIOD, "value"),
        Output(VALUE, "value"),
        Output(DIM, "value"),
        Output(FAULT_FEED, "value"),
        Input(RECORDS, "cellClicked"),
        prevent_initial_call=True,
    )
    def pick_record(cell) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
        record = _record_of(cell)
        if record is None:
            return (no_update,) * 7
        form = prefill(record, services().queries.areas, current_lang())
        return record.id, form.metric, form.area, form.period, form.value, form.dim, record.feed_id

    @app.callback(
        Output(DETAIL, "children"),
        Output(HISTORY, "children"),
        Output(ACCEPT, "disabled"),
        Output(DISCARD, "disabled"),
        Output(UNDO, "disabled"),
        Input(SELECTED, "data"),
        Input(CHANGED, "data"),
        prevent_initial_call=True,
    )
    def show_record(selected, _changed) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
        lang, review = current_lang(), _review()
        record = review.record(selected) if isinstance(selected, int) else None
        if record is None:
            return t("review.pick_record", lang), [], True, True, True
        history = review.history(rejected_id=record.id, limit=10)
        can_undo = bool(history) and history[0].undone_at is None
        closed = record.status != "open"
        return (
            review_view.detail(record, lang),
            review_view.history(history, lang),
            closed,
            closed,
            not can_undo,
        )

    @app.callback(
        Output(DIM, "options"),
        Output(DIM, "disabled"),
        Output(PERIOD, "placeholder"),
        Input(METRIC, "value"),
    )
    def metric_chosen(metric) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
        lang = current_lang()
        chosen = METRICS_BY_KEY.get(metric) if metric in STORED_KEYS else None
        if chosen is None:
            return [], True, ""
        members = dimension_members(chosen, _review().known_dims(chosen.key))
        options = [{"label": t("review.dim_total", lang), "value": ""}]
        options += [{"label": m, "value": m} for m in members]
        return (
            options,
            chosen.dimension is None,
            t(f"review.period_hint.{chosen.period_kind}", lang),
        )

    @app.callback(
        Output(HINT, "children"),
        Input(METRIC, "value"),
        Input(AREA, "value"),
        Input(PERIOD, "value"),
        Input(DIM, "value"),
        Input(CHANGED, "data"),
        prevent_initial_call=True,
    )
    def stored_hint(metric, area, period, dim, _changed) -> str:  # type: ignore[no-untyped-def]
        lang = current_lang()
        try:
            key = correction_from(services().queries.areas, metric, area, period, "0", dim, lang)
        except FormProblem:
            return ""
        stored = _review().stored_value(key)
        if stored is None:
            return t("review.hint_none", lang)
        decimals = METRICS_BY_KEY[key.metric].decimals
        return t(
            "review.hint_stored",
            lang,
            value=format_value(stored.value, metric_unit(key.metric, lang), lang, decimals),
            feed=stored.feed_id,
            time=format_datetime_local(stored.ingested_at, lang),
        )

    @app.callback(
        Output(MESSAGE, "children"),
        Output(CHANGED, "data"),
        Input(ACCEPT, "n_clicks"),
        Input(DISCARD, "n_clicks"),
        Input(UNDO, "n_clicks"),
        Input(FAULT, "n_clicks"),
        Input(UNFAULT, "n_clicks"),
        Input(FAULT_UNDO, "n_clicks"),
        State(SELECTED, "data"),
        *FORM,
        State(FAULT_FEED, "value"),
        State(FAULT_NOTE, "value"),
        State(CHANGED, "data"),
        prevent_initial_call=True,
    )
    def act(*args: Any) -> tuple[Any, Any]:
        *_clicks, selected, metric, area, period, value, dim, feed, note, changed = args
        lang = current_lang()
        try:
            text = _apply(
                ctx.triggered_id, selected, (metric, area, period, value, dim), feed, note
            )
        except FormProblem as problem:
            return review_view.message(t(problem.key, lang, **problem.params), "danger"), no_update
        except ReviewError as error:
            return review_view.message(t("review.refused", lang, reason=str(error)), "danger"), (
                changed or 0
            ) + 1
        return review_view.message(t(text, lang), "success"), (changed or 0) + 1


def _apply(trigger: Any, selected: Any, form: tuple[Any, ...], feed: Any, note: Any) -> str:
    """Run the triggered action; the i18n key of what was done."""
    review, audit, now = _review(), auth_state().audit, services().clock()
    visitor = current_visitor()
    who = review_actions.Operator(visitor.name if visitor else "?", client_ip())
    if trigger in (FAULT, UNFAULT, FAULT_UNDO):
        if not isinstance(feed, str) or feed not in review.feeds():
            raise FormProblem("review.problem.feed")
        if trigger == FAULT:
            review_actions.mark_at_fault(review, audit, who, feed, str(note or ""), now)
        elif trigger == UNFAULT:
            review_actions.clear_fault(review, audit, who, feed, now)
        else:
            latest = next(
                (a for a in review.history(feed_id=feed) if a.action in ("fault", "unfault")),
                None,
            )
            if latest is None:
                raise FormProblem("review.problem.nothing_to_undo")
            review_actions.undo(review, audit, who, latest.id, now)
        return f"review.done.{trigger.removeprefix('review-')}"
    if not isinstance(selected, int):
        raise FormProblem("review.problem.no_record")
    if trigger == ACCEPT:
        correction = correction_from(services().queries.areas, *form, current_lang())
        review_actions.accept(review, audit, who, selected, correction, now)
    elif trigger == DISCARD:
        review_actions.discard(review, audit, who, selected, now)
    else:
        history = review.history(rejected_id=selected, limit=1)
        if not history:
            raise FormProblem("review.problem.nothing_to_undo")
        review_actions.undo(review, audit, who, history[0].id, now)
    return f"review.done.{str(trigger).removeprefix('review-')}"


# -- reading --------------------------------------------------------------------------------
def _review() -> Review:
    return services().store.review


def _chosen(review: Review, feed: Any, family: Any, status: Any, kind: Any) -> QueueFilter:
    """The filter from the controls; a value the page did not offer counts as "any"."""
    return QueueFilter(
        feed=feed if isinstance(feed, str) and feed in review.feeds() else None,
        family=family if isinstance(family, str) and family else None,
        status=_status(status),
        kind=kind if kind in KINDS else None,
    )


def _status(chosen: Any) -> str | None:
    return chosen if chosen in STATUSES else None  # "all" (or nothing offered): any status


def _tables(
    review: Review, chosen: QueueFilter, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    groups = review_view.group_rows(review.groups(chosen, services().clock()), lang)
    records = review_view.record_rows(review.records(chosen), lang)
    return groups, records, review_view.fault_list(review.faults(), lang)


def _family_options(review: Review, feed: str | None) -> list[dict[str, str]]:
    return [{"label": f, "value": f} for f in review.families(feed)]


def _clicked_group(cell: Any) -> tuple[str, str] | None:
    """The (feed, family) a click on the groups grid names: its row id is the group's key
    "feed|kind|family" (the click carries only that, never the rows themselves)."""
    if not isinstance(cell, dict) or not isinstance(cell.get("rowId"), str):
        return None
    parts = cell["rowId"].split("|", 2)
    if len(parts) != 3 or not all(parts):
        return None
    feed, _kind, family = parts
    return feed, family


def _record_of(cell: Any) -> QueueRecord | None:
    """The record a click names, read again from the store (the click only carries its id)."""
    if not isinstance(cell, dict):
        return None
    try:
        record_id = int(str(cell.get("rowId")))
    except ValueError:
        return None
    return _review().record(record_id)

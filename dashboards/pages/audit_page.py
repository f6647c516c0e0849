"""Admins' audit page (/quan-tri/nhat-ky): the audit log filtered and paged on the server,
and exported on the server as CSV."""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from access.audit import Action, Outcome
from access.current import current_visitor
from access.web.context import client_ip
from access.web.sessions import auth_state
from dashboards import audit_log
from dashboards.context import current_lang
from i18n import t
from ui.table import GridColumn, column_defs, grid

PAGE = "audit"
PATH = "/quan-tri/nhat-ky"
GRID = {"type": "audit-grid", "page": PAGE}
ACTION, ACTOR, OUTCOME, DAYS = "audit-action", "audit-actor", "audit-outcome", "audit-days"
PREVIOUS, NEXT, PAGE_NO, PAGER = "audit-previous", "audit-next", "audit-page", "audit-pager"
EXPORT, DOWNLOAD, PROBLEM = "audit-export", "audit-download", "audit-problem"
FILTERS = [Input(ACTION, "value"), Input(ACTOR, "value"), Input(OUTCOME, "value")]
DATES = [Input(DAYS, "start_date"), Input(DAYS, "end_date")]
PAGER_BUTTON = "btn btn-sm btn-outline-secondary"


def register(app: Dash) -> None:
    dash.register_page(
        PAGE,
        path=PATH,
        name="Nhật ký truy cập",
        name_vi="Nhật ký truy cập",
        name_en="Audit log",
        order=95,
        icon="bi-journal-text",
        layout=layout,
        title="Nhật ký truy cập · IOC",
    )
    _register_callbacks(app)


def columns(lang: str) -> list[GridColumn]:
    return [GridColumn(f, t(f"audit.column.{f}", lang)) for f in audit_log.FIELDS]


def layout(**_: Any) -> html.Div:
    lang = current_lang()
    table = grid(GRID, lang)
    table.columnDefs = column_defs(columns(lang), lang)
    table.dashGridOptions = {**table.dashGridOptions, "pagination": False}
    return html.Div(
        [
            html.H1(t("audit.title", lang), className="page-title"),
            html.Div(t("audit.subtitle", lang), className="page-subtitle mb-3"),
            _controls(lang),
            html.Div(id=PROBLEM, className="text-danger mb-2", role="alert"),
            table,
            html.Div(
                [
                    html.Button(
                        t("audit.previous", lang),
                        id=PREVIOUS,
                        className="btn btn-sm btn-outline-secondary",
                    ),
                    html.Span(id=PAGER, className="mx-3", **{"data-testid": "audit-pager"}),
                    html.Button(
                        t("audit.next", lang), id=NEXT, className="btn btn-sm btn-outline-secondary"
                    ),
                    html.Button(
                        [html.I(className="bi bi-filetype-csv me-1"), t("audit.export", lang)],
                        id=EXPORT,
                        className="btn btn-sm btn-primary ms-auto",
                    ),
                ],
                className="d-flex align-items-center mt-2",
            ),
            dcc.Store(id=PAGE_NO, data=0),
            dcc.Download(id=DOWNLOAD),
        ],
        className="audit-page",
    )


def _controls(lang: str) -> html.Div:
    def options(values: tuple[str, ...], group: str) -> list[dict[str, str]]:
        return [{"value": v, "label": t(f"audit.{group}.{v}", lang)} for v in values]

    return html.Div(
        [
            dcc.Dropdown(
                id=ACTION,
                options=options(tuple(a.value for a in Action), "action"),
                placeholder=t("audit.any_action", lang),
                className="scope-select",
            ),
            dcc.Input(
                id=ACTOR,
                type="text",
                debounce=True,
                maxLength=64,
                placeholder=t("audit.user", lang),
                className="form-control",
                style={"maxWidth": "220px"},
            ),
            dcc.Dropdown(
                id=OUTCOME,
                options=options(tuple(o.value for o in Outcome), "outcome"),
                placeholder=t("audit.any_outcome", lang),
                style={"minWidth": "180px"},
            ),
            dcc.DatePickerRange(
                id=DAYS,
                display_format="DD/MM/YYYY",
                clearable=True,
                start_date_placeholder_text=t("audit.from", lang),
                end_date_placeholder_text=t("audit.to", lang),
            ),
        ],
        className="d-flex flex-wrap gap-2 align-items-center mb-2",
    )


def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(GRID, "rowData"),
        Output(PAGER, "children"),
        Output(PAGE_NO, "data"),
        Output(PROBLEM, "children"),
        *FILTERS,
        *DATES,
        Input(PREVIOUS, "n_clicks"),
        Input(NEXT, "n_clicks"),
        State(PAGE_NO, "data"),
    )
    def show(action, actor, outcome, since, until, _back, _on, page) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
        lang = current_lang()
        try:
            chosen = audit_log.filters(action, actor, outcome, since, until)
        except audit_log.AuditQueryError as error:
            return [], "", 0, t("audit.bad_filter", lang, reason=str(error))
        wanted = _page_after(ctx.triggered_id, page)
        entries, total, shown = audit_log.page_of(auth_state().accounts, chosen, wanted)
        pages = max(1, -(-total // audit_log.PAGE_SIZE))
        label = t("audit.pager", lang, page=shown + 1, pages=pages, total=total)
        return [audit_log.row(e, lang) for e in entries], label, shown, ""

    @app.callback(
        Output(DOWNLOAD, "data"),
        Input(EXPORT, "n_clicks"),
        *(State(i.component_id, i.component_property) for i in FILTERS + DATES),
        prevent_initial_call=True,
    )
    def export(_clicks, action, actor, outcome, since, until) -> Any:  # type: ignore[no-untyped-def]
        lang = current_lang()
        try:
            chosen = audit_log.filters(action, actor, outcome, since, until)
        except audit_log.AuditQueryError:
            return no_update
        state = auth_state()
        body = audit_log.to_csv(
            [c.header for c in columns(lang)], audit_log.all_matching(state.accounts, chosen), lang
        )
        visitor = current_visitor()
        state.audit.record(
            Action.EXPORT,
            outcome=Outcome.SUCCESS,
            actor=visitor.name if visitor else None,
            ip=client_ip(),
            target=PATH,
            detail={"format": "csv", "bytes": len(body), "filter": str(chosen)},
        )
        return dcc.send_bytes(body, "nhat-ky-truy-cap.csv", type="text/csv")


def _page_after(trigger: Any, page: Any) -> int:
    current = page if isinstance(page, int) and page >= 0 else 0
    if trigger == PREVIOUS:
        return max(0, current - 1)
    if trigger == NEXT:
        return current + 1
    return 0  # a filter changed: back to the first page

"""A feed's run history (/nguon-du-lieu/lich-su/<feed_id>): paged on the server, filtered by
status and dates; each run's counts, duration and error, its rejected records, its payload."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc, html
from flask import current_app

from dashboards.context import current_lang, services
from dashboards.run_history import PAGE_SIZE, HistoryQuery, parse_history
from i18n import label, t
from i18n.formatting import format_datetime_local, format_number
from store.feed_board import RUN_STATUSES, FeedBoard, RunDetail, RunPage
from ui.page import page_header

PATH = "/nguon-du-lieu/lich-su/<feed_id>"
BOARD_PATH = "/nguon-du-lieu"
BOARD_KEY = "ioc.feed_board"
TONE = {"ok": "good", "partial": "warn", "failed": "critical", "running": "nodata"}


def register() -> None:
    dash.register_page(
        "feed_history",
        path_template=PATH,
        name="Lịch sử chạy",
        name_vi="Lịch sử chạy",
        name_en="Run history",
        order=91,
        icon="bi-clock-history",
        layout=layout,
        title="Lịch sử chạy · IOC",
        nav=False,  # reached from the board, not the menu
    )


def board_reads() -> FeedBoard:
    """The board's reads on the app's store (built once per app)."""
    found = current_app.extensions.get(BOARD_KEY)
    if not isinstance(found, FeedBoard):
        found = current_app.extensions.setdefault(BOARD_KEY, FeedBoard(services().store.engine))
    return found


def layout(feed_id: str | None = None, **params: Any) -> html.Div:
    lang = current_lang()
    known = {h.id for h in services().store.queries.feed_health()}
    if feed_id not in known:
        return html.Div(
            [
                _title(str(feed_id or ""), lang),
                html.Div(
                    t("board.history.unknown_feed", lang, feed=str(feed_id or "")[:64]),
                    className="alert alert-warning",
                    **{"data-testid": "history-problem"},
                ),
            ]
        )
    query = parse_history(params)
    page = board_reads().run_page(feed_id, query.where, query.page, PAGE_SIZE)
    notices = [t(key, lang, **values) for key, values in query.problems]
    if query.page > page.pages:
        notices.append(
            t(
                "board.history.page_beyond",
                lang,
                page=format_number(query.page, lang),
                pages=format_number(page.pages, lang),
            )
        )
    return html.Div(
        [
            _title(feed_id, lang),
            _filters(feed_id, query, lang),
            *[
                html.Div(
                    n, className="alert alert-warning py-2", **{"data-testid": "history-problem"}
                )
                for n in notices
            ],
            _summary(page, lang),
            html.Div(
                [_run(detail, lang) for detail in page.runs]
                or [html.Div(t("board.history.no_runs", lang), className="alert alert-info")],
                className="history-runs",
                **{"data-testid": "run-history", "data-total": str(page.total)},
            ),
            _pager(feed_id, query, page, lang),
        ]
    )


def _title(feed_id: str, lang: str) -> html.Div:
    back = dcc.Link(
        [html.I(className="bi bi-arrow-left me-1"), t("board.history.back", lang)],
        href=f"{BOARD_PATH}?{urlencode({'feed': feed_id})}",
        className="btn btn-outline-secondary",
    )
    title = t("board.history.title", lang, feed=feed_id)
    return page_header(title, t("board.history.subtitle", lang), back, lang)


def _filters(feed_id: str, query: HistoryQuery, lang: str) -> html.Form:
    """A plain GET form: the filter lives in the URL, the server reads it on each load."""
    chosen = query.statuses[0] if len(query.statuses) == 1 else ""
    options = [
        html.Option(t("board.history.all_statuses", lang), value="", selected=not chosen)
    ] + [
        html.Option(label("run_status", s, lang), value=s, selected=s == chosen)
        for s in RUN_STATUSES
    ]
    return html.Form(
        [
            html.Label(
                [
                    t("board.history.status", lang),
                    html.Select(options, name="status", className="form-select form-select-sm"),
                ],
                className="history-field",
            ),
            html.Label(
                [
                    t("board.history.from", lang),
                    dcc.Input(
                        type="text",
                        name="from",
                        placeholder=t("board.history.date_format", lang),
                        maxLength=10,
                        value=query.start.isoformat() if query.start else None,
                        className="form-control form-control-sm",
                        id="history-from",
                    ),
                ],
                className="history-field",
            ),
            html.Label(
                [
                    t("board.history.to", lang),
                    dcc.Input(
                        type="text",
                        name="to",
                        placeholder=t("board.history.date_format", lang),
                        maxLength=10,
                        value=query.end.isoformat() if query.end else None,
                        className="form-control form-control-sm",
                        id="history-to",
                    ),
                ],
                className="history-field",
            ),
            html.Button(
                t("board.history.apply", lang),
                type="submit",
                className="btn btn-primary btn-sm",
                **{"data-testid": "history-apply"},
            ),
            html.A(
                t("board.history.clear", lang),
                href=PATH.replace("<feed_id>", feed_id),
                className="btn btn-link btn-sm",
            ),
        ],
        method="GET",
        action=PATH.replace("<feed_id>", feed_id),
        className="history-filters",
        **{"data-testid": "history-filters"},
    )


def _summary(page: RunPage, lang: str) -> html.Div:
    return html.Div(
        t(
            "board.history.summary",
            lang,
            total=format_number(page.total, lang),
            page=format_number(page.page, lang),
            pages=format_number(page.pages, lang),
        ),
        className="history-summary",
    )


def _run(detail: RunDetail, lang: str) -> html.Details:
    run = detail.run
    status = label("run_status", run.status, lang)
    duration = (
        t("board.history.duration", lang, seconds=format_number(run.duration_ms / 1000, lang, 1))
        if run.duration_ms is not None
        else "—"
    )
    head = html.Summary(
        [
            html.Span(
                format_datetime_local(run.started_at, lang, "medium"), className="history-when"
            ),
            html.Span(status, className=f"history-status tone-{TONE.get(run.status, 'nodata')}"),
            html.Span(
                t(
                    "board.history.counts",
                    lang,
                    accepted=format_number(run.accepted, lang),
                    rejected=format_number(run.rejected, lang),
                    changed=format_number(run.changed, lang),
                ),
                className="history-counts",
            ),
            html.Span(duration, className="history-duration"),
            html.Span(run.error_text or "", className="history-error", title=run.error_text or ""),
        ],
        className="history-head",
    )
    body: list[Any] = []
    if run.error_text:
        body.append(
            html.Div(
                [html.B(f"{run.error_kind or ''} "), run.error_text],
                className="alert alert-danger py-2 mb-2",
            )
        )
    rejected = [r for r in detail.rejected if r[0] == "rejected"]
    warnings = [r for r in detail.rejected if r[0] == "warning"]
    for key, rows in (("board.history.rejected", rejected), ("board.history.warnings", warnings)):
        if rows:
            body += [
                html.H3(t(key, lang, shown=format_number(len(rows), lang)), className="h6"),
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [html.Th(t("feeds.reason", lang)), html.Th(t("feeds.raw", lang))]
                            )
                        ),
                        html.Tbody(
                            [
                                html.Tr([html.Td(reason), html.Td(html.Code(raw))])
                                for _kind, reason, raw in rows
                            ]
                        ),
                    ],
                    className="table table-sm history-table",
                ),
            ]
    if detail.payload is not None:
        captured, size, truncated, content = detail.payload
        note = t(
            "board.history.payload",
            lang,
            size=format_number(size, lang),
            time=format_datetime_local(captured, lang, "medium"),
        )
        if truncated:
            note += " " + t("board.history.payload_truncated", lang)
        body += [html.H3(note, className="h6"), html.Pre(content, className="history-payload")]
    if not body:
        body.append(html.Div(t("board.history.clean", lang), className="board-sub"))
    return html.Details(
        [head, html.Div(body, className="history-body")],
        className="history-run",
        **{"data-run-id": str(run.run_id), "data-status": run.status},
    )


def _pager(feed_id: str, query: HistoryQuery, page: RunPage, lang: str) -> html.Nav:
    base = {
        k: v
        for k, v in (
            ("status", ",".join(query.statuses)),
            ("from", query.start.isoformat() if query.start else ""),
            ("to", query.end.isoformat() if query.end else ""),
        )
        if v
    }

    def link(number: int, key: str, enabled: bool) -> html.A:
        href = PATH.replace("<feed_id>", feed_id) + "?" + urlencode({**base, "page": number})
        return html.A(
            t(key, lang),
            href=href if enabled else None,
            className="btn btn-sm btn-outline-primary" + ("" if enabled else " disabled"),
            **{
                "aria-disabled": "false" if enabled else "true",
                "data-testid": f"history-{key.rsplit('.', 1)[1]}",
            },
        )

    return html.Nav(
        [
            link(page.page - 1, "board.history.previous", page.page > 1),
            html.Span(
                t(
                    "board.history.page_of",
                    lang,
                    page=format_number(page.page, lang),
                    pages=format_number(page.pages, lang),
                ),
                className="history-page",
            ),
            link(page.page + 1, "board.history.next", page.page < page.pages),
        ],
        className="history-pager",
        **{"aria-label": t("board.history.pager", lang)},
    )

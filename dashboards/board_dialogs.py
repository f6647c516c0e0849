"""The feed board's dialogs: a feed's dry run (run with a time limit) and its result, and
the delete confirmation."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboards.context import services
from feeds.dry_run import DryRun, dry_run
from i18n import t
from i18n.formatting import (
    format_number,
)
from settings import FeedConfig

DELETE_MODAL, DELETE_TEXT = "feed-delete-modal", "feed-delete-text"
DELETE_CONFIRM, DELETE_CANCEL = "feed-delete-confirm", "feed-delete-cancel"
TEST_MODAL, TEST_BODY, TEST_TITLE = "feed-test-modal", "feed-test-body", "feed-test-title"
TEST_LIMIT_S = 20  # a dry run from the board gives up after this (or the feed's own timeout)
TEST_RECORDS = 10


def run_test(config: FeedConfig) -> DryRun:
    """The feed's dry run as saved or provisioned, bounded by TEST_LIMIT_S."""
    bounded = config.model_copy(update={"timeout": min(config.timeout, TEST_LIMIT_S)})
    svc = services()
    return dry_run(
        bounded, limit=TEST_RECORDS, areas=svc.store.queries.areas.by_code, now=svc.clock
    )


def test_result(result: DryRun, config: FeedConfig, lang: str) -> html.Div:
    parts: list[Any] = [
        html.Div(
            t(
                "board.test.totals",
                lang,
                records=format_number(result.total_records, lang),
                rejected=format_number(result.total_rejected, lang),
            ),
            className="board-test-totals",
            **{"data-testid": "feed-test-totals"},
        )
    ]
    if result.error:
        parts.append(
            html.Div(
                [
                    html.B(t("board.test.error", lang, kind=result.error["kind"])),
                    " ",
                    result.error["text"],
                ],
                className="alert alert-danger",
                **{"data-testid": "feed-test-error"},
            )
        )
    if result.records:
        columns = list(dict.fromkeys(k for r in result.records for k in r))
        parts += [
            html.H3(t("board.test.records", lang, count=len(result.records)), className="h6 mt-3"),
            html.Div(
                html.Table(
                    [
                        html.Thead(html.Tr([html.Th(c) for c in columns])),
                        html.Tbody(
                            [
                                html.Tr([html.Td(_cell(r.get(c))) for c in columns])
                                for r in result.records
                            ]
                        ),
                    ],
                    className="table table-sm board-test-table",
                ),
                className="board-test-scroll",
            ),
        ]
    if result.rejected:
        parts += [
            html.H3(
                t("board.test.rejected", lang, count=len(result.rejected)), className="h6 mt-3"
            ),
            html.Div(
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [html.Th(t("feeds.reason", lang)), html.Th(t("feeds.raw", lang))]
                            )
                        ),
                        html.Tbody(
                            [
                                html.Tr([html.Td(r["reason"]), html.Td(html.Code(r["raw"]))])
                                for r in result.rejected[: TEST_RECORDS * 5]
                            ]
                        ),
                    ],
                    className="table table-sm board-test-table",
                ),
                className="board-test-scroll",
            ),
        ]
    if result.ok and not result.records and not result.rejected:
        parts.append(html.Div(t("board.test.nothing", lang), className="alert alert-info"))
    parts.append(
        html.Div(
            t(
                "board.test.limit",
                lang,
                seconds=format_number(min(config.timeout, TEST_LIMIT_S), lang),
            ),
            className="board-sub mt-2",
        )
    )
    return html.Div(parts, **{"data-testid": "feed-test-result"})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def delete_modal(lang: str) -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(t("board.delete.title", lang))),
            dbc.ModalBody(html.P(id=DELETE_TEXT)),
            dbc.ModalFooter(
                [
                    html.Button(
                        t("board.delete.cancel", lang),
                        id=DELETE_CANCEL,
                        n_clicks=0,
                        className="btn btn-outline-secondary",
                    ),
                    html.Button(
                        t("board.delete.confirm", lang),
                        id=DELETE_CONFIRM,
                        n_clicks=0,
                        className="btn btn-danger",
                        **{"data-testid": "feed-delete-confirm"},
                    ),
                ]
            ),
        ],
        id=DELETE_MODAL,
        is_open=False,
    )


def test_modal(lang: str) -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(id=TEST_TITLE)),
            dbc.ModalBody(dcc.Loading(html.Div(id=TEST_BODY))),
            dbc.ModalFooter(t("board.test.nothing_written", lang), className="board-sub"),
        ],
        id=TEST_MODAL,
        size="xl",
        scrollable=True,
        is_open=False,
    )

"""Operators' feed board (/nguon-du-lieu): every feed's state, last run, lag, 7-day timeline
and quality score, late and failing feeds first; a dry run of any feed in a dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from babel.dates import format_timedelta
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashboards.context import current_lang, services
from dashboards.feed_board import BoardRow, BoardState, board_rows, day_tone
from dashboards.feed_summary import FeedStatus, FeedSummary
from dashboards.pages import feed_history
from dashboards.pages.feed_history import board_reads
from feeds.dry_run import DryRun, dry_run
from feeds.redact import redact, secret_values
from i18n import t
from i18n.formatting import (
    format_date_local,
    format_datetime_local,
    format_number,
    format_percent,
    format_relative,
    locale_for,
)
from i18n.names import domain_name
from settings import FeedConfig

PAGE = "feeds"
BOARD = "feed-board-body"
ROWS = "feed-board-rows"  # the feed id of each row, in the order the buttons were drawn
ACTION = "feed-board-action"
TEST_MODAL, TEST_BODY, TEST_TITLE = "feed-test-modal", "feed-test-body", "feed-test-title"
REFRESH = {"type": "refresh", "page": PAGE}
TEST_LIMIT_S = 20  # a dry run from the board gives up after this (or the feed's own timeout)
TEST_RECORDS = 10
DOMAIN_CACHE_S = 600  # which domains a feed writes changes rarely: re-read every 10 minutes
NEW_PATH, EDIT_PATH = "/nguon-du-lieu/moi", "/nguon-du-lieu/sua/{feed}"
HISTORY_PATH, IMPORT_PATH = "/nguon-du-lieu/lich-su/{feed}", "/nguon-du-lieu/nhap/{feed}"


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
    feed_history.register()
    _register_callbacks(app)


def layout(feed: str | None = None, **_: Any) -> html.Div:
    lang = current_lang()
    rows = current_rows()
    focus = feed if any(r.feed_id == feed for r in rows) else None
    return html.Div(
        [
            _header(lang),
            dcc.Interval(id=REFRESH, interval=services().settings.ui.refresh_interval * 1000),
            dcc.Store(id=ROWS, data=[r.feed_id for r in rows]),
            html.Div(_board(rows, focus, lang), id=BOARD),
            _test_modal(lang),
        ]
    )


def _header(lang: str) -> html.Div:
    new = html.A(
        [html.I(className="bi bi-plus-lg me-1"), t("board.new", lang)],
        href=NEW_PATH,
        className="btn btn-primary",
        **{"data-testid": "feed-new"},
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1(t("feeds.title", lang), className="page-title"),
                    html.Div(t("board.subtitle", lang), className="page-subtitle"),
                ]
            ),
            new,
        ],
        className="page-header d-flex justify-content-between align-items-end flex-wrap gap-2",
    )


def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(BOARD, "children"),
        Output(ROWS, "data"),
        Input(REFRESH, "n_intervals"),
        State("_pages_location", "search"),
        prevent_initial_call=True,  # the layout already holds the first board
    )
    def refresh(_tick: Any, search: str | None) -> tuple[Any, list[str]]:
        lang, rows = current_rows_lang()
        focus = _focus_from(search)
        return _board(rows, focus, lang), [r.feed_id for r in rows]

    @app.callback(
        Output(TEST_MODAL, "is_open"),
        Output(TEST_TITLE, "children"),
        Output(TEST_BODY, "children"),
        Input({"type": ACTION, "action": "test", "row": ALL}, "n_clicks"),
        State(ROWS, "data"),
        prevent_initial_call=True,
    )
    def test_feed(clicks: list[int | None], order: list[str] | None) -> tuple[Any, ...]:
        feed_id = _clicked_feed(clicks, order)
        if feed_id is None:
            return dash.no_update, dash.no_update, dash.no_update
        lang = current_lang()
        title = t("board.test.title", lang, feed=feed_id)
        config = _configs().get(feed_id)
        if config is None:
            return (
                True,
                title,
                html.Div(t("board.test.unknown", lang), className="alert alert-warning"),
            )
        return True, title, test_result(run_test(config), config, lang)


def current_rows_lang() -> tuple[str, list[BoardRow]]:
    return current_lang(), current_rows()


def current_rows() -> list[BoardRow]:
    """The board's rows now: the store's feeds with their runs, the configured timeouts,
    each feed's secrets masked in its error."""
    svc = services()
    now = svc.clock()
    configs = _configs()
    maskers = {fid: _masker(cfg) for fid, cfg in configs.items()}
    return board_rows(
        board_reads().feeds(now),
        now,
        timeouts={fid: cfg.timeout for fid, cfg in configs.items()},
        domains=_domains(),
        redact=maskers,
    )


def _configs() -> dict[str, FeedConfig]:
    return {f.id: f for f in services().settings.feeds}


def _masker(config: FeedConfig) -> Callable[[str], str]:
    secrets = secret_values(config.options)
    return lambda text: redact(text, secrets)


def _domains() -> dict[str, set[str]]:
    cache = services().queries.cache
    found = cache.get("feed-board-domains")
    if not isinstance(found, dict):
        found = board_reads().domains()
        cache.set("feed-board-domains", found, timeout=DOMAIN_CACHE_S)
    return found


def _focus_from(search: str | None) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs((search or "").lstrip("?")).get("feed")
    return values[0] if values else None


def _clicked_feed(clicks: list[int | None], order: list[str] | None) -> str | None:
    """The feed of the row whose button was clicked (a button drawn anew has no clicks)."""
    triggered = ctx.triggered_id
    if not isinstance(triggered, dict) or not order:
        return None
    row = triggered.get("row")
    if not isinstance(row, int) or not 0 <= row < len(order) or row >= len(clicks):
        return None
    return order[row] if clicks[row] else None


# -- the board ---------------------------------------------------------------------------------
def _board(rows: list[BoardRow], focus: str | None, lang: str) -> list[Any]:
    now = services().clock()
    if not rows:
        return [html.Div(t("board.empty", lang), className="alert alert-info")]
    head = [
        ("feed", "board.col.feed"),
        ("schedule", "board.col.schedule"),
        ("state", "board.col.state"),
        ("last_success", "feeds.last_success"),
        ("next_run", "feeds.next_run"),
        ("last_run", "board.col.last_run"),
        ("lag", "board.col.lag"),
        ("timeline", "board.col.timeline"),
        ("quality", "board.col.quality"),
        ("error", "board.col.error"),
        ("actions", "board.col.actions"),
    ]
    table = html.Table(
        [
            html.Thead(
                html.Tr([html.Th(t(key, lang), className=f"col-{name}") for name, key in head])
            ),
            html.Tbody([_row(i, r, focus, now, lang) for i, r in enumerate(rows)]),
        ],
        className="feed-board table align-middle mb-0",
        **{"data-testid": "feed-board"},
    )
    return [_counts(rows, lang), html.Div(table, className="feed-board-scroll")]


def _counts(rows: list[BoardRow], lang: str) -> html.Div:
    chips = []
    for state in BoardState:
        count = sum(r.state is state for r in rows)
        chips.append(
            html.Span(
                [
                    html.Span(className=f"board-dot board-dot-{state.value}"),
                    t(f"board.state.{state.value}", lang),
                    html.B(format_number(count, lang), className="ms-1"),
                ],
                className="board-count",
                **{"data-state": state.value, "data-count": str(count)},
            )
        )
    return html.Div(chips, className="board-counts", **{"aria-label": t("board.counts", lang)})


def _row(index: int, row: BoardRow, focus: str | None, now: datetime, lang: str) -> html.Tr:
    summary = row.summary
    classes = f"board-row board-row-{row.state.value}" + (
        " board-row-focus" if row.feed_id == focus else ""
    )
    return html.Tr(
        [
            html.Td(_feed_cell(row, lang), className="col-feed"),
            html.Td(_schedule(summary, lang), className="col-schedule"),
            html.Td(_state(row, lang), className="col-state"),
            html.Td(_moment(summary.last_success, now, lang), className="col-last_success"),
            html.Td(_next_run(summary, now, lang), className="col-next_run"),
            html.Td(_last_run(row, lang), className="col-last_run"),
            html.Td(_lag(row, lang), className="col-lag"),
            html.Td(timeline(row, lang), className="col-timeline"),
            html.Td(_quality(row, lang), className="col-quality"),
            html.Td(_error(row, lang), className="col-error"),
            html.Td(_actions(index, row, lang), className="col-actions"),
        ],
        className=classes,
        **{"data-feed-id": row.feed_id, "data-state": row.state.value},
    )


def _feed_cell(row: BoardRow, lang: str) -> list[Any]:
    summary = row.summary
    domains = ", ".join(domain_name(d, lang) for d in row.domains) or t("board.no_domain", lang)
    origin = _origin(row.feed_id, lang)
    return [
        html.A(
            summary.feed_id,
            href=HISTORY_PATH.format(feed=summary.feed_id),
            className="board-feed-id",
            title=t("board.history_link", lang),
        ),
        html.Div(
            [html.Span(summary.feed_type, className="board-type"), *origin],
            className="board-meta",
        ),
        html.Div(domains, className="board-domains", title=domains),
    ]


def _origin(feed_id: str, lang: str) -> list[Any]:
    """Where the feed's definition comes from: the configuration file, or the console (an
    override of a file feed is marked so)."""
    definitions = getattr(services().store, "feed_defs", None)
    if definitions is not None:
        found = definitions.get(feed_id)
        if found is None:
            return []
        if found.origin == "file" and found.overridden:
            key, tone = "board.origin.overridden", "edited"
        elif found.origin == "file":
            key, tone = "board.origin.file", "file"
        else:
            key, tone = "board.origin.console", "console"
    elif feed_id in _configs():
        key, tone = "board.origin.file", "file"
    else:
        return []
    return [html.Span(t(key, lang), className=f"board-origin board-origin-{tone}")]


def _schedule(summary: FeedSummary, lang: str) -> list[Any]:
    every = t("board.every", lang, interval=_duration(summary.interval, lang))
    enabled = t(
        "board.enabled" if summary.status is not FeedStatus.DISABLED else "board.disabled", lang
    )
    return [html.Div(every), html.Div(enabled, className="board-sub")]


def _state(row: BoardRow, lang: str) -> html.Span:
    detail = (
        t(f"feeds.state.{row.summary.status.value}", lang)
        if row.summary.status in DETAILED
        else None
    )
    text = t(f"board.state.{row.state.value}", lang)
    return html.Span(
        [html.I(className=f"bi {STATE_ICON[row.state]} me-1", **{"aria-hidden": "true"}), text]
        + ([html.Span(f" · {detail}", className="board-state-detail")] if detail else []),
        className=f"board-state board-state-{row.state.value}",
    )


DETAILED = frozenset({FeedStatus.FIRST_LOAD, FeedStatus.NEVER})  # said beside the state
STATE_ICON = {
    BoardState.FAILING: "bi-x-octagon-fill",
    BoardState.LATE: "bi-hourglass-split",
    BoardState.RUNNING: "bi-arrow-repeat",
    BoardState.ON_TIME: "bi-check-circle-fill",
    BoardState.DISABLED: "bi-pause-circle",
}


def _last_run(row: BoardRow, lang: str) -> Any:
    summary = row.summary
    if summary.rows_changed is None:
        return t("feeds.none_yet", lang)
    figures = [
        ("board.stored", summary.rows_accepted or 0, "stored"),
        ("board.rejected", summary.rows_rejected or 0, "rejected"),
        ("board.changed", summary.rows_changed, "changed"),
    ]
    return html.Div(
        [
            html.Span(
                [html.B(format_number(value, lang)), " ", t(key, lang)],
                className=f"board-figure board-figure-{name}",
            )
            for key, value, name in figures
        ],
        className="board-figures",
    )


def _lag(row: BoardRow, lang: str) -> Any:
    summary = row.summary
    if summary.lag is None:
        return t("feeds.none_yet", lang)
    ratio = row.lag_ratio or 0.0
    tone = "critical" if ratio >= 10 else "warn" if ratio >= 3 else "good"
    return html.Div(
        [
            html.Div(_duration(summary.lag, lang), className=f"board-lag board-lag-{tone}"),
            html.Div(
                t("board.lag_ratio", lang, ratio=format_number(ratio, lang, 1)),
                className="board-sub",
            ),
        ],
        title=t(
            "feeds.lag_value",
            lang,
            age=_duration(summary.lag, lang),
            interval=_duration(summary.interval, lang),
        ),
    )


def timeline(row: BoardRow, lang: str) -> html.Div:
    """Seven small cells, one per local day, oldest first: colour and symbol by the day's runs;
    each says its date and counts in words in its title (the tooltip, and the accessible name
    of an element with role img)."""
    cells = []
    for day in row.days:
        tone = day_tone(day)
        words = t(
            "board.day",
            lang,
            date=format_date_local(day.day, lang),
            runs=format_number(day.total, lang),
            ok=format_number(day.count("ok"), lang),
            partial=format_number(day.count("partial"), lang),
            failed=format_number(day.count("failed"), lang),
        )
        if tone == "none":
            words = t("board.day_none", lang, date=format_date_local(day.day, lang))
        cells.append(
            html.Span(
                DAY_SYMBOL[tone],
                className=f"board-day board-day-{tone}",
                title=words,
                role="img",
                **{"data-day": day.day.isoformat(), "data-tone": tone},
            )
        )
    return html.Div(
        cells,
        className="board-timeline",
        role="group",
        **{"aria-label": t("board.col.timeline", lang)},
    )


DAY_SYMBOL = {"ok": "✓", "mixed": "!", "failed": "✕", "running": "…", "none": "·"}


def _quality(row: BoardRow, lang: str) -> Any:
    q = row.quality
    score = q.score
    parts = [
        (
            "board.quality.accepted",
            q.accepted,
            t("board.quality.accepted_of", lang, read=format_number(q.records_read, lang)),
        ),
        (
            "board.quality.timeliness",
            q.timeliness,
            t(
                "board.quality.timeliness_of",
                lang,
                delivered=format_number(q.runs_delivered, lang),
                expected=format_number(q.runs_expected, lang),
            ),
        ),
        (
            "board.quality.completeness",
            q.completeness,
            t(
                "board.quality.completeness_of",
                lang,
                covered=format_number(q.days_covered, lang),
                expected=format_number(q.days_expected, lang),
            ),
        ),
    ]
    lines = [t("board.quality.explain", lang)]
    for key, value, detail in parts:
        shown = format_percent(value * 100, lang, 0) if value is not None else "—"
        lines.append(f"{t(key, lang)}: {shown} ({detail})")
    tooltip = "\n".join(lines)
    text = format_number(round(score * 100), lang) if score is not None else "—"
    return html.Span(
        text,
        className=f"board-quality board-quality-{q.tone}",
        title=tooltip,
        **{"data-score": "" if score is None else str(round(score * 100))},
    )


def _error(row: BoardRow, lang: str) -> Any:
    if not row.error:
        return html.Span("—", className="board-sub")
    failures = row.summary.consecutive_failures
    return html.Div(
        [
            html.Div(row.error, className="board-error-text"),
            html.Div(t("board.failures", lang, count=failures), className="board-sub")
            if failures
            else None,
        ],
        className="board-error",
        title=row.error,
    )


def _actions(index: int, row: BoardRow, lang: str) -> html.Div:
    buttons: list[Any] = [
        _button(index, "test", "bi-play-circle", "board.action.test", lang, "feed-test"),
        html.A(
            html.I(className="bi bi-pencil", **{"aria-hidden": "true"}),
            href=EDIT_PATH.format(feed=row.feed_id),
            className="btn btn-sm btn-outline-secondary",
            title=t("board.action.edit", lang),
            **{"data-testid": "feed-edit", "aria-label": t("board.action.edit", lang)},
        ),
        html.A(
            html.I(className="bi bi-clock-history", **{"aria-hidden": "true"}),
            href=HISTORY_PATH.format(feed=row.feed_id),
            className="btn btn-sm btn-outline-secondary",
            title=t("board.action.history", lang),
            **{"data-testid": "feed-history", "aria-label": t("board.action.history", lang)},
        ),
    ]
    if row.summary.feed_type == "tabular_file":
        buttons.append(
            html.A(
                t("board.action.import", lang),
                href=IMPORT_PATH.format(feed=row.feed_id),
                className="btn btn-sm btn-outline-secondary",
                **{"data-testid": "feed-import"},
            )
        )
    return html.Div(buttons, className="board-actions")


def _button(index: int, action: str, icon: str, key: str, lang: str, testid: str) -> html.Button:
    return html.Button(
        html.I(className=f"bi {icon}", **{"aria-hidden": "true"}),
        id={"type": ACTION, "action": action, "row": index},
        className="btn btn-sm btn-outline-primary",
        title=t(key, lang),
        n_clicks=0,
        **{"data-testid": testid, "aria-label": t(key, lang)},
    )


# -- the dry run -------------------------------------------------------------------------------
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


def _test_modal(lang: str) -> dbc.Modal:
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


# -- formatting --------------------------------------------------------------------------------
def _duration(delta: timedelta, lang: str) -> str:
    return format_timedelta(delta, threshold=1, granularity="second", locale=locale_for(lang))


def _moment(moment: datetime | None, now: datetime, lang: str) -> Any:
    if moment is None:
        return t("feeds.none_yet", lang)
    return html.Div(
        [
            html.Div(format_relative(now - moment, lang)),
            html.Div(format_datetime_local(moment, lang), className="board-sub"),
        ]
    )


def _next_run(summary: FeedSummary, now: datetime, lang: str) -> Any:
    moment = summary.next_run
    if moment is None:
        return "—"
    shown = format_datetime_local(moment, lang, "time")
    return t("feeds.next_run_due", lang, time=shown) if moment <= now else shown

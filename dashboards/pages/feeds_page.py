"""Operators' feed board (/nguon-du-lieu): every feed's state, last run, lag, 7-day timeline
and quality score, late and failing feeds first; a dry run of any feed in a dialog."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import dash
import dash_bootstrap_components as dbc
from babel.dates import format_timedelta
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from access.audit import AuditLog
from access.current import current_visitor
from access.web.context import client_ip
from dashboards.context import current_lang, services
from dashboards.feed_board import BoardRow, BoardState, board_rows, day_tone
from dashboards.feed_summary import FeedStatus, FeedSummary
from dashboards.pages import feed_history
from dashboards.pages.feed_history import board_reads
from feeds import console
from feeds.definitions import InvalidDefinition, config_of
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
from store.accounts import Accounts
from store.feed_board import BoardFeed, window_days
from store.feed_defs import FeedDefinition
from store.read_models import FeedHealth
from ui.page import page_header

PAGE = "feeds"
BOARD = "feed-board-body"
ROWS = "feed-board-rows"  # each row's feed and version, in the order the buttons were drawn
NOTICE = "feed-board-notice"
PENDING_DELETE = "feed-board-pending-delete"
DELETE_MODAL, DELETE_TEXT = "feed-delete-modal", "feed-delete-text"
DELETE_CONFIRM, DELETE_CANCEL = "feed-delete-confirm", "feed-delete-cancel"
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
            dcc.Store(id=ROWS, data=row_keys(rows)),
            dcc.Store(id=PENDING_DELETE),
            html.Div(id=NOTICE, **{"aria-live": "polite"}),
            html.Div(_board(rows, focus, lang), id=BOARD),
            _test_modal(lang),
            _delete_modal(lang),
        ]
    )


def _header(lang: str) -> html.Div:
    new = html.A(
        [html.I(className="bi bi-plus-lg me-1"), t("board.new", lang)],
        href=NEW_PATH,
        className="btn btn-primary",
        **{"data-testid": "feed-new"},
    )
    return page_header(t("feeds.title", lang), t("board.subtitle", lang), new, lang)


def row_keys(rows: list[BoardRow]) -> list[dict[str, Any]]:
    """What each row's buttons act on: the feed and the definition version it was drawn at."""
    return [{"id": r.feed_id, "version": r.version, "paused": r.paused} for r in rows]


def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(BOARD, "children"),
        Output(ROWS, "data"),
        Output(NOTICE, "children"),
        Input(REFRESH, "n_intervals"),
        Input({"type": ACTION, "action": "run", "row": ALL}, "n_clicks"),
        Input({"type": ACTION, "action": "pause", "row": ALL}, "n_clicks"),
        Input(DELETE_CONFIRM, "n_clicks"),
        State(ROWS, "data"),
        State(PENDING_DELETE, "data"),
        State("_pages_location", "search"),
        prevent_initial_call=True,  # the layout already holds the first board
    )
    def update(
        _tick: Any,
        runs: list[int | None],
        pauses: list[int | None],
        _confirm: Any,
        keys: list[dict[str, Any]] | None,
        pending: dict[str, Any] | None,
        search: str | None,
    ) -> tuple[Any, ...]:
        lang = current_lang()
        notice = _act(ctx.triggered_id, runs, pauses, keys, pending, lang)
        rows = current_rows()
        return _board(rows, _focus_from(search), lang), row_keys(rows), notice

    @app.callback(
        Output(DELETE_MODAL, "is_open"),
        Output(DELETE_TEXT, "children"),
        Output(PENDING_DELETE, "data"),
        Input({"type": ACTION, "action": "delete", "row": ALL}, "n_clicks"),
        Input(DELETE_CONFIRM, "n_clicks"),
        Input(DELETE_CANCEL, "n_clicks"),
        State(ROWS, "data"),
        prevent_initial_call=True,
    )
    def ask_delete(
        clicks: list[int | None], _confirm: Any, _cancel: Any, keys: list[dict[str, Any]] | None
    ) -> tuple[Any, ...]:
        if ctx.triggered_id in (DELETE_CONFIRM, DELETE_CANCEL):
            return False, dash.no_update, dash.no_update
        key = _clicked(clicks, keys)
        if key is None:
            return dash.no_update, dash.no_update, dash.no_update
        return True, t("board.delete.question", current_lang(), feed=key["id"]), key

    @app.callback(
        Output(TEST_MODAL, "is_open"),
        Output(TEST_TITLE, "children"),
        Output(TEST_BODY, "children"),
        Input({"type": ACTION, "action": "test", "row": ALL}, "n_clicks"),
        State(ROWS, "data"),
        prevent_initial_call=True,
    )
    def test_feed(clicks: list[int | None], keys: list[dict[str, Any]] | None) -> tuple[Any, ...]:
        key = _clicked(clicks, keys)
        if key is None:
            return dash.no_update, dash.no_update, dash.no_update
        lang = current_lang()
        feed_id = str(key["id"])
        title = t("board.test.title", lang, feed=feed_id)
        config = _configs().get(feed_id)
        if isinstance(config, str):
            return True, title, html.Div(config, className="alert alert-warning")
        if config is None:
            unknown = html.Div(t("board.test.unknown", lang), className="alert alert-warning")
            return True, title, unknown
        return True, title, test_result(run_test(config), config, lang)


def _act(
    triggered: Any,
    runs: list[int | None],
    pauses: list[int | None],
    keys: list[dict[str, Any]] | None,
    pending: dict[str, Any] | None,
    lang: str,
) -> Any:
    """Apply the clicked action through feeds.console; the notice that says how it went."""
    if triggered == DELETE_CONFIRM:
        key, action = pending, "delete"
    elif isinstance(triggered, dict) and triggered.get("action") in ("run", "pause"):
        action = str(triggered["action"])
        key = _clicked(runs if action == "run" else pauses, keys)
    else:
        return dash.no_update  # the timer: the notice stays as it was
    if not isinstance(key, dict) or not isinstance(key.get("id"), str):
        return dash.no_update
    feed_id, version = key["id"], key.get("version")
    svc = services()
    audit = AuditLog(Accounts(svc.store.engine), svc.clock)
    user, ip = current_visitor(), client_ip()
    if user is None:
        return dash.no_update
    try:
        if action == "run":
            console.run_feed_now(svc.store, audit, user, feed_id, ip=ip)
            return _notice("success", t("board.done.run", lang, feed=feed_id))
        if not isinstance(version, int):
            return _notice("warning", t("board.not_defined", lang, feed=feed_id))
        if action == "delete":
            console.delete_feed(svc.store, audit, user, feed_id, expected_version=version, ip=ip)
            return _notice("success", t("board.done.delete", lang, feed=feed_id))
        if key.get("paused"):
            console.resume_feed(svc.store, audit, user, feed_id, expected_version=version, ip=ip)
            return _notice("success", t("board.done.resume", lang, feed=feed_id))
        console.pause_feed(svc.store, audit, user, feed_id, expected_version=version, ip=ip)
        return _notice("success", t("board.done.pause", lang, feed=feed_id))
    except console.StaleEdit as stale:
        return _notice("danger", stale_text(stale.current, version, lang), "board-stale")
    except console.UnknownFeed:
        return _notice("warning", t("board.not_defined", lang, feed=feed_id))


def stale_text(current: Any, expected: object, lang: str) -> str:
    """Who changed the feed, when, to which version, since the board drew it."""
    when = format_datetime_local(current.updated_at, lang, "medium") if current.updated_at else "?"
    return t(
        "board.stale",
        lang,
        feed=current.id,
        who=current.updated_by or "?",
        time=when,
        version=current.version,
        expected=expected,
    )


def _notice(color: str, text: str, testid: str = "board-notice") -> dbc.Alert:
    return html.Div(
        text, className=f"alert alert-{color} py-2", role="alert", **{"data-testid": testid}
    )


def current_rows() -> list[BoardRow]:
    """The board's rows now: the store's feeds with their runs (a deleted feed hidden, a
    defined feed that never ran included), their definitions, the configured timeouts, each
    feed's secrets masked in its error."""
    svc = services()
    now = svc.clock()
    definitions = {d.id: d for d in svc.store.feed_defs.all(include_deleted=True)}
    configs = _configs(definitions)
    found = board_reads().feeds(now)
    known = {f.health.id for f in found}
    found += [
        _never_run(d, configs.get(d.id), now)
        for d in definitions.values()
        if not d.deleted and d.id not in known
    ]
    shown = [f for f in found if not _deleted(definitions.get(f.health.id))]
    valid = {fid: cfg for fid, cfg in configs.items() if isinstance(cfg, FeedConfig)}
    return board_rows(
        shown,
        now,
        timeouts={fid: cfg.timeout for fid, cfg in valid.items()},
        domains=_domains(),
        redact={fid: _masker(cfg) for fid, cfg in valid.items()},
        definitions=definitions,
        review=svc.store.review.feed_states(),
    )


def _deleted(definition: FeedDefinition | None) -> bool:
    return definition is not None and definition.deleted


def _never_run(definition: FeedDefinition, config: object, now: datetime) -> BoardFeed:
    """A defined feed the scheduler has not taken up yet: no health row, no runs."""
    interval = config.interval if isinstance(config, FeedConfig) else 0
    enabled = bool(definition.config.get("enabled", True)) and not definition.paused
    health = FeedHealth(
        definition.id,
        str(definition.config.get("type", "")),
        enabled,
        False,
        interval,
        None,
        None,
        None,
        None,
        None,
        0,
    )
    return BoardFeed(
        health=health, current=None, last=None, first_run_at=None, days=window_days(now)
    )


def _configs(
    definitions: dict[str, FeedDefinition] | None = None,
) -> dict[str, FeedConfig | str]:
    """Each feed's effective configuration (its stored definition, else config.yaml's); a
    definition that does not validate here gives the reason instead."""
    found: dict[str, FeedConfig | str] = {f.id: f for f in services().settings.feeds}
    if definitions is None:
        definitions = {d.id: d for d in services().store.feed_defs.all()}
    for feed_id, definition in definitions.items():
        try:
            found[feed_id] = config_of(definition)
        except InvalidDefinition as exc:
            found[feed_id] = str(exc)
    return found


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
    values = parse_qs((search or "").lstrip("?")).get("feed")
    return values[0] if values else None


def _clicked(clicks: list[int | None], keys: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The key of the row whose button was clicked (a button drawn anew has no clicks)."""
    triggered = ctx.triggered_id
    if not isinstance(triggered, dict) or not keys:
        return None
    row = triggered.get("row")
    if not isinstance(row, int) or not 0 <= row < len(keys) or row >= len(clicks):
        return None
    return keys[row] if clicks[row] else None


# -- the board ---------------------------------------------------------------------------------
Element = dict[str, Any]


class _PlainHtml:
    """`_h.Td(children, className=...)`: an html component as the JSON Dash sends it. The
    board draws 200 rows of some fifty elements; building them as Dash component objects
    (each checking its arguments) took longer than all of the board's SQL."""

    def __getattr__(self, tag: str) -> Callable[..., Element]:
        def element(children: Any = None, **props: Any) -> Element:
            if children is not None:
                props["children"] = children
            return {"type": tag, "namespace": "dash_html_components", "props": props}

        return element


_h = _PlainHtml()


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


def _row(index: int, row: BoardRow, focus: str | None, now: datetime, lang: str) -> Element:
    summary = row.summary
    classes = f"board-row board-row-{row.state.value}" + (
        " board-row-focus" if row.feed_id == focus else ""
    )
    return _h.Tr(
        [
            _h.Td(
                _feed_cell(row, lang),
                className="col-feed",
                **{"data-label": t("board.col.feed", lang)},
            ),
            _h.Td(
                _schedule(row, lang),
                className="col-schedule",
                **{"data-label": t("board.col.schedule", lang)},
            ),
            _h.Td(
                _state(row, lang),
                className="col-state",
                **{"data-label": t("board.col.state", lang)},
            ),
            _h.Td(
                _moment(summary.last_success, now, lang),
                className="col-last_success",
                **{"data-label": t("feeds.last_success", lang)},
            ),
            _h.Td(
                _next_run(summary, now, lang),
                className="col-next_run",
                **{"data-label": t("feeds.next_run", lang)},
            ),
            _h.Td(
                _last_run(row, lang),
                className="col-last_run",
                **{"data-label": t("board.col.last_run", lang)},
            ),
            _h.Td(_lag(row, lang), className="col-lag", **{"data-label": t("board.col.lag", lang)}),
            _h.Td(
                timeline(row, lang),
                className="col-timeline",
                **{"data-label": t("board.col.timeline", lang)},
            ),
            _h.Td(
                _quality(row, lang),
                className="col-quality",
                **{"data-label": t("board.col.quality", lang)},
            ),
            _h.Td(
                _error(row, lang),
                className="col-error",
                **{"data-label": t("board.col.error", lang)},
            ),
            _h.Td(
                _actions(index, row, lang),
                className="col-actions",
                **{"data-label": t("board.col.actions", lang)},
            ),
        ],
        className=classes,
        **{"data-feed-id": row.feed_id, "data-state": row.state.value},
    )


def _feed_cell(row: BoardRow, lang: str) -> list[Any]:
    summary = row.summary
    domains = ", ".join(domain_name(d, lang) for d in row.domains) or t("board.no_domain", lang)
    origin = _origin(row, lang) + _review_marks(row, lang)
    return [
        _h.A(
            summary.feed_id,
            href=HISTORY_PATH.format(feed=summary.feed_id),
            className="board-feed-id",
            title=t("board.history_link", lang),
        ),
        _h.Div(
            [_h.Span(summary.feed_type, className="board-type"), *origin],
            className="board-meta",
        ),
        _h.Div(domains, className="board-domains", title=domains),
    ]


REVIEW_PATH = "/quan-tri/du-lieu-bi-loai?feed={feed}"


def _review_marks(row: BoardRow, lang: str) -> list[Any]:
    """What the review queue says of the source: marked at fault (with who, when and why),
    and how many of its rejected records wait for review — each a link to the queue."""
    marks: list[Any] = []
    href = REVIEW_PATH.format(feed=row.feed_id)
    if row.fault is not None:
        why = t(
            "board.fault_title",
            lang,
            note=row.fault.note or "—",
            who=row.fault.marked_by,
            when=format_datetime_local(row.fault.marked_at, lang),
        )
        marks.append(
            _h.A(
                t("board.fault", lang),
                href=href,
                title=why,
                className="board-fault",
                **{"data-testid": "feed-at-fault"},
            )
        )
    if row.open_rejected:
        count = format_number(row.open_rejected, lang)
        marks.append(
            _h.A(t("board.open_rejected", lang, count=count), href=href, className="board-review")
        )
    return marks


ORIGIN_KEYS = {
    "file": "board.origin.file",
    "edited": "board.origin.overridden",
    "console": "board.origin.console",
}


def _origin(row: BoardRow, lang: str) -> list[Any]:
    """Where the feed's definition comes from: the configuration file, or the console (an
    override of a file feed is marked so). A feed of config.yaml not yet provisioned into
    the definitions is the file's."""
    origin = row.origin
    if origin is None and any(f.id == row.feed_id for f in services().settings.feeds):
        origin = "file"
    if origin is None:
        return []
    return [_h.Span(t(ORIGIN_KEYS[origin], lang), className=f"board-origin board-origin-{origin}")]


def _schedule(row: BoardRow, lang: str) -> list[Any]:
    summary = row.summary
    every = t("board.every", lang, interval=_duration(summary.interval, lang))
    if row.paused:
        key = "board.paused"
    elif summary.status is FeedStatus.DISABLED:
        key = "board.disabled"
    else:
        key = "board.enabled"
    return [_h.Div(every), _h.Div(t(key, lang), className="board-sub")]


def _state(row: BoardRow, lang: str) -> Element:
    detail = (
        t(f"feeds.state.{row.summary.status.value}", lang)
        if row.summary.status in DETAILED and not row.paused
        else t("board.paused", lang)
        if row.paused
        else None
    )
    text = t(f"board.state.{row.state.value}", lang)
    return _h.Span(
        [_h.I(className=f"bi {STATE_ICON[row.state]} me-1", **{"aria-hidden": "true"}), text]
        + ([_h.Span(f"\u00a0· {detail}", className="board-state-detail")] if detail else []),
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
    return _h.Div(
        [
            _h.Span(
                [_h.B(_number(value, lang)), " ", t(key, lang)],
                className=f"board-figure board-figure-{name}" + (" has-value" if value else ""),
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
    return _h.Div(
        [
            _h.Div(_duration(summary.lag, lang), className=f"board-lag board-lag-{tone}"),
            _h.Div(
                t("board.lag_ratio", lang, ratio=_number(ratio, lang, 1)),
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


def timeline(row: BoardRow, lang: str) -> Element:
    """Seven small cells, one per local day, oldest first: colour and symbol by the day's runs;
    each says its date and counts in words in its title (the tooltip, and the accessible name
    of an element with role img)."""
    cells = []
    for day in row.days:
        tone = day_tone(day)
        words = t(
            "board.day",
            lang,
            date=_date(day.day, lang),
            runs=_number(day.total, lang),
            ok=_number(day.count("ok"), lang),
            partial=_number(day.count("partial"), lang),
            failed=_number(day.count("failed"), lang),
        )
        if tone == "none":
            words = t("board.day_none", lang, date=_date(day.day, lang))
        cells.append(
            _h.Span(
                DAY_SYMBOL[tone],
                className=f"board-day board-day-{tone}",
                title=words,
                role="img",
                **{"data-day": day.day.isoformat(), "data-tone": tone},
            )
        )
    return _h.Div(
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
            t("board.quality.accepted_of", lang, read=_number(q.records_read, lang)),
        ),
        (
            "board.quality.timeliness",
            q.timeliness,
            t(
                "board.quality.timeliness_of",
                lang,
                delivered=_number(q.runs_delivered, lang),
                expected=_number(q.runs_expected, lang),
            ),
        ),
        (
            "board.quality.completeness",
            q.completeness,
            t(
                "board.quality.completeness_of",
                lang,
                covered=_number(q.days_covered, lang),
                expected=_number(q.days_expected, lang),
            ),
        ),
    ]
    lines = [t("board.quality.explain", lang)]
    for key, value, detail in parts:
        shown = _percent(round(value * 100), lang, 0) if value is not None else "—"
        lines.append(f"{t(key, lang)}: {shown} ({detail})")
    tooltip = "\n".join(lines)
    text = _number(round(score * 100), lang) if score is not None else "—"
    return _h.Span(
        text,
        className=f"board-quality board-quality-{q.tone}",
        title=tooltip,
        **{"data-score": "" if score is None else str(round(score * 100))},
    )


def _error(row: BoardRow, lang: str) -> Any:
    if not row.error:
        return _h.Span("—", className="board-sub")
    failures = row.summary.consecutive_failures
    return _h.Div(
        [
            _h.Div(row.error, className="board-error-text"),
            _h.Div(t("board.failures", lang, count=failures), className="board-sub")
            if failures
            else None,
        ],
        className="board-error",
        title=row.error,
    )


def _actions(index: int, row: BoardRow, lang: str) -> Element:
    defined = row.version is not None
    pause_key = "board.action.resume" if row.paused else "board.action.pause"
    pause_icon = "bi-play-fill" if row.paused else "bi-pause-fill"
    buttons: list[Any] = [
        _button(index, "test", "bi-clipboard-check", "board.action.test", lang, "feed-test"),
        _button(
            index,
            "run",
            "bi-lightning-charge",
            "board.action.run",
            lang,
            "feed-run-now",
            enabled=defined,
        ),
        _button(index, "pause", pause_icon, pause_key, lang, "feed-pause", enabled=defined),
        _link(
            EDIT_PATH.format(feed=row.feed_id), "bi-pencil", "board.action.edit", lang, "feed-edit"
        ),
        _link(
            HISTORY_PATH.format(feed=row.feed_id),
            "bi-clock-history",
            "board.action.history",
            lang,
            "feed-history",
        ),
    ]
    if row.summary.feed_type == "tabular_file":
        buttons.append(
            _h.A(
                t("board.action.import", lang),
                href=IMPORT_PATH.format(feed=row.feed_id),
                className="btn btn-sm btn-outline-secondary",
                **{"data-testid": "feed-import"},
            )
        )
    buttons.append(
        _button(
            index,
            "delete",
            "bi-trash",
            "board.action.delete",
            lang,
            "feed-delete",
            enabled=defined,
            tone="danger",
        )
    )
    return _h.Div(buttons, className="board-actions")


def _link(href: str, icon: str, key: str, lang: str, testid: str) -> Element:
    return _h.A(
        _h.I(className=f"bi {icon}", **{"aria-hidden": "true"}),
        href=href,
        className="btn btn-sm btn-outline-secondary",
        title=t(key, lang),
        **{"data-testid": testid, "aria-label": t(key, lang)},
    )


def _button(
    index: int,
    action: str,
    icon: str,
    key: str,
    lang: str,
    testid: str,
    *,
    enabled: bool = True,
    tone: str = "primary",
) -> Element:
    """A row's action button; one the feed's definition is needed for is disabled (and says
    why) while the feed has none."""
    title = t(key, lang) if enabled else f"{t(key, lang)} — {t('board.needs_definition', lang)}"
    return _h.Button(
        _h.I(className=f"bi {icon}", **{"aria-hidden": "true"}),
        id={"type": ACTION, "action": action, "row": index},
        className=f"btn btn-sm btn-outline-{tone}",
        title=title,
        disabled=not enabled,
        n_clicks=0,
        **{"data-testid": testid, "aria-label": title},
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


def _delete_modal(lang: str) -> dbc.Modal:
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
# The board formats the same few numbers, days and intervals for 200 rows: Babel once each.
@functools.lru_cache(maxsize=4096)
def _number(value: float, lang: str, decimals: int = 0) -> str:
    return format_number(value, lang, decimals)


@functools.lru_cache(maxsize=64)
def _date(day: date, lang: str) -> str:
    return format_date_local(day, lang)


@functools.lru_cache(maxsize=512)
def _percent(value: float, lang: str, decimals: int) -> str:
    return format_percent(value, lang, decimals)


def _duration(delta: timedelta, lang: str) -> str:
    return _seconds_text(int(delta.total_seconds()), lang)


@functools.lru_cache(maxsize=4096)
def _seconds_text(seconds: int, lang: str) -> str:
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1, granularity="second", locale=locale_for(lang)
    )


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

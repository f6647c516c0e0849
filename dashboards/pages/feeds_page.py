"""Operators' feed board (/nguon-du-lieu): every feed's state, last run, lag, 7-day timeline
and quality score, late and failing feeds first; a dry run of any feed in a dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from access.audit import AuditLog
from access.current import current_visitor
from access.web.context import client_ip
from dashboards.board_dialogs import (
    DELETE_CANCEL,
    DELETE_CONFIRM,
    DELETE_MODAL,
    DELETE_TEXT,
    TEST_BODY,
    TEST_MODAL,
    TEST_TITLE,
    delete_modal,
    run_test,
    test_modal,
    test_result,
)
from dashboards.board_view import ACTION, NEW_PATH, board_table
from dashboards.context import current_lang, services
from dashboards.feed_board import BoardRow, board_rows
from dashboards.pages import feed_history
from dashboards.pages.feed_history import board_reads
from feeds import console
from feeds.definitions import InvalidDefinition, config_of
from feeds.redact import redact, secret_values
from i18n import t
from i18n.formatting import (
    format_datetime_local,
)
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
REFRESH = {"type": "refresh", "page": PAGE}
DOMAIN_CACHE_S = 600  # which domains a feed writes changes rarely: re-read every 10 minutes


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
            html.Div(board_table(rows, focus, lang), id=BOARD),
            test_modal(lang),
            delete_modal(lang),
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
        return board_table(rows, _focus_from(search), lang), row_keys(rows), notice

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

"""Database faults seen by the web side: a request the database cannot answer gets a clear,
bounded 503 (never a traceback), and every page's banner says when the database is lost."""

from __future__ import annotations

import logging
from html import escape

from dash import Dash, Input, Output
from flask import Flask, Response, jsonify, request
from sqlalchemy import exc as sa_exc

from dashboards.context import current_lang, services
from i18n import t
from store.guard import DatabaseUnavailable, is_database_fault
from ui.db_banner import BANNER, STATE, STATE_SINK, WATCH

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5
# Reload once the database is back: the page's own reads failed meanwhile. The wall keeps
# what it shows and catches up by itself, so it is not reloaded.
RECOVER_JS = """
function(state) {
    const previous = window.iocDbState;
    window.iocDbState = state;
    if (previous === 'lost' && state === 'ok' && !window.location.pathname.startsWith('/wall')) {
        window.location.reload();
    }
    return window.dash_clientside.no_update;
}
"""


def register(app: Dash) -> None:
    _error_handler(app.server)

    # Not on load: the page was just served from the database (a lost one answers 503).
    @app.callback(
        Output(BANNER, "hidden"),
        Output(STATE, "data"),
        Input(WATCH, "n_intervals"),
        prevent_initial_call=True,
    )
    def database_state(_n: int | None) -> tuple[bool, str]:
        reachable = services().store.guard.reachable()
        return reachable, "ok" if reachable else "lost"

    app.clientside_callback(RECOVER_JS, Output(STATE_SINK, "data"), Input(STATE, "data"))


def _error_handler(server: Flask) -> None:
    def database_fault(exc: Exception) -> Response:
        if not is_database_fault(exc):
            raise exc  # a faulty statement, not a lost database: the app's 500 handling
        log.info("%s %s: database unavailable", request.method, request.path[:200])
        response = _fault_response()
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        response.headers["Cache-Control"] = "no-store"
        return response

    for fault in (DatabaseUnavailable, sa_exc.TimeoutError, sa_exc.DBAPIError):
        server.register_error_handler(fault, database_fault)


def _fault_response() -> Response:
    lang = current_lang()
    if request.path == "/healthz":
        return jsonify({"status": "degraded", "database": {"reachable": False}})
    if request.path.startswith("/_dash-") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": "database_unavailable", "message": t("db.lost_title", lang)})
    title, note = escape(t("db.lost_title", lang)), escape(t("db.lost_page", lang))
    page = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{RETRY_AFTER_S}"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{note}</p></body></html>"
    )
    return Response(page, mimetype="text/html")

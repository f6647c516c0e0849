"""HTTP hygiene around the pages: bounded bodies, checked callback requests, clean error
answers without tracebacks, a 404 status for unknown paths and security headers everywhere."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from dash import Dash, _pages
from dash.exceptions import DependencyException
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from dashboards.guard import CALLBACK_PATH, Refused, check_callback, log_refusal, shorten

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 2048  # a page's own links stay far below; a longer query string is refused
# Styles: Dash's components, Plotly and AG Grid write <style> elements and style attributes at
# run time (react-select, the grid's themes, Plotly's own sheet), so styles need
# 'unsafe-inline'; scripts do not: only the app's files and the hashes of Dash's inline scripts.
# media-src blob: lets hls.js feed the relayed HLS segments to a <video> (Media Source).
CSP = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def register(app: Dash, max_request_bytes: int) -> None:
    """Install the request checks, error handlers and headers on the app's Flask server."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    csp: list[str] = []  # computed on the first response, once every inline script exists

    @server.before_request
    def check_request() -> Any:
        if len(request.query_string) > MAX_QUERY_CHARS:
            return _refuse(Refused(f"query string longer than {MAX_QUERY_CHARS}"))
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            body = _json_body()
            if body is None:
                raise Refused("the body is not JSON", request.get_data(as_text=True)[:200])
            check_callback(body, app.callback_map)
        except Refused as refusal:
            return _refuse(refusal)
        return None

    @server.after_request
    def secure(response: Response) -> Response:
        if not csp:
            csp.append(CSP.format(hashes=" ".join(app.csp_hashes())))
        response.headers.setdefault("Content-Security-Policy", csp[0])
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.pop("Server", None)
        if response.status_code == 200 and _unknown_page(app, server):
            response.status_code = 404  # the shell still renders its "not found" page
        return response

    _error_handlers(server)


def _json_body() -> Any:
    try:
        return request.get_json(silent=True)
    except RecursionError:  # nested deeper than the decoder goes
        raise Refused("the body is nested too deeply") from None


def _unknown_page(app: Dash, server: Flask) -> bool:
    """A GET served by Dash's catch-all index for a path no page declares."""
    if request.method not in ("GET", "HEAD") or request.url_rule is None:
        return False
    if request.url_rule.rule not in ("/<path:path>",):
        return False
    page, _variables = _pages._path_to_page(app.strip_relative_path(request.path))
    return not page


def _refuse(refusal: Refused) -> tuple[Response, int]:
    log_refusal(f"{request.method} {request.path}", refusal)
    return jsonify(error="bad request", reason=refusal.reason), 400


def _error_handlers(server: Flask) -> None:
    @server.errorhandler(Refused)
    def refused(refusal: Refused) -> Any:
        return _refuse(refusal)

    @server.errorhandler(DependencyException)
    def unknown_bundle(_error: DependencyException) -> Any:
        return jsonify(error="not found", status=404), 404  # a bundle no library registered

    @server.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code == 413:
            log.warning("refused %s %s: body over the limit", request.method, request.path[:80])
        body = {"error": (error.name or "error").lower(), "status": error.code}
        response = jsonify(body)
        response.status_code = error.code or 500
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @server.errorhandler(Exception)
    def server_error(error: Exception) -> Any:
        """One line in the log (the kind and where), a plain answer, never a traceback."""
        where = f"{request.method} {request.path[:80]}"
        frame = traceback.extract_tb(error.__traceback__)[-1:]  # where it failed, one line
        at = f" at {frame[0].filename}:{frame[0].lineno}" if frame else ""
        log.error("error on %s: %s: %s%s", where, type(error).__name__, shorten(str(error)), at)
        return jsonify(error="internal error", status=500), 500

"""The guard in front of every request: who is asking, and may they ask this?

Pages without a session go to the sign-in page; everything else (Dash callbacks, layout,
API, images, streams, exports, geometry) answers 401. Only the assets, the sign-in page and
the public liveness answer of /healthz are open.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlsplit

from dash import Dash
from flask import Response, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from access.current import VisitorKind, set_visitor
from access.roles import Capability
from access.web.context import audit_denied, json_body, request_lang
from access.web.csrf import SAFE_METHODS, csrf_ok, same_origin
from access.web.display import (
    TOKEN_ARG,
    display_may,
    display_visitor,
    exchange_token,
    refused_display,
)
from access.web.pages import refusal_page
from access.web.permissions import allowed, restrictions
from access.web.sessions import auth_state, session_user, user_visitor
from i18n import t

SIGNIN_PATH = "/dang-nhap"
SIGNOUT_PATH = "/dang-xuat"
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/")
OPEN_PATHS = frozenset({"/_favicon.ico", "/favicon.ico", "/healthz"})
# Posts that check their own CSRF token, so that they can answer with a page, not a bare 403.
SELF_CHECKED = frozenset({SIGNIN_PATH, SIGNOUT_PATH})
CALLBACK_PATH = "/_dash-update-component"
# Set only by `warm_up` in-process (a client cannot put a key without HTTP_ into the environ):
# renders the empty index page once so Dash registers its bundles; it carries no data.
WARM_UP_ENVIRON = "ioc.warm_up"
_MAX_NEXT = 2000


class Kind(StrEnum):
    OPEN = "open"  # anyone
    PAGE = "page"  # an HTML navigation: without a session, go and sign in
    API = "api"  # everything else: without a session, 401


def classify(path: str, rule: str | None, also_open: frozenset[str] = frozenset()) -> Kind:
    if path in OPEN_PATHS or path in SELF_CHECKED or path in also_open:
        return Kind.OPEN
    if path.startswith(OPEN_PREFIXES):
        return Kind.OPEN
    if rule in ("/", "/<path:path>"):  # Dash's index: every page's HTML
        return Kind.PAGE
    return Kind.API


def safe_next(value: str | None) -> str:
    """`value` if it is a path on this site (not //host, not a scheme), else "/"."""
    if not value or len(value) > _MAX_NEXT or not value.startswith("/"):
        return "/"
    if value.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith((SIGNIN_PATH, SIGNOUT_PATH)):
        return "/"
    return value


def install_guard(app: Dash) -> None:
    @app.server.before_request
    def guard() -> Any:
        return check_request(app)


def check_request(app: Dash) -> Any:
    """Set the visitor, then refuse what it may not do (None lets the request through)."""
    is_callback = request.path == CALLBACK_PATH
    user = session_user(activity=not (is_callback and _timer_only()))
    visitor = user_visitor(user) if user else display_visitor()
    set_visitor(visitor)
    rule = request.url_rule.rule if request.url_rule else None
    kind = classify(request.path, rule, auth_state().open_paths)
    if kind is Kind.PAGE and request.environ.get(WARM_UP_ENVIRON) is True:
        return None
    if kind is Kind.PAGE and TOKEN_ARG in request.args:
        exchanged = exchange_token()
        if exchanged is not None:
            return exchanged
    if kind is not Kind.OPEN and visitor is None:
        return _sign_in_first(kind)
    if request.method not in SAFE_METHODS and request.path not in SELF_CHECKED:
        refused = _forgery(is_callback)
        if refused is not None:
            return refused
    if kind is Kind.OPEN or visitor is None:
        return None
    if visitor.kind is VisitorKind.DISPLAY:
        allowed_walls = restrictions(app).wall_callbacks
        return None if display_may(visitor, allowed_walls, kind is Kind.PAGE) else refused_display()
    return _permission(app, kind, is_callback)


def _forgery(is_callback: bool) -> Response | None:
    ok = same_origin(request) if is_callback else csrf_ok(request)
    if ok:
        return None
    audit_denied(request.path, {"reason": "cross-origin" if is_callback else "csrf"})
    return _error(403, "forbidden: cross-site request refused")


def _sign_in_first(kind: Kind) -> BaseResponse:
    if kind is Kind.PAGE and request.method in ("GET", "HEAD"):
        target = request.path + (
            f"?{request.query_string.decode()}" if request.query_string else ""
        )
        return redirect(f"{SIGNIN_PATH}?next={quote(safe_next(target), safe='')}", code=302)
    return _error(401, "unauthorized: sign in first")


def _permission(app: Dash, kind: Kind, is_callback: bool) -> Response | None:
    rules = restrictions(app)
    needed: Capability | None = None
    if kind is Kind.PAGE:
        needed = rules.page_rule(request.path.rstrip("/") or "/")
    elif is_callback:
        body = json_body()
        output = body.get("output") if isinstance(body, dict) else None
        needed = rules.callbacks.get(output) if isinstance(output, str) else None
    if allowed(needed):
        return None
    audit_denied(request.path, {"needs": str(needed)})
    if kind is Kind.PAGE:
        lang = request_lang()
        page = refusal_page(lang, t("auth.forbidden_title", lang), t("auth.forbidden", lang))
        return Response(page, status=403, mimetype="text/html")
    return _error(403, "forbidden: your role may not open this")


def _timer_only() -> bool:
    """Whether a callback was fired only by timers (not by the person at the screen)."""
    body = json_body()
    changed = body.get("changedPropIds") if isinstance(body, dict) else None
    if not isinstance(changed, list) or not changed:
        return False
    return all(isinstance(p, str) and p.endswith(".n_intervals") for p in changed)


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response

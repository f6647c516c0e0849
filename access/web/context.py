"""What the sign-in layer reads from a request: its language, its client, and denials."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from access.audit import Action, Outcome
from access.current import current_visitor
from access.web.sessions import auth_state
from i18n import LANGUAGES

LANG_COOKIE = "ioc_lang"


def request_lang() -> str:
    """The `ioc_lang` cookie if it names a known language, else the configured default."""
    chosen = request.cookies.get(LANG_COOKIE) if has_request_context() else None
    return chosen if chosen in LANGUAGES else auth_state().default_lang


def client_ip() -> str:
    """The client's address (the proxy's view of it when `session.proxy_hops` trusts one)."""
    return request.remote_addr or "unknown"


def audit_denied(target: str, detail: dict[str, Any]) -> None:
    """Record a refused request: who, from where, what was asked and why it was refused."""
    visitor = current_visitor()
    auth_state().audit.record(
        Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        actor=visitor.name if visitor else None,
        ip=client_ip(),
        target=target,
        detail={"method": request.method, **detail},
    )


def json_body() -> Any:
    """The request's JSON body, or None when it is not JSON or is absurdly deep (the body
    checks after sign-in refuse it with 400; here it only must not raise)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None

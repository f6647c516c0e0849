"""Cross-site request forgery: a per-session token on forms, and same-origin Dash callbacks."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Request, session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    """This session's token (made on first use); put it in every form that posts."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def new_csrf_token() -> str:
    """A fresh token (on sign-in and sign-out, when the session itself changes)."""
    session.pop(_SESSION_KEY, None)
    return csrf_token()


def csrf_ok(request: Request) -> bool:
    """Whether a state-changing request carries this session's token (form field or header)."""
    expected = session.get(_SESSION_KEY)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    return isinstance(expected, str) and bool(expected) and hmac.compare_digest(expected, given)


def same_origin(request: Request) -> bool:
    """Whether the request says it comes from this site: Origin, else Referer, must name this
    scheme and host. A request that names neither is refused (browsers send Origin on POST)."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return parts.scheme == request.scheme and parts.netloc.lower() == request.host.lower()

"""User sessions: what the signed cookie holds, how long it lasts, and who it belongs to now."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, session
from flask_login import UserMixin, current_user, login_user, logout_user

from access.audit import AuditLog
from access.current import Visitor, VisitorKind
from access.lockout import Throttle
from access.tokens import still_active
from access.web.csrf import new_csrf_token
from settings.session import SessionConfig
from store.accounts import Accounts, User

STATE_KEY = "ioc.auth"
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
USER_RECHECK_S = 5.0  # a disabled user or a changed password ends sessions within this
SEEN_RESOLUTION_S = 15.0  # the cookie is rewritten at most this often for the idle clock


class UserCache:
    """Users read from the store, kept a few seconds so a page's burst of callbacks costs one
    read; the clock is the app's, so tests move time instead of sleeping."""

    def __init__(self, accounts: Accounts, clock: Callable[[], datetime]) -> None:
        self.accounts = accounts
        self.clock = clock
        self._users: dict[int, tuple[float, User | None]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: int) -> User | None:
        now = self.clock().timestamp()
        with self._lock:
            cached = self._users.get(user_id)
        if cached is not None and 0 <= now - cached[0] < USER_RECHECK_S:
            return cached[1]
        user = self.accounts.user_by_id(user_id)
        with self._lock:
            self._users[user_id] = (now, user)
        return user


class TokenCache:
    """Whether each display token is still active, kept at most `ttl_s` (one wall refresh).
    `now` is the real time tokens expire by; `ticker` measures the cache's age."""

    def __init__(
        self,
        accounts: Accounts,
        now: Callable[[], datetime],
        ttl_s: float,
        ticker: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts, self.now, self.ttl_s, self.ticker = accounts, now, ttl_s, ticker
        self._seen: dict[int, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def active(self, token_id: int) -> bool:
        stamp = self.ticker()
        with self._lock:
            cached = self._seen.get(token_id)
        if cached is not None and 0 <= stamp - cached[0] < self.ttl_s:
            return cached[1]
        active = still_active(self.accounts, token_id, self.now())
        with self._lock:
            self._seen[token_id] = (stamp, active)
        return active


@dataclass(slots=True, kw_only=True)
class AuthState:
    """The sign-in layer's services, kept on the Flask app."""

    accounts: Accounts
    audit: AuditLog
    throttle: Throttle
    config: SessionConfig
    clock: Callable[[], datetime]
    default_lang: str
    users: UserCache
    tokens: TokenCache
    sso_enabled: bool = False
    open_paths: frozenset[str] = frozenset()  # routes anyone may call (the SSO ones)


def auth_state() -> AuthState:
    state: AuthState = current_app.extensions[STATE_KEY]
    return state


class SessionUser(UserMixin):
    """Flask-Login's view of a user: its id names the user *and* its version, so a change of
    password, role or state ends every session opened before it."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.version}"


def load_session_user(session_id: str) -> SessionUser | None:
    """Flask-Login's user loader: the user this session was opened for, if still the same."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = auth_state().users.get(int(user_id))
    if user is None or not user.enabled or user.version != int(version):
        return None
    return SessionUser(user)


def start_session(user: User) -> None:
    """Sign `user` in: a new session (nothing of the anonymous one is kept) with a new CSRF
    token and the times its idle and absolute limits count from."""
    now = auth_state().clock().timestamp()
    session.clear()
    login_user(SessionUser(user))
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    new_csrf_token()


def end_session() -> None:
    logout_user()
    session.clear()


def session_user(*, activity: bool) -> User | None:
    """The signed-in user of this request, or None (ending a session past its limits).
    `activity` False (a timer's refresh) does not count as use for the idle timeout."""
    if not current_user.is_authenticated:
        return None
    state = auth_state()
    now = state.clock().timestamp()
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, int | float) or not isinstance(seen_at, int | float):
        end_session()
        return None
    if (
        now - seen_at > state.config.idle_timeout
        or now - signed_in_at > state.config.absolute_lifetime
    ):
        end_session()
        return None
    if activity and now - seen_at >= SEEN_RESOLUTION_S:
        session[SEEN_AT] = now
    user: User = current_user.user
    return user


def user_visitor(user: User) -> Visitor:
    return Visitor(
        kind=VisitorKind.USER,
        name=user.username,
        role=user.role,
        area_code=user.area_code,
        user_id=user.id,
        enabled=user.enabled,
    )

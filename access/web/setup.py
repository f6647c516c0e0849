"""Wire the sign-in layer into the app: the session cookie, Flask-Login, the guard, routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from dash import Dash
from flask_login import LoginManager
from werkzeug.middleware.proxy_fix import ProxyFix

from access.audit import AuditLog
from access.lockout import Throttle
from access.web.guard import WARM_UP_ENVIRON, install_guard
from access.web.secret import secret_key
from access.web.sessions import STATE_KEY, AuthState, TokenCache, UserCache, load_session_user
from access.web.sso import SSO_BEGIN_PATH, register_sso
from access.web.views import register_views
from settings import Settings
from store.accounts import Accounts

SESSION_COOKIE = "ioc_session"
# Display sessions (wall screens) last weeks; their real bound is checked on every request.
COOKIE_MAX_AGE = timedelta(days=400)


def install(
    app: Dash, settings: Settings, accounts: Accounts, clock: Callable[[], datetime]
) -> None:
    """Make every request of `app` pass the sign-in layer (call once, in create_app)."""
    server = app.server
    config = settings.session
    server.secret_key = secret_key(settings.config_path.parent / "var")
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookie,
        PERMANENT_SESSION_LIFETIME=COOKIE_MAX_AGE,
    )
    if config.proxy_hops:
        hops = config.proxy_hops
        server.wsgi_app = ProxyFix(
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    manager = LoginManager()
    manager.init_app(server)
    manager.user_loader(load_session_user)
    audit = AuditLog(accounts)
    server.extensions[STATE_KEY] = AuthState(
        accounts=accounts,
        audit=audit,
        throttle=Throttle(accounts),
        config=config,
        clock=clock,
        default_lang=settings.ui.language,
        users=UserCache(accounts, clock),
        # Token expiry is real time; the cache is never older than one wall refresh.
        tokens=TokenCache(accounts, audit.clock, settings.wall.refresh_interval),
        sso_enabled=settings.sso.enabled,
        open_paths=frozenset({SSO_BEGIN_PATH, settings.sso.redirect_path})
        if settings.sso.enabled
        else frozenset(),
    )
    install_guard(app)
    register_views(server)
    if settings.sso.enabled:
        register_sso(server, settings.sso)


def warm_up(app: Dash) -> None:
    """Render the index page once in-process, so that Dash registers its component bundles
    before any browser asks a worker for them (the page itself carries no data)."""
    app.server.test_client().get("/", environ_base={WARM_UP_ENVIRON: True})

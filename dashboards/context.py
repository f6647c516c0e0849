"""Per-request access to the app's services, the user's language and the requested scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request

from dashboards.cache import CachedQueries
from geo.boundaries import Boundaries
from i18n import LANGUAGES
from settings import Settings
from store import Store
from store.guard import is_database_fault
from store.scope import Scope, ScopeError, Window
from ui.status import FeedState, feed_state

LANG_COOKIE = "ioc_lang"


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a page needs, built once by create_app and kept on the Flask app."""

    settings: Settings
    store: Store
    queries: CachedQueries
    boundaries: Boundaries
    clock: Callable[[], datetime]


def services() -> Services:
    return current_app.extensions["ioc"]  # type: ignore[no-any-return]


def current_lang() -> str:
    """The language cookie if set and known, else the configured default."""
    if has_request_context():
        chosen = request.cookies.get(LANG_COOKIE)
        if chosen in LANGUAGES:
            return chosen
    return services().settings.ui.language


def window_name(value: str | None) -> str:
    """The requested window if it is valid (a name or a FROM..TO range), else the default."""
    if isinstance(value, str) and value:
        try:
            Window.parse(value, services().clock())
            return value
        except ScopeError:
            pass
    return services().settings.ui.default_window


def area_code(value: str | None) -> str:
    areas = services().queries.areas
    return value if isinstance(value, str) and value in areas else areas.root


def scope_for(area: str | None, window: str | None) -> Scope:
    """The scope a request asks for; unknown values fall back to the province and the default."""
    svc = services()
    return Scope(area_code(area), Window.parse(window_name(window), svc.clock()))


def feed_states() -> dict[str, FeedState]:
    svc = services()
    now = svc.clock()
    return {
        h.id: feed_state(
            h.last_success_at,
            h.last_status,
            h.interval_s,
            now,
            h.demo,
            h.last_error,
            first_load=_first_load(h.load_done, h.load_total),
        )
        for h in svc.queries.feed_health()
    }


def _first_load(done: int | None, total: int | None) -> tuple[int, int] | None:
    return (done, total) if done is not None and total is not None else None


def demo_active() -> bool:
    """Whether a demo feed runs; False while the database is lost (the shell still draws)."""
    try:
        return any(h.demo and h.enabled for h in services().queries.feed_health())
    except Exception as exc:
        if is_database_fault(exc):
            return False
        raise

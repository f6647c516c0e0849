"""Per-request access to the app's services, the user's language and the requested scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request

from access.current import current_permitted_area
from access.roles import OneArea, WholeProvince
from dashboards.cache import CachedQueries
from dashboards.denials import record_denial
from geo.boundaries import Boundaries
from i18n import LANGUAGES
from settings import Settings
from store import Store
from store.guard import is_database_fault
from store.scope import Scope, ScopeError, Window, scope_within
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


def window_name(value: object) -> str:
    """The requested window if it is valid (a name or a FROM..TO range), else the default."""
    if isinstance(value, str) and value:
        try:
            Window.parse(value, services().clock())
            return value
        except ScopeError:
            pass
    return services().settings.ui.default_window


def permitted_root() -> str | None:
    """The root of what the current visitor may see: the province's code, their district's,
    or None (nothing: nobody signed in, or anything unknown)."""
    areas = services().queries.areas
    permitted = current_permitted_area(areas.at_level("district"))
    if isinstance(permitted, WholeProvince):
        return areas.root
    if isinstance(permitted, OneArea) and permitted.code in areas:
        return permitted.code
    return None


def permitted_scope(window: Window) -> Scope:
    """The current visitor's permitted area folded into a scope over `window`."""
    return scope_within(permitted_root(), window)


def narrowed(scope: Scope, area: object) -> Scope:
    """`scope` moved to `area` if it lies within what the scope permits; otherwise the scope
    stays at its root and the refusal is audited (an empty `area` asks for the root)."""
    if not area:
        return scope
    areas = services().queries.areas
    known = isinstance(area, str) and area in areas
    if known and scope.allowed is not None and areas.is_within(str(area), scope.allowed):
        return scope.at(str(area))
    record_denial("area", area, "outside the permitted area")
    return scope


def scope_for(area: object, window: object) -> Scope:
    """The scope a request asks for, within what the visitor may see: an area outside it is
    refused (audited) and the visitor's own root shown; an unknown window is the default."""
    svc = services()
    return narrowed(permitted_scope(Window.parse(window_name(window), svc.clock())), area)


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

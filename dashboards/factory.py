"""create_app(settings): the only wiring point of the web application."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dash
import dash_bootstrap_components as dbc  # noqa: F401  (registers the components' assets)
import plotly.io
from dash import Dash, Input, Output

from access.roles import Capability
from access.web.controls import account_control
from access.web.permissions import restricted, visible_pages, wall_callbacks
from access.web.setup import install as install_sign_in
from dashboards import callbacks, faults, routes, visible, web
from dashboards.cache import CachedQueries, make_cache
from dashboards.context import Services, current_lang, demo_active, services
from dashboards.denials import refuse_out_of_scope
from dashboards.pages import (
    audit_page,
    domains,
    feed_form_page,
    feeds_page,
    import_page,
    not_found,
    overview,
    review_page,
    wall,
)
from dashboards.read_sharing import share_reads
from geo.boundaries import Boundaries, load_boundaries, unit_levels
from i18n import t
from settings import Settings
from store import Store
from store.accounts import Accounts
from store.startup import open_store_or_exit
from ui.shell import shell

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
CLOCK_JS = """
function(_n) {
    const shell = document.querySelector('.app-shell');  // the page's language
    const lang = shell && shell.lang === 'en' ? 'en-GB' : 'vi-VN';
    const opts = {timeZone: 'Asia/Ho_Chi_Minh', weekday: 'short', day: '2-digit',
                  month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
                  second: '2-digit', hour12: false};
    return new Intl.DateTimeFormat(lang, opts).format(new Date());
}
"""
# The narrow screens' menu: the toggle opens and closes it; moving to another page closes it.
NAV_JS = """
function(_clicks, _path) {
    const ctx = window.dash_clientside.callback_context;
    const toggled = ctx.triggered.some(t => t.prop_id === 'nav-toggle.n_clicks');
    const open = toggled && !document.getElementById('side-nav').classList.contains('open');
    return open ? 'side-nav open' : 'side-nav';
}
"""
LANG_JS = """
function() {
    const ctx = window.dash_clientside.callback_context;
    if (!ctx.triggered.length || ctx.triggered[0].value === 0) {
        return window.dash_clientside.no_update;
    }
    const lang = ctx.triggered[0].prop_id.split('.')[0].replace('lang-', '');
    document.cookie = 'ioc_lang=' + lang + '; path=/; max-age=31536000; SameSite=Lax';
    window.location.reload();
    return lang;
}
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings, store: Store | None = None, clock: Callable[[], datetime] = utc_now
) -> Dash:
    """Build the Dash app for these settings; tests pass their own store and clock."""
    plotly.io.json.config.default_engine = "json"
    store = store or open_store_or_exit(settings.database)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ROOT / "assets"),
        assets_path_ignore=["^lazy$"],  # served, but loaded only by the page that needs it
        serve_locally=True,
        title=t("app.short_title", settings.ui.language),
        update_title=None,
        # Without it a phone lays the page out ≈ 980 px wide and shrinks it to fit.
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        suppress_callback_exceptions=True,
        on_error=refuse_out_of_scope,
    )
    cached = CachedQueries(store.queries, make_cache(app.server, settings.cache))
    share_reads(app.server, store.queries.reads)
    boundaries = _boundaries(settings, store)
    app.server.extensions["ioc"] = Services(settings, store, cached, boundaries, clock)
    overview.register(app)
    domains.register(app)
    with restricted(app, Capability.OPERATE_FEEDS):
        feeds_page.register(app)
        feed_form_page.register(app)
        review_page.register(app)
        import_page.register(app)
    with restricted(app, Capability.VIEW_AUDIT):
        audit_page.register(app)
    with wall_callbacks(app):  # display sessions may call these (the banner is on every page)
        wall.register(app)
        faults.register(app)
    callbacks.register(app)
    routes.register(app.server)
    visible.register(app.server)
    not_found.register()
    # Sign-in first: a request without a session gets 401 whatever its body; then bodies
    # are bounded and checked (the sign-in layer reads a display session's body defensively).
    install_sign_in(app, settings, Accounts(store.engine), clock)
    web.register(app, settings.web.max_request_bytes)
    app.layout = _layout
    app.clientside_callback(
        CLOCK_JS, Output("clock", "children"), Input("clock-tick", "n_intervals")
    )
    app.clientside_callback(
        NAV_JS,
        Output("side-nav", "className"),
        Input("nav-toggle", "n_clicks"),
        Input("_pages_location", "pathname"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        LANG_JS,
        Output("lang-sink", "data"),
        Input("lang-vi", "n_clicks"),
        Input("lang-en", "n_clicks"),
    )
    return app


def _layout() -> object:
    lang = current_lang()
    svc = services()
    province = svc.settings.province.name_en if lang == "en" else svc.settings.province.name_vi
    pages = visible_pages(dash.get_app(), dash.page_registry.values())
    return shell(t("app.title", lang), province, lang, demo_active(), pages, account_control(lang))


def _boundaries(settings: Settings, store: Store) -> Boundaries:
    geo = settings.geography
    boundaries = load_boundaries(
        geo.directory,
        geo.districts_file,
        geo.communes_file,
        geo.simplify_tolerance,
        unit_levels(store.queries.areas.by_code.values()),
        ROOT / "var" / "cache" / "geo",
    )
    for problem in boundaries.problems:
        log.warning("boundaries: %s", problem)
    return boundaries

"""Callbacks shared by every page: KPI tiles (pattern-matched per page) and URL syncing."""

from __future__ import annotations

from collections.abc import Sequence

import dash
from dash import ALL, MATCH, Dash, Input, Output

from dashboards.context import current_lang, feed_states, scope_for, services
from dashboards.guard import Refused
from dashboards.specs import PAGES_BY_DOMAIN
from i18n.names import domain_name
from store.catalog import DOMAINS, METRICS_BY_KEY
from store.read_models import KpiValue
from store.scope import Scope
from ui.kpi import kpi_tile

OVERVIEW = "overview"
URL_SYNC_JS = """
function(values) {
    const ctx = window.dash_clientside.callback_context;
    const params = new URLSearchParams(window.location.search);
    ctx.inputs_list[0].forEach(function(item) {
        const v = item.value;
        if (v === null || v === undefined || v === '') { params.delete(item.id.param); }
        else { params.set(item.id.param, v); }
    });
    const query = params.toString();
    const url = window.location.pathname + (query ? '?' + query : '');
    if (url !== window.location.pathname + window.location.search) {
        const first = !ctx.triggered.length || ctx.triggered[0].prop_id === '.';
        if (first) { window.history.replaceState(null, '', url); }
        else { window.history.pushState(null, '', url); }
    }
    return window.dash_clientside.no_update;
}
"""


WINDOW_JS = """
function(choice, start, end) {
    const custom = choice === 'custom';
    const range = custom ? 'window-range' : 'window-range d-none';
    if (!custom) { return [choice, range]; }
    if (start && end) { return [start.slice(0, 10) + '..' + end.slice(0, 10), range]; }
    return [window.dash_clientside.no_update, range];
}
"""


def register(app: Dash) -> None:
    app.clientside_callback(
        WINDOW_JS,
        Output({"type": "url-param", "page": MATCH, "param": "window"}, "value"),
        Output({"type": "window-range", "page": MATCH}, "className"),
        Input({"type": "window-choice", "page": MATCH}, "value"),
        Input({"type": "window-range", "page": MATCH}, "start_date"),
        Input({"type": "window-range", "page": MATCH}, "end_date"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        URL_SYNC_JS,
        Output("url-sync-sink", "data"),
        Input({"type": "url-param", "page": ALL, "param": ALL}, "value"),
    )

    @app.callback(
        Output({"type": "kpi-grid", "page": MATCH}, "children"),
        Input({"type": "url-param", "page": MATCH, "param": "area"}, "value"),
        Input({"type": "url-param", "page": MATCH, "param": "window"}, "value"),
        Input({"type": "refresh", "page": MATCH}, "n_intervals"),
    )
    def render_kpis(area: str | None, window: str | None, _tick: int | None) -> list:
        return kpi_tiles(page_kpis(matched_page()), scope_for(area, window), current_lang())


def page_kpis(page: str) -> tuple[str, ...]:
    """The tiles a page's spec declares (the overview: each domain's headline)."""
    if page == OVERVIEW:
        return tuple(d.headline for d in DOMAINS)
    spec = PAGES_BY_DOMAIN.get(page)
    if spec is None:
        raise Refused("unknown page", page)
    return tuple(spec.kpis)


def matched_page() -> str:
    """The page key of the component a MATCH callback answers for."""
    outputs = dash.ctx.outputs_list
    first = outputs[0] if isinstance(outputs, list) else outputs
    first = first[0] if isinstance(first, list) else first
    return str(first["id"]["page"])


def kpi_tiles(keys: Sequence[str], scope: Scope, lang: str, compact: bool = False) -> list:
    """The KPI tiles of these metrics in the scope; each names its domain when they mix;
    `compact` for the wall."""
    values = services().queries.kpis(scope, list(keys))
    province = {} if compact else province_values(scope, keys)
    states = feed_states()
    level = services().queries.areas.get(scope.area).level
    now = services().clock()
    show_domain = len({METRICS_BY_KEY[k].domain for k in keys}) > 1
    return [
        kpi_tile(
            METRICS_BY_KEY[k],
            values[k],
            states.get(values[k].feed_id or ""),
            level,
            lang,
            caption=_domain_name(k, lang) if show_domain else None,
            now=now,
            compact=compact,
            province=province.get(k),
        )
        for k in keys
    ]


def province_values(scope: Scope, keys: Sequence[str]) -> dict[str, KpiValue]:
    """The province's own values of the public metrics among `keys`, as context for a scope
    below the province; none at the province itself, and never a non-public metric's."""
    if scope.area == services().queries.areas.root:
        return {}
    public = [k for k in keys if METRICS_BY_KEY[k].public]
    return services().queries.province_kpis(scope.province_context(public))


def _domain_name(key: str, lang: str) -> str:
    return domain_name(METRICS_BY_KEY[key].domain, lang)

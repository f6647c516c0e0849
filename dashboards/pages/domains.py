"""The ten domain pages, registered from the domain list: header, scope, headline KPI tiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import Dash, html

from dashboards.context import current_lang, scope_for, services
from store.catalog import DOMAINS, Domain, tile_metrics
from ui.page import kpi_section, page_header, scope_controls


def register(app: Dash) -> None:
    for order, domain in enumerate(DOMAINS, start=1):
        dash.register_page(
            f"domain.{domain.key}",
            path=f"/{domain.slug}",
            name=domain.name_vi,
            name_vi=domain.name_vi,
            name_en=domain.name_en,
            order=order,
            icon=domain.icon,
            title=f"{domain.name_vi} · IOC Sóc Trăng",
            layout=_layout_for(domain),
        )


def _layout_for(domain: Domain) -> Callable[..., html.Div]:
    def layout(area: str | None = None, window: str | None = None, **_: Any) -> html.Div:
        svc, lang = services(), current_lang()
        scope = scope_for(area, window)
        title = domain.name_en if lang == "en" else domain.name_vi
        controls = scope_controls(
            domain.key, svc.queries.areas, scope.area, scope.window.name, lang
        )
        keys = [m.key for m in tile_metrics(domain.key)]
        return html.Div(
            [
                page_header(title, domain.system_vi, controls),
                kpi_section(domain.key, keys, svc.settings.ui.refresh_interval),
            ],
            className=f"domain-page domain-{domain.key}",
        )

    return layout

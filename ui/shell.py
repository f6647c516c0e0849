"""The page shell: top bar (title, demo mark, clock, language), side navigation, content."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n import LANGUAGES, t


def nav_links(pages: Iterable[dict[str, Any]], lang: str) -> html.Nav:
    """The side navigation, built from the Dash page registry (ordered)."""
    items = [
        dcc.Link(
            [
                html.I(className=f"bi {page.get('icon', 'bi-square')}"),
                html.Span(page.get(f"name_{lang}", page["name"]), className="nav-label"),
            ],
            href=page["relative_path"],
            className="side-link",
            title=page.get(f"name_{lang}"),
        )
        for page in sorted(pages, key=lambda p: p.get("order", 99))
        if page.get("nav", True)
    ]
    return html.Nav(items, id="side-nav", className="side-nav")


def top_bar(title: str, province: str, lang: str, demo: bool, account: Any = None) -> html.Header:
    badge = (
        dbc.Badge(
            [html.I(className="bi bi-cpu me-1"), t("demo.badge", lang)],
            color="warning",
            text_color="dark",
            className="demo-badge",
            id="demo-badge",
            title=t("demo.tooltip", lang),
        )
        if demo
        else None
    )
    return html.Header(
        [
            html.Button(  # shown on narrow screens only, where the side navigation folds away
                html.I(className="bi bi-list"),
                id="nav-toggle",
                n_clicks=0,
                className="nav-toggle",
                title=t("nav.menu", lang),
                **{"aria-label": t("nav.menu", lang), "aria-controls": "side-nav"},
            ),
            html.Div(
                [
                    html.Img(
                        src=dash.get_asset_url("50_app/emblem.svg"), className="brand-mark", alt=""
                    ),
                    html.Div(
                        [
                            html.Div(title, className="brand-title"),
                            html.Div(province, className="brand-sub"),
                        ]
                    ),
                ],
                className="brand",
            ),
            html.Div(
                [
                    badge,
                    html.Div(id="clock", className="clock", title=t("clock.label", lang)),
                    _language_switch(lang),
                    account,
                ],
                className="top-tools",
            ),
        ],
        className="top-bar",
    )


def _language_switch(lang: str) -> html.Div:
    return html.Div(
        [
            html.Button(
                code.upper(),
                id=f"lang-{code}",
                n_clicks=0,
                className="lang-btn" + (" active" if code == lang else ""),
                title=t("nav.language", lang),
                **{"data-lang": code},
            )
            for code in LANGUAGES
        ],
        className="lang-switch",
    )


def shell(
    title: str,
    province: str,
    lang: str,
    demo: bool,
    pages: Iterable[dict[str, Any]],
    account: Any = None,
) -> html.Div:
    """The app shell; `pages` are those the visitor may open, `account` its sign-out control."""
    return html.Div(
        [
            dcc.Store(id="url-sync-sink"),
            dcc.Store(id="lang-sink"),
            dcc.Interval(id="clock-tick", interval=1000),
            top_bar(title, province, lang, demo, account),
            html.Div(
                [nav_links(pages, lang), html.Main(dash.page_container, className="content")],
                className="body-row",
            ),
        ],
        className="app-shell",
        lang=lang,
    )

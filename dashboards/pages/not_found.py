"""The shell's own "not found" page, for any path no page declares (served with HTTP 404)."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboards.context import current_lang
from i18n import t


def register() -> None:
    # Dash's router shows the page registered under a module named "not_found_404".
    dash.register_page("not_found_404", path="/404", layout=layout, nav=False, order=999)


def layout(**_: Any) -> html.Div:
    lang = current_lang()
    return html.Div(
        [
            html.H1(t("notfound.title", lang), className="page-title"),
            html.P(t("notfound.body", lang), className="page-subtitle"),
            dcc.Link(t("notfound.home", lang), href="/", className="btn btn-primary btn-sm"),
        ],
        className="not-found",
        **{"data-testid": "not-found"},
    )

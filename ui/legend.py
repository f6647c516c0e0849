"""The status legend: what green, amber, red and grey mean, on every page and on the wall."""

from __future__ import annotations

from dash import html

from i18n import t
from ui.status import STATUSES


def status_legend(lang: str, class_name: str = "status-legend") -> html.Div:
    """One compact line naming each status colour; each item explains itself on hover."""
    items = [
        html.Span(
            [html.Span(className=f"legend-swatch legend-{status}"), t(f"legend.{status}", lang)],
            className="legend-entry",
            title=t(f"legend.{status}.help", lang),
            **{"data-status": status},
        )
        for status in STATUSES
    ]
    return html.Div(
        [html.Span(t("legend.label", lang), className="legend-label"), *items],
        className=class_name,
        title=t("legend.note", lang),
        **{"data-testid": "status-legend"},
    )

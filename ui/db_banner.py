"""The banner every page carries, shown while the database does not answer."""

from __future__ import annotations

from dash import dcc, html

from i18n import t

WATCH_MS = 3000  # how often a page asks whether the database answers
BANNER = "db-banner"
WATCH = "db-watch"
STATE = "db-state"
STATE_SINK = "db-state-sink"


def db_banner(lang: str) -> html.Div:
    """Hidden until the server says the database is lost; the state drives a reload on
    recovery (the page's own reads failed meanwhile)."""
    return html.Div(
        [
            dcc.Interval(id=WATCH, interval=WATCH_MS),
            dcc.Store(id=STATE, data="ok"),
            dcc.Store(id=STATE_SINK),
            html.Div(
                [html.I(className="bi bi-database-x"), " ", t("db.lost", lang)],
                id=BANNER,
                className="db-banner",
                role="alert",
                hidden=True,
            ),
        ]
    )

"""The review queue's pieces (dashboards/pages/review_page.py lays them out and wires the
callbacks): the grids with their columns and rows, the fault list, the chosen record's detail
and history, and the action's message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from i18n import t
from i18n.formatting import format_datetime_local
from store.review_models import FeedFault, QueueRecord, ReasonGroup, ReviewAction
from ui.table import GridColumn, column_defs, grid

WIDE = ("family", "reason", "raw")  # the texts an operator reads
NARROW = ("kind", "open", "accepted", "discarded", "total", "seen", "last_seen", "status")


def card(title: str, body: list[Any]) -> dbc.Card:
    """A titled panel around `body`."""
    return dbc.Card(
        dbc.CardBody([html.H2(title, className="h6"), *body]), className="panel-card mt-2"
    )


def review_grid(
    grid_id: str,
    columns: list[GridColumn],
    rows: list[dict[str, Any]],
    lang: str,
    height: str,
    row_key: str,
) -> dag.AgGrid:
    """The shared grid (vi-VN formats, localised texts), one row per id, long texts wide."""
    table = grid({"type": "review-grid", "page": grid_id}, lang)
    table.id = grid_id
    table.rowData = rows
    defs = column_defs(columns, lang)
    for column in defs:
        if column["field"] in WIDE:
            column.update(flex=3, minWidth=220, tooltipField=column["field"])
        elif column["field"] in NARROW:
            column.update(flex=1, minWidth=120)
    table.columnDefs = defs
    table.getRowId = f"params.data.{row_key}"
    table.style = {"height": height}
    return table


def group_rows(groups: Sequence[ReasonGroup], lang: str) -> list[dict[str, Any]]:
    """The groups grid's rows; a row's key is "feed|kind|family" (what a click carries)."""
    return [
        {
            "key": f"{g.feed_id}|{g.kind}|{g.family}",
            "feed": g.feed_id,
            "family": g.family,
            "kind": t(f"review.kind.{g.kind}", lang),
            "open": g.open,
            "accepted": g.accepted,
            "discarded": g.discarded,
            "total": g.total,
            "daily": list(g.daily),
            "trend": t(f"review.trend.{g.trend}", lang),
            "trend__tone": {"better": "good", "worse": "critical"}.get(g.trend, "nodata"),
            "last_seen": g.last_seen.isoformat(),
        }
        for g in groups
    ]


def record_rows(records: Sequence[QueueRecord], lang: str) -> list[dict[str, Any]]:
    """The records grid's rows, keyed by the record's id."""
    return [
        {
            "id": r.id,
            "seen": r.seen_at.isoformat(),
            "feed": r.feed_id,
            "kind": t(f"review.kind.{r.kind}", lang),
            "reason": r.reason,
            "raw": r.raw_excerpt,
            "status": t(f"review.status.{r.status}", lang),
            "reviewed_by": r.reviewed_by or "",
        }
        for r in records
    ]


def fault_list(faults: Mapping[str, FeedFault], lang: str) -> Any:
    """The feeds marked at fault, one line each (nothing when none is)."""
    if not faults:
        return []
    return html.Ul(
        [
            html.Li(
                [
                    html.I(className="bi bi-flag-fill text-danger me-1"),
                    t(
                        "review.fault_line",
                        lang,
                        feed=f.feed_id,
                        by=f.marked_by,
                        time=format_datetime_local(f.marked_at, lang),
                    ),
                    html.Span(f" — {f.note}" if f.note else ""),
                ],
                **{"data-feed-id": f.feed_id},
            )
            for f in faults.values()
        ],
        className="list-unstyled alert alert-danger py-2 mb-0",
        **{"data-testid": "review-at-fault"},
    )


def detail(record: QueueRecord, lang: str) -> html.Div:
    """The chosen record's facts and its raw excerpt."""
    facts = [
        (t("review.column.feed", lang), record.feed_id),
        (t("review.column.seen", lang), format_datetime_local(record.seen_at, lang)),
        (t("review.column.status", lang), t(f"review.status.{record.status}", lang)),
        (t("review.column.reason", lang), record.reason),
    ]
    return html.Div(
        [
            html.Dl(
                [part for name, value in facts for part in (html.Dt(name), html.Dd(value))],
                className="feed-facts",
            ),
            html.Pre(record.raw_excerpt, className="review-excerpt small"),
        ],
        **{"data-record-id": str(record.id), "data-status": record.status},
    )


def history(actions: Sequence[ReviewAction], lang: str) -> list[Any]:
    """One line per action on the record, newest first, with who undid it."""
    return [
        html.Div(
            t(
                "review.history_line",
                lang,
                time=format_datetime_local(a.at, lang),
                who=a.actor,
                action=t(f"review.action.{a.action}", lang),
            )
            + (t("review.history_undone", lang, who=a.undone_by) if a.undone_at is not None else "")
        )
        for a in actions
    ]


def message(text: str, tone: str) -> html.Div:
    """The outcome of an action, as an alert of `tone` (success, danger)."""
    return html.Div(text, className=f"alert alert-{tone} py-1 mb-0")


def group_columns(lang: str) -> list[GridColumn]:
    """The groups grid's columns: one group per feed, kind and reason family."""

    def column(name: str, kind: str = "text") -> GridColumn:
        return GridColumn(name, t(f"review.column.{name}", lang), kind)

    return [
        column("feed"),
        column("family"),
        column("kind"),
        column("open", "number"),
        column("accepted", "number"),
        column("discarded", "number"),
        column("total", "number"),
        column("daily", "sparkline"),
        column("trend", "status"),
        column("last_seen", "datetime"),
    ]


def record_columns(lang: str) -> list[GridColumn]:
    """The records grid's columns: one rejected record a row."""

    def column(name: str, kind: str = "text") -> GridColumn:
        return GridColumn(name, t(f"review.column.{name}", lang), kind)

    return [
        column("seen", "datetime"),
        column("feed"),
        column("kind"),
        column("reason"),
        column("raw"),
        column("status"),
        column("reviewed_by"),
    ]

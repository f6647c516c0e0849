"""The manual import's drawing: the upload area's prompt and the sizes it states, a refused
upload, the test's verdict (totals, the first records as stored, the rejected with reasons),
and an import's progress and summary; dashboards/pages/import_page.py lays them out, wires the
callbacks and runs the steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboards.context import services
from feeds.dry_run import DryRun
from feeds.manual_import import SUFFIXES, Refusal
from i18n import t
from i18n.formatting import format_datetime_local, format_number
from i18n.names import metric_name
from store.imports import FAILED, FeedImport

INTERRUPTED = "interrupted"  # the error of an import whose process died
REJECTS_SHOWN = 50  # rejected records shown by the test (all are in the rejects file)


def size_text(count: int, lang: str) -> str:
    if count >= 1024 * 1024:
        return t("import.mb", lang, n=format_number(count / 1024 / 1024, lang, 1))
    if count >= 1024:
        return t("import.kb", lang, n=format_number(count / 1024, lang, 0))
    return t("import.bytes", lang, n=format_number(count, lang))


def upload_types() -> str:
    return ", ".join(SUFFIXES)


def too_big_text(limit: int, lang: str) -> str:
    return t("import.problem.too_big_browser", lang, size=size_text(limit, lang), name="{name}")


def drop_prompt(limit: int, lang: str) -> html.Div:
    """What the upload area says: drop or pick a file, of which types and up to what size."""
    return html.Div(
        [
            html.I(className="bi bi-upload me-2"),
            t("import.drop", lang),
            html.Div(
                t("import.limits", lang, size=size_text(limit, lang), types=upload_types()),
                className="small text-muted",
                **{"data-testid": "import-limit"},
            ),
        ]
    )


def refused_view(refusal: Refusal, name: str, lang: str) -> html.Div:
    params = dict(refusal.params)
    for key in ("size", "limit", "inflated", "cap"):
        if key in params:
            params[key] = size_text(int(params[key]), lang)
    text = t(
        f"import.problem.{refusal.problem.value}", lang, name=name, types=upload_types(), **params
    )
    return html.Div(
        text,
        className="alert alert-danger",
        role="alert",
        **{"data-testid": "import-refused", "data-problem": refusal.problem.value},
    )


def test_view(found: FeedImport, result: DryRun, before: FeedImport | None, lang: str) -> Any:
    """The test's verdict: totals, the first records as stored, the rejected with reasons."""
    parts: list[Any] = [
        html.H2(t("import.step_test", lang), className="h6"),
        html.Div(
            t(
                "import.file",
                lang,
                name=found.file_name,
                size=size_text(found.size, lang),
            ),
            className="small text-muted mb-2",
        ),
    ]
    if before is not None and before.finished_at is not None:
        parts.append(
            html.Div(
                t(
                    "import.already",
                    lang,
                    when=format_datetime_local(before.finished_at, lang),
                    who=before.imported_by or "—",
                ),
                className="alert alert-info py-2",
                role="status",
                **{"data-testid": "import-already"},
            )
        )
    if result.error is not None:
        parts.append(
            html.Div(
                t("import.test_failed", lang, text=result.error["text"]),
                className="alert alert-danger",
                role="alert",
                **{"data-testid": "import-test-error", "data-kind": result.error["kind"]},
            )
        )
        return dbc.Card(dbc.CardBody(parts), className="panel-card")
    if result.total_records + result.total_rejected == 0:
        parts.append(html.Div(t("import.nothing", lang), className="alert alert-warning"))
        return dbc.Card(dbc.CardBody(parts), className="panel-card")
    parts.append(
        html.Div(
            t(
                "import.totals",
                lang,
                records=format_number(result.total_records, lang),
                rejected=format_number(result.total_rejected, lang),
            ),
            className="fw-semibold mb-2",
            **{
                "data-testid": "import-test-totals",
                "data-records": str(result.total_records),
                "data-rejected": str(result.total_rejected),
            },
        )
    )
    parts.append(_records_table(result, lang))
    if result.rejected:
        parts.append(html.H3(t("import.rejected_title", lang), className="h6 mt-3"))
        parts.append(_rejected_table(result, lang))
    return dbc.Card(dbc.CardBody(parts), className="panel-card")


def _records_table(result: DryRun, lang: str) -> Any:
    areas = services().store.queries.areas
    head = ["metric", "area", "period", "value"]
    rows = []
    for record in result.records:
        area = record.get("area")
        unit = areas.by_code.get(area) if isinstance(area, str) else None
        name = (unit.name_en if lang == "en" else unit.name_vi) if unit else str(area or "")
        metric = record.get("metric")
        value = record.get("value")
        rows.append(
            html.Tr(
                [
                    html.Td(metric_name(metric, lang) if isinstance(metric, str) else "—"),
                    html.Td(f"{name} ({area})" if area else "—"),
                    html.Td(_period(record, lang)),
                    html.Td(
                        format_number(value, lang, 2 if value % 1 else 0)
                        if isinstance(value, int | float)
                        else "—",
                        className="text-end",
                    ),
                ]
            )
        )
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"import.col.{c}", lang)) for c in head])),
            html.Tbody(rows),
        ],
        className="table table-sm table-striped mb-0",
        **{"data-testid": "import-test-records"},
    )


def _period(record: dict[str, Any], lang: str) -> str:
    start = record.get("period_start")
    kind = record.get("period_kind", "")
    if not isinstance(start, str):
        return "—"
    moment = datetime.fromisoformat(start)
    return format_datetime_local(moment, lang, "MM/yyyy" if kind == "month" else "dd/MM/yyyy")


def _rejected_table(result: DryRun, lang: str) -> Any:
    rows = [
        html.Tr([html.Td(r["reason"]), html.Td(r["raw"][:300], className="small text-break")])
        for r in result.rejected[:REJECTS_SHOWN]
    ]
    return html.Table(
        [
            html.Thead(
                html.Tr([html.Th(t("import.col.reason", lang)), html.Th(t("import.col.raw", lang))])
            ),
            html.Tbody(rows),
        ],
        className="table table-sm mb-0",
        **{"data-testid": "import-test-rejected"},
    )


def progress_view(found: FeedImport, lang: str) -> tuple[Any, ...]:
    """(value, label, colour, animated, text, summary, rejects button style) of an import."""
    total = found.items_total
    if found.finished:
        value = 100 if found.status != FAILED else _share(found.items_done, total)
    else:
        value = _share(found.items_done, total)
    color = "danger" if found.status == FAILED else ("success" if found.finished else "primary")
    if total is None:
        text = t("import.reading", lang)
    else:
        text = t(
            "import.progress",
            lang,
            done=format_number(found.items_done if not found.finished else total, lang),
            total=format_number(total, lang),
        )
    summary = _summary(found, lang) if found.finished else None
    shown = {"display": "inline-block"} if found.finished and (found.rejected or 0) else {}
    style = shown or {"display": "none"}
    return value, f"{value}%", color, not found.finished, text, summary, style


def _share(done: int, total: int | None) -> int:
    return 0 if not total else min(100, round(done * 100 / total))


def _summary(found: FeedImport, lang: str) -> Any:
    seconds = (found.duration_ms or 0) / 1000
    facts = [
        ("accepted", format_number(found.accepted or 0, lang)),
        ("rejected", format_number(found.rejected or 0, lang)),
        ("changed", format_number(found.changed or 0, lang)),
        ("duration", t("import.seconds", lang, n=format_number(seconds, lang, 1))),
    ]
    items = [
        part
        for key, value in facts
        for part in (
            html.Dt(t(f"import.summary.{key}", lang)),
            html.Dd(value, **{"data-testid": f"import-summary-{key}"}),
        )
    ]
    status = found.run_status or "failed"
    head = t(f"import.done.{status}", lang)
    parts: list[Any] = [
        html.Div(head, className="fw-semibold"),
        html.Dl(items, className="feed-facts"),
    ]
    if found.changed == 0 and found.status != FAILED:
        parts.append(html.Div(t("import.unchanged", lang), className="small text-muted"))
    if found.error_text and found.status == FAILED:  # a partial run's text repeats the counts
        stopped = found.error_text == INTERRUPTED
        text = t("import.interrupted", lang) if stopped else found.error_text
        parts.append(html.Div(text, className="text-danger small"))
    if found.run_id is not None:
        parts.append(
            dcc.Link(
                t("import.history", lang),
                href=f"/nguon-du-lieu?feed={found.feed_id}",
                className="small",
            )
        )
    return html.Div(
        parts,
        className="alert alert-danger" if found.status == FAILED else "alert alert-success",
        **{"data-status": status, "data-run-id": str(found.run_id or "")},
    )

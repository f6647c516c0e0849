"""KPI tile: value, unit, change vs the previous period, target, freshness, status hooks."""

from __future__ import annotations

from dash import html

from i18n import t
from i18n.formatting import (
    PERCENT_UNITS,
    format_change,
    format_number,
    format_relative,
    format_value,
)
from i18n.names import metric_name, metric_unit
from store.catalog import Direction, Metric
from store.queries import KpiValue
from ui.status import FeedState, Freshness, target_for, tile_status

FRESHNESS_CLASS = {
    Freshness.FRESH: "fresh",
    Freshness.STALE: "stale",
    Freshness.FAILING: "failing",
    Freshness.NEVER: "stale",
}


def kpi_tile(
    metric: Metric,
    kpi: KpiValue,
    state: FeedState | None,
    level: str,
    lang: str,
    caption: str | None = None,
) -> html.Div:
    """One tile; `caption` (the domain's name on the overview) goes above the metric name."""
    status = tile_status(metric, kpi.value, state, level)
    name = metric_name(metric, lang)
    return html.Div(
        [
            html.Div(caption, className="kpi-caption") if caption else None,
            html.Div(name, className="kpi-name", title=name),
            _value_line(metric, kpi, lang),
            _change_line(metric, kpi, lang),
            _target_line(metric, level, lang),
            _freshness_line(state, lang),
        ],
        className=f"kpi-tile kpi-{status}",
        **{"data-kpi": metric.key, "data-status": status},
    )


def first_load_text(state: FeedState, lang: str) -> str:
    """ "first load in progress: 212/731 days" while the feed's first backfill runs (numbers
    still climbing), or just "first load in progress" before it has reported how far."""
    if state.first_load is None:
        return t("kpi.loading", lang)
    done, total = state.first_load
    return t(
        "kpi.first_load", lang, done=format_number(done, lang), total=format_number(total, lang)
    )


def _value_line(metric: Metric, kpi: KpiValue, lang: str) -> html.Div:
    if kpi.value is None:
        return html.Div(t("kpi.no_data", lang), className="kpi-value kpi-value-missing")
    unit = metric_unit(metric, lang)
    if not unit or unit in PERCENT_UNITS:  # "%" is glued to the number
        return html.Div(format_value(kpi.value, unit, lang, metric.decimals), className="kpi-value")
    number = format_number(kpi.value, lang, metric.decimals)
    return html.Div([number, " ", html.Span(unit, className="kpi-unit")], className="kpi-value")


def _change_line(metric: Metric, kpi: KpiValue, lang: str) -> html.Div:
    change = kpi.change_pct
    if change is None:
        return html.Div("\u00a0", className="kpi-change")
    better = {Direction.UP: change > 0, Direction.DOWN: change < 0}.get(metric.direction)
    tone = "neutral" if better is None or abs(change) < 0.05 else ("up" if better else "down")
    arrow = (
        "bi-arrow-right"
        if abs(change) < 0.05
        else "bi-arrow-up-right"
        if change > 0
        else "bi-arrow-down-right"
    )
    return html.Div(
        [
            html.I(className=f"bi {arrow}"),
            f" {format_change(change, lang)} ",
            html.Span(t("kpi.vs_previous", lang), className="kpi-muted"),
        ],
        className=f"kpi-change kpi-change-{tone}",
    )


def _target_line(metric: Metric, level: str, lang: str) -> html.Div:
    target = target_for(metric, level)
    if target is not None:
        unit = metric_unit(metric, lang)
        text = t("kpi.target", lang, value=format_value(target, unit, lang, 0))
        return html.Div(text, className="kpi-target", title=metric.target_source)
    if metric.target_source:
        return html.Div(t("kpi.baseline", lang, text=metric.target_source), className="kpi-target")
    return html.Div("\u00a0", className="kpi-target")


def _freshness_line(state: FeedState | None, lang: str) -> html.Div:
    if state is not None and state.freshness is Freshness.NEVER:  # its first run is writing
        return html.Div(first_load_text(state, lang), className="kpi-freshness stale loading")
    if state is None or state.age is None:
        return html.Div(t("kpi.never_updated", lang), className="kpi-freshness stale")
    label = t("kpi.updated", lang, age=format_relative(state.age, lang))
    if state.freshness is Freshness.FAILING:
        label = f"{label} · {t('kpi.failing', lang)}"
    elif state.freshness is Freshness.STALE:
        label = f"{label} · {t('kpi.stale', lang)}"
    return html.Div(
        [html.I(className="bi bi-clock-history"), " ", label],
        className=f"kpi-freshness {FRESHNESS_CLASS[state.freshness]}",
        title=state.error or "",
    )

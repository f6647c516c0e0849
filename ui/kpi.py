"""KPI tile: value, unit, change vs the previous period, target, freshness, status hooks."""

from __future__ import annotations

from dash import html

from i18n import catalog_keys, t
from i18n.formatting import (
    PERCENT_UNITS,
    format_change,
    format_number,
    format_relative,
    format_value,
    unit_text,
)
from i18n.names import metric_name, metric_unit
from store.catalog import Direction, Metric
from store.queries import KpiValue
from ui.status import FeedState, Freshness, target_attainment, target_for, tile_status

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
            _target_line(metric, kpi.value, level, lang),
            _freshness_line(state, lang),
        ],
        className=f"kpi-tile kpi-{status}",
        **{"data-kpi": metric.key, "data-status": status},
    )


def _value_line(metric: Metric, kpi: KpiValue, lang: str) -> html.Div:
    if kpi.value is None:
        return html.Div(t("kpi.no_data", lang), className="kpi-value kpi-value-missing")
    unit = metric_unit(metric, lang)
    if not unit or unit in PERCENT_UNITS:  # "%" is glued to the number
        return html.Div(format_value(kpi.value, unit, lang, metric.decimals), className="kpi-value")
    number = format_number(kpi.value, lang, metric.decimals)
    counted = unit_text(unit, kpi.value, lang, metric.decimals)  # "1 dossier", "2 dossiers"
    return html.Div([number, " ", html.Span(counted, className="kpi-unit")], className="kpi-value")


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


def _target_line(metric: Metric, value: float | None, level: str, lang: str) -> html.Div:
    """Progress against the level's target ("Đạt mục tiêu 90%" / "Chưa đạt mục tiêu 90%, còn
    3,1 điểm %"), else the baseline the metric is read against ("Mốc 2021: 99,71%"): a baseline
    is a reference point, never called a target. Status colours stay with the thresholds."""
    reference = _reference(metric, lang)
    target = target_for(metric, level)
    if target is None:
        if not reference:
            return html.Div("\u00a0", className="kpi-target")
        text = t("target.baseline", lang, text=reference)
        return html.Div(text, className="kpi-target kpi-baseline", title=text)
    unit = metric_unit(metric, lang)
    shown = format_value(target, unit, lang, 0 if float(target).is_integer() else metric.decimals)
    attainment = target_attainment(metric, value, level)
    if attainment is None:  # no value yet, or a metric with no good direction
        text, state = t("kpi.target", lang, value=shown), "none"
    elif attainment.met:
        text, state = t("target.met", lang, value=shown), "met"
    else:
        side = "below" if metric.direction is Direction.UP else "above"
        gap = _gap_text(attainment.gap, metric, unit, lang)
        text, state = t(f"target.{side}", lang, value=shown, gap=gap), "below"
    return html.Div(
        text,
        className=f"kpi-target kpi-target-{state}",
        title=reference or text,
        **{"data-target": state},
    )


def _gap_text(gap: float, metric: Metric, unit: str, lang: str) -> str:
    """A gap to a target: in percentage points for rates, else in the metric's own unit."""
    if unit in PERCENT_UNITS:
        return t("target.points", lang, value=format_number(gap, lang, 1))
    return format_value(gap, unit, lang, metric.decimals)


def _reference(metric: Metric, lang: str) -> str:
    """Where a target or baseline comes from, in the page's language."""
    key = f"target.reference.{metric.key}"
    return t(key, lang) if key in catalog_keys(lang) else metric.target_source


def _freshness_line(state: FeedState | None, lang: str) -> html.Div:
    if state is not None and state.freshness is Freshness.NEVER:  # its first run is writing
        return html.Div(t("kpi.loading", lang), className="kpi-freshness stale")
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

"""KPI tile: value, unit, change vs the previous period, target, freshness, status hooks."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dash import html

from i18n import catalog_keys, t
from i18n.formatting import (
    PERCENT_UNITS,
    format_number,
    format_relative,
    format_value,
    unit_text,
)
from i18n.names import metric_name, metric_unit
from store.catalog import Direction, Metric
from store.comparison import STEADY, Comparison, periods_behind
from store.read_models import KpiValue
from store.scope import LOCAL_TZ
from ui.changes import basis_text, change_number, missing_text, period_label, why_text
from ui.status import FeedState, Freshness, target_attainment, target_for, tile_status

# A slow metric is out of date once a whole period has passed without its next value
# (this year's value is due during next year).
STALE_PERIODS = 2

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
    now: datetime | None = None,
    compact: bool = False,
    province: KpiValue | None = None,
) -> html.Div:
    """One tile; `caption` (the domain's name on the overview) goes above the metric name.
    `now` places the clock in the window (None: its last day is treated as running).
    `compact` (the wall, read from afar): the short form of the target, no baseline line.
    `province`: the province's own value of a public metric, shown as context below a
    district's or commune's value."""
    state = _cadence_state(metric, kpi, state, now)
    status = tile_status(metric, kpi.value, state, level)
    name = metric_name(metric, lang)
    return html.Div(
        [
            html.Div(caption, className="kpi-caption") if caption else None,
            html.Div(name, className="kpi-name", title=name),
            _value_line(metric, kpi, lang),
            _change_line(metric, kpi.comparison(metric, _clock(kpi, now)), lang),
            _target_line(metric, kpi.value, level, lang, compact),
            _province_line(metric, province, lang) if province is not None else None,
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
    period = _period_span(metric, kpi, lang)
    if not unit or unit in PERCENT_UNITS:  # "%" is glued to the number
        text = format_value(kpi.value, unit, lang, metric.decimals)
        return html.Div([text, period] if period else text, className="kpi-value")
    number = format_number(kpi.value, lang, metric.decimals)
    counted = unit_text(unit, kpi.value, lang, metric.decimals)  # "1 dossier", "2 dossiers"
    return html.Div(
        [number, " ", html.Span(counted, className="kpi-unit"), period],
        className="kpi-value",
    )


def _period_span(metric: Metric, kpi: KpiValue, lang: str) -> html.Span | None:
    """A slow metric's period under its value ("năm học 2025–2026"): the tile shows the
    latest period whatever the window."""
    if kpi.period is None:
        return None
    return html.Span(period_label(kpi.period, metric.cadence, lang), className="kpi-period")


def _clock(kpi: KpiValue, now: datetime | None) -> datetime:
    """The clock the comparison sees; without one, the window's last day counts as running."""
    if now is not None:
        return now
    end = kpi.window.end if kpi.window else datetime.now(LOCAL_TZ)  # no window: clock unused
    return end - timedelta(microseconds=1)


def _cadence_state(
    metric: Metric, kpi: KpiValue, state: FeedState | None, now: datetime | None
) -> FeedState | None:
    """A slow metric is as fresh as its latest period, not as its feed's last run."""
    if kpi.period is None or state is None or now is None:
        return state
    behind = periods_behind(kpi.period, metric.cadence, now.astimezone(LOCAL_TZ).date())
    if behind >= STALE_PERIODS:
        return replace(state, freshness=Freshness.STALE)
    if state.freshness is Freshness.STALE:
        return replace(state, freshness=Freshness.FRESH)
    return state


def _change_line(metric: Metric, comparison: Comparison, lang: str) -> html.Div:
    """The change against the comparison period, or plainly why there is none."""
    change = comparison.value
    if change is None or not comparison.shown:
        text = missing_text(comparison, lang)
        kind = "insufficient" if text else "none"
        return html.Div(
            text or "\u00a0",
            className=f"kpi-change kpi-change-{kind}",
            title=why_text(comparison, lang),
            **{"data-change": comparison.kind.value},
        )
    steady = abs(change) < STEADY
    better = {Direction.UP: change > 0, Direction.DOWN: change < 0}.get(metric.direction)
    tone = "neutral" if better is None or steady else ("up" if better else "down")
    arrow = (
        "bi-arrow-right" if steady else "bi-arrow-up-right" if change > 0 else "bi-arrow-down-right"
    )
    return html.Div(
        [
            html.I(className=f"bi {arrow}"),
            f" {change_number(comparison, lang)} ",
            html.Span(basis_text(comparison, metric, lang), className="kpi-muted"),
        ],
        className=f"kpi-change kpi-change-{tone}",
        **{"data-change": comparison.kind.value},
    )


def _target_line(
    metric: Metric, value: float | None, level: str, lang: str, compact: bool = False
) -> html.Div:
    """Progress against the level's target ("Đạt mục tiêu 90%" / "Chưa đạt mục tiêu 90%, còn
    3,1 điểm %"), else the baseline the metric is read against ("Mốc 2021: 99,71%"): a baseline
    is a reference point, never called a target. Status colours stay with the thresholds."""
    reference = _reference(metric, lang)
    target = target_for(metric, level)
    if target is None:
        if not reference or compact:
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
        key = f"target.{side}_short" if compact else f"target.{side}"
        text, state = t(key, lang, value=shown, gap=gap), "below"
    return html.Div(
        text,
        className=f"kpi-target kpi-target-{state}",
        title=reference or text,
        **{"data-target": state},
    )


def _province_line(metric: Metric, province: KpiValue, lang: str) -> html.Div:
    """ "Toàn tỉnh: 12.345 lượt": the province's value over the same window, for comparison."""
    if province.value is None:
        shown = t("kpi.no_data", lang)
    else:
        shown = format_value(province.value, metric_unit(metric, lang), lang, metric.decimals)
    text = t("scope.province_context", lang, value=shown)
    return html.Div(text, className="kpi-target kpi-province", title=text, **{"data-province": ""})


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

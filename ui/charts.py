"""Trend and breakdown figures as plain dicts (no plotly.express, no templates: fast to build)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from i18n import t
from i18n.formatting import format_value
from i18n.names import metric_unit
from store.catalog import Metric
from store.comparison import ACCRUING, SeasonBar, open_bucket
from store.read_models import Trend
from ui.changes import until_label
from ui.palette import STATUS_COLOURS
from ui.status import judged, ranked, value_status

BRAND, PREVIOUS, THRESHOLD = "#0b4f8a", "#9aa5b1", "#c62828"
UNFINISHED = "#7fa7cc"  # the brand colour, lighter: a period still running
TICKS = {"day": "%d/%m", "week": "%d/%m", "month": "%m/%Y"}  # numeric: no English month names
FONT = {"family": "Be Vietnam Pro, sans-serif", "size": 12, "color": "#1f2a37"}


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {
        "template": "none",
        "height": height,
        "font": FONT,
        "hovermode": "x unified",
        "margin": {"l": 56, "r": 16, "t": 8, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": -0.18},
        **extra,
    }


def unit(metric: Metric, lang: str) -> str:
    return metric_unit(metric, lang)


def trend_figure(
    trend: Trend,
    metric: Metric,
    lang: str,
    grain: str = "day",
    epidemic_line: bool = False,
    level: str | None = None,
    now: datetime | None = None,
    first_day: date | None = None,
) -> dict[str, Any]:
    """This window against the same buckets a year earlier, optionally with an endemic line.
    The bucket holding `now` is drawn apart (dotted, lighter, "đến 14:05"): it is not over,
    and a count so far is not set against last year's whole bucket. So is a first week or
    month that began before the window's `first_day` ("từ 22/10"): a count of its days in the
    window is only part of it."""
    periods = [p.period.isoformat() for p in trend.current]
    values = [p.value for p in trend.current]
    last_year = [p.value for p in trend.last_year]
    starts = [p.period for p in trend.current]
    running = _running_index(starts, grain, now)
    accruing = metric.aggregation in ACCRUING
    if running is not None and accruing:
        last_year[running] = None
    cut = accruing and first_day is not None and bool(starts) and starts[0] < first_day
    settled = [None if i == running or (cut and i == 0) else v for i, v in enumerate(values)]
    traces = [
        _line(periods, last_year, metric, lang, t("chart.last_year", lang), PREVIOUS, dash="dot"),
        _line(periods, settled, metric, lang, t("chart.this_period", lang), BRAND),
    ]
    if running is not None and now is not None:
        span = (max(running - 1, 0), running)
        label, name = until_label(now, lang), t("chart.unfinished", lang)
        traces.append(_apart_trace(periods, values, span, running, label, name, metric, lang))
    if cut and first_day is not None and len(values) > 1 and running != 0:
        label = t("chart.from_day", lang, day=first_day.strftime("%d/%m"))
        name = t("chart.partial", lang)
        traces.append(_apart_trace(periods, values, (0, 1), 0, label, name, metric, lang))
    shapes = []
    threshold = _endemic_threshold(trend) if epidemic_line else None
    if threshold is not None:
        traces.append(
            _line(
                periods,
                [threshold] * len(periods),
                metric,
                lang,
                t("chart.epidemic_threshold", lang),
                THRESHOLD,
                dash="dash",
            )
        )
    elif (warn := metric.limits(level)[0]) is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": warn,
                "y1": warn,
                "line": {"color": "#b76e00", "dash": "dash", "width": 1},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            300,
            shapes=shapes,
            xaxis={
                "type": "date",
                "gridcolor": "#eef1f5",
                "tickformat": TICKS[grain],
                "hoverformat": "%d/%m/%Y",
            },
            yaxis={
                "title": {"text": unit(metric, lang)},
                "gridcolor": "#eef1f5",
                "rangemode": "tozero",
            },
        ),
    }


def _line(
    x: list[str],
    y: Sequence[float | None],
    metric: Metric,
    lang: str,
    name: str,
    colour: str,
    dash: str = "solid",
) -> dict[str, Any]:
    shown = [
        format_value(v, unit(metric, lang), lang, metric.decimals)
        if v is not None
        else t("map.no_value", lang)
        for v in y
    ]
    return {
        "type": "scatter",
        "mode": "lines+markers" if len(x) <= 60 else "lines",
        "x": x,
        "y": list(y),
        "name": name,
        "line": {"color": colour, "dash": dash, "width": 2},
        "marker": {"size": 5},
        "customdata": shown,
        "hovertemplate": "%{customdata}<extra>" + name + "</extra>",
        "connectgaps": False,
    }


def _running_index(periods: list[date], grain: str, now: datetime | None) -> int | None:
    """The position of the bucket that holds `now` (not over yet), if the trend shows it."""
    if now is None:
        return None
    return next((i for i, p in enumerate(periods) if open_bucket(p, grain, now)), None)


def _apart_trace(
    x: list[str],
    y: list[float | None],
    span: tuple[int, int],
    at: int,
    label: str,
    name: str,
    metric: Metric,
    lang: str,
) -> dict[str, Any]:
    """A bucket that is only part of its period (running, or cut by the window's start),
    joined to its whole neighbour by a dotted, lighter segment and labelled at `at`."""
    first, last = span
    trace = _line(
        x[first : last + 1],
        y[first : last + 1],
        metric,
        lang,
        name,
        UNFINISHED,
        dash="dot",
    )
    marks = ["" if i != at else label for i in range(first, last + 1)]
    trace.update(
        mode="lines+markers+text",
        text=marks,
        textposition="top left" if at == last else "top right",
        textfont={"color": UNFINISHED, "size": 11},
        marker={"size": 7, "symbol": "circle-open", "color": UNFINISHED},
    )
    trace["customdata"] = [
        f"{shown} ({mark})" if mark else shown
        for shown, mark in zip(trace["customdata"], marks, strict=True)
    ]
    return trace


def _endemic_threshold(trend: Trend) -> float | None:
    """Endemic channel: mean + 2 SD of the same buckets last year (our design; needs ≥ 4)."""
    history = [p.value for p in trend.last_year if p.value is not None]
    if len(history) < 4:
        return None
    return statistics.fmean(history) + 2 * statistics.stdev(history)


def breakdown_figure(
    values: dict[str, float],
    names: dict[str, str],
    metric: Metric,
    lang: str,
    level: str | None = None,
) -> dict[str, Any]:
    """Areas sorted by the metric (best first by its good direction), coloured by status."""
    ordered = ranked(values, names, metric)
    shown = [format_value(values[c], unit(metric, lang), lang, metric.decimals) for c in ordered]
    bar = {
        "type": "bar",
        "orientation": "h",
        "y": [names[c] for c in ordered],
        "x": [values[c] for c in ordered],
        "customdata": ordered,
        "text": shown,
        "textposition": "auto",
        "hovertemplate": "%{y}: %{text}<extra></extra>",
        # The tiles' status colour where thresholds judge the metric; else one neutral colour,
        # since green for every bar would call a count of visits "good".
        "marker": {
            "color": [
                STATUS_COLOURS[value_status(metric, values[c], level)]
                if judged(metric, level)
                else BRAND
                for c in ordered
            ]
        },
    }
    height = max(220, 26 * len(ordered) + 60)
    return {
        "data": [bar],
        "layout": _layout(
            height,
            hovermode="closest",
            margin={"l": 140, "r": 16, "t": 8, "b": 32},
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"title": {"text": unit(metric, lang)}, "gridcolor": "#eef1f5"},
        ),
    }


def seasonality_figure(
    months: dict[int, dict[int, SeasonBar]], metric: Metric, lang: str, now: datetime
) -> dict[str, Any]:
    """The metric per calendar month, one bar per year (`months`: year → month → bar); the
    running month's bar is lighter and says the time its value runs to."""
    names = [t(f"month.{m}", lang) for m in range(1, 13)]
    colours = ("#a8b8cc", BRAND)
    until = until_label(now, lang)
    bars = []
    for colour, (year, values) in zip(colours, sorted(months.items())[-2:], strict=False):
        shown = [values.get(m, SeasonBar(None)) for m in range(1, 13)]
        texts = [
            ""
            if b.value is None
            else format_value(b.value, unit(metric, lang), lang, metric.decimals)
            for b in shown
        ]
        bars.append(
            {
                "type": "bar",
                "name": str(year),
                "x": names,
                "y": [b.value for b in shown],
                "marker": {"color": [UNFINISHED if b.running else colour for b in shown]},
                "text": [until if b.running else "" for b in shown],
                "customdata": [
                    f"{v} ({until})" if b.running else v for b, v in zip(shown, texts, strict=True)
                ],
                "hovertemplate": "%{x} " + str(year) + ": %{customdata}<extra></extra>",
                "textposition": "outside",
                "textfont": {"color": UNFINISHED, "size": 11},
            }
        )
    return {
        "data": bars,
        "layout": _layout(
            300,
            barmode="group",
            hovermode="closest",
            xaxis={"type": "category"},
            yaxis={"title": {"text": unit(metric, lang)}, "gridcolor": "#eef1f5"},
        ),
    }


def empty_message(text: str, height: int = 300) -> dict[str, Any]:
    """A figure that says plainly that there is nothing to draw."""
    return {
        "data": [],
        "layout": _layout(
            height,
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": text,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 15, "color": "#8c96a3"},
                }
            ],
        ),
    }

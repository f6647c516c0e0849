"""The feed board's pieces: its table (one row per feed, each cell), the dry-run dialog's
result and the confirmation dialogs; dashboards/pages/feeds_page.py lays them out and wires
the callbacks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_timedelta
from dash import html

from dashboards.context import services
from dashboards.feed_board import BoardRow, BoardState, day_tone
from dashboards.feed_summary import FeedStatus, FeedSummary
from i18n import t
from i18n.formatting import (
    format_date_local,
    format_datetime_local,
    format_number,
    format_percent,
    format_relative,
    locale_for,
)
from i18n.names import domain_name

ACTION = "feed-board-action"
NEW_PATH, EDIT_PATH = "/nguon-du-lieu/moi", "/nguon-du-lieu/sua/{feed}"
HISTORY_PATH, IMPORT_PATH = "/nguon-du-lieu/lich-su/{feed}", "/nguon-du-lieu/nhap/{feed}"

Element = dict[str, Any]  # a component as the JSON Dash sends


class _PlainHtml:
    """`_h.Td(children, className=...)`: an html component as the JSON Dash sends it. The
    board draws 200 rows of some fifty elements; building them as Dash component objects
    (each checking its arguments) took longer than all of the board's SQL."""

    def __getattr__(self, tag: str) -> Callable[..., Element]:
        def element(children: Any = None, **props: Any) -> Element:
            if children is not None:
                props["children"] = children
            return {"type": tag, "namespace": "dash_html_components", "props": props}

        return element


_h = _PlainHtml()


def board_table(rows: list[BoardRow], focus: str | None, lang: str) -> list[Any]:
    now = services().clock()
    if not rows:
        return [html.Div(t("board.empty", lang), className="alert alert-info")]
    head = [
        ("feed", "board.col.feed"),
        ("schedule", "board.col.schedule"),
        ("state", "board.col.state"),
        ("last_success", "feeds.last_success"),
        ("next_run", "feeds.next_run"),
        ("last_run", "board.col.last_run"),
        ("lag", "board.col.lag"),
        ("timeline", "board.col.timeline"),
        ("quality", "board.col.quality"),
        ("error", "board.col.error"),
        ("actions", "board.col.actions"),
    ]
    table = html.Table(
        [
            html.Thead(
                html.Tr([html.Th(t(key, lang), className=f"col-{name}") for name, key in head])
            ),
            html.Tbody([_row(i, r, focus, now, lang) for i, r in enumerate(rows)]),
        ],
        className="feed-board table align-middle mb-0",
        **{"data-testid": "feed-board"},
    )
    return [_counts(rows, lang), html.Div(table, className="feed-board-scroll")]


def _counts(rows: list[BoardRow], lang: str) -> html.Div:
    chips = []
    for state in BoardState:
        count = sum(r.state is state for r in rows)
        chips.append(
            html.Span(
                [
                    html.Span(className=f"board-dot board-dot-{state.value}"),
                    t(f"board.state.{state.value}", lang),
                    html.B(format_number(count, lang), className="ms-1"),
                ],
                className="board-count",
                **{"data-state": state.value, "data-count": str(count)},
            )
        )
    return html.Div(chips, className="board-counts", **{"aria-label": t("board.counts", lang)})


def _row(index: int, row: BoardRow, focus: str | None, now: datetime, lang: str) -> Element:
    summary = row.summary
    classes = f"board-row board-row-{row.state.value}" + (
        " board-row-focus" if row.feed_id == focus else ""
    )
    return _h.Tr(
        [
            _h.Td(
                _feed_cell(row, lang),
                className="col-feed",
                **{"data-label": t("board.col.feed", lang)},
            ),
            _h.Td(
                _schedule(row, lang),
                className="col-schedule",
                **{"data-label": t("board.col.schedule", lang)},
            ),
            _h.Td(
                _state(row, lang),
                className="col-state",
                **{"data-label": t("board.col.state", lang)},
            ),
            _h.Td(
                _moment(summary.last_success, now, lang),
                className="col-last_success",
                **{"data-label": t("feeds.last_success", lang)},
            ),
            _h.Td(
                _next_run(summary, now, lang),
                className="col-next_run",
                **{"data-label": t("feeds.next_run", lang)},
            ),
            _h.Td(
                _last_run(row, lang),
                className="col-last_run",
                **{"data-label": t("board.col.last_run", lang)},
            ),
            _h.Td(_lag(row, lang), className="col-lag", **{"data-label": t("board.col.lag", lang)}),
            _h.Td(
                timeline(row, lang),
                className="col-timeline",
                **{"data-label": t("board.col.timeline", lang)},
            ),
            _h.Td(
                _quality(row, lang),
                className="col-quality",
                **{"data-label": t("board.col.quality", lang)},
            ),
            _h.Td(
                _error(row, lang),
                className="col-error",
                **{"data-label": t("board.col.error", lang)},
            ),
            _h.Td(
                _actions(index, row, lang),
                className="col-actions",
                **{"data-label": t("board.col.actions", lang)},
            ),
        ],
        className=classes,
        **{"data-feed-id": row.feed_id, "data-state": row.state.value},
    )


def _feed_cell(row: BoardRow, lang: str) -> list[Any]:
    summary = row.summary
    domains = ", ".join(domain_name(d, lang) for d in row.domains) or t("board.no_domain", lang)
    origin = _origin(row, lang) + _review_marks(row, lang)
    return [
        _h.A(
            summary.feed_id,
            href=HISTORY_PATH.format(feed=summary.feed_id),
            className="board-feed-id",
            title=t("board.history_link", lang),
        ),
        _h.Div(
            [_h.Span(summary.feed_type, className="board-type"), *origin],
            className="board-meta",
        ),
        _h.Div(domains, className="board-domains", title=domains),
    ]


REVIEW_PATH = "/quan-tri/du-lieu-bi-loai?feed={feed}"


def _review_marks(row: BoardRow, lang: str) -> list[Any]:
    """What the review queue says of the source: marked at fault (with who, when and why),
    and how many of its rejected records wait for review — each a link to the queue."""
    marks: list[Any] = []
    href = REVIEW_PATH.format(feed=row.feed_id)
    if row.fault is not None:
        why = t(
            "board.fault_title",
            lang,
            note=row.fault.note or "—",
            who=row.fault.marked_by,
            when=format_datetime_local(row.fault.marked_at, lang),
        )
        marks.append(
            _h.A(
                t("board.fault", lang),
                href=href,
                title=why,
                className="board-fault",
                **{"data-testid": "feed-at-fault"},
            )
        )
    if row.open_rejected:
        count = format_number(row.open_rejected, lang)
        marks.append(
            _h.A(t("board.open_rejected", lang, count=count), href=href, className="board-review")
        )
    return marks


ORIGIN_KEYS = {
    "file": "board.origin.file",
    "edited": "board.origin.overridden",
    "console": "board.origin.console",
}


def _origin(row: BoardRow, lang: str) -> list[Any]:
    """Where the feed's definition comes from: the configuration file, or the console (an
    override of a file feed is marked so). A feed of config.yaml not yet provisioned into
    the definitions is the file's."""
    origin = row.origin
    if origin is None and any(f.id == row.feed_id for f in services().settings.feeds):
        origin = "file"
    if origin is None:
        return []
    return [_h.Span(t(ORIGIN_KEYS[origin], lang), className=f"board-origin board-origin-{origin}")]


def _schedule(row: BoardRow, lang: str) -> list[Any]:
    summary = row.summary
    every = t("board.every", lang, interval=_duration(summary.interval, lang))
    if row.paused:
        key = "board.paused"
    elif summary.status is FeedStatus.DISABLED:
        key = "board.disabled"
    else:
        key = "board.enabled"
    return [_h.Div(every), _h.Div(t(key, lang), className="board-sub")]


def _state(row: BoardRow, lang: str) -> Element:
    detail = (
        t(f"feeds.state.{row.summary.status.value}", lang)
        if row.summary.status in DETAILED and not row.paused
        else t("board.paused", lang)
        if row.paused
        else None
    )
    text = t(f"board.state.{row.state.value}", lang)
    return _h.Span(
        [_h.I(className=f"bi {STATE_ICON[row.state]} me-1", **{"aria-hidden": "true"}), text]
        + ([_h.Span(f"\u00a0· {detail}", className="board-state-detail")] if detail else []),
        className=f"board-state board-state-{row.state.value}",
    )


DETAILED = frozenset({FeedStatus.FIRST_LOAD, FeedStatus.NEVER})  # said beside the state
STATE_ICON = {
    BoardState.FAILING: "bi-x-octagon-fill",
    BoardState.LATE: "bi-hourglass-split",
    BoardState.RUNNING: "bi-arrow-repeat",
    BoardState.ON_TIME: "bi-check-circle-fill",
    BoardState.DISABLED: "bi-pause-circle",
}


def _last_run(row: BoardRow, lang: str) -> Any:
    summary = row.summary
    if summary.rows_changed is None:
        return t("feeds.none_yet", lang)
    figures = [
        ("board.stored", summary.rows_accepted or 0, "stored"),
        ("board.rejected", summary.rows_rejected or 0, "rejected"),
        ("board.changed", summary.rows_changed, "changed"),
    ]
    return _h.Div(
        [
            _h.Span(
                [_h.B(_number(value, lang)), " ", t(key, lang)],
                className=f"board-figure board-figure-{name}" + (" has-value" if value else ""),
            )
            for key, value, name in figures
        ],
        className="board-figures",
    )


def _lag(row: BoardRow, lang: str) -> Any:
    summary = row.summary
    if summary.lag is None:
        return t("feeds.none_yet", lang)
    ratio = row.lag_ratio or 0.0
    tone = "critical" if ratio >= 10 else "warn" if ratio >= 3 else "good"
    return _h.Div(
        [
            _h.Div(_duration(summary.lag, lang), className=f"board-lag board-lag-{tone}"),
            _h.Div(
                t("board.lag_ratio", lang, ratio=_number(ratio, lang, 1)),
                className="board-sub",
            ),
        ],
        title=t(
            "feeds.lag_value",
            lang,
            age=_duration(summary.lag, lang),
            interval=_duration(summary.interval, lang),
        ),
    )


def timeline(row: BoardRow, lang: str) -> Element:
    """Seven small cells, one per local day, oldest first: colour and symbol by the day's runs;
    each says its date and counts in words in its title (the tooltip, and the accessible name
    of an element with role img)."""
    cells = []
    for day in row.days:
        tone = day_tone(day)
        words = t(
            "board.day",
            lang,
            date=_date(day.day, lang),
            runs=_number(day.total, lang),
            ok=_number(day.count("ok"), lang),
            partial=_number(day.count("partial"), lang),
            failed=_number(day.count("failed"), lang),
        )
        if tone == "none":
            words = t("board.day_none", lang, date=_date(day.day, lang))
        cells.append(
            _h.Span(
                DAY_SYMBOL[tone],
                className=f"board-day board-day-{tone}",
                title=words,
                role="img",
                **{"data-day": day.day.isoformat(), "data-tone": tone},
            )
        )
    return _h.Div(
        cells,
        className="board-timeline",
        role="group",
        **{"aria-label": t("board.col.timeline", lang)},
    )


DAY_SYMBOL = {"ok": "✓", "mixed": "!", "failed": "✕", "running": "…", "none": "·"}


def _quality(row: BoardRow, lang: str) -> Any:
    q = row.quality
    score = q.score
    parts = [
        (
            "board.quality.accepted",
            q.accepted,
            t("board.quality.accepted_of", lang, read=_number(q.records_read, lang)),
        ),
        (
            "board.quality.timeliness",
            q.timeliness,
            t(
                "board.quality.timeliness_of",
                lang,
                delivered=_number(q.runs_delivered, lang),
                expected=_number(q.runs_expected, lang),
            ),
        ),
        (
            "board.quality.completeness",
            q.completeness,
            t(
                "board.quality.completeness_of",
                lang,
                covered=_number(q.days_covered, lang),
                expected=_number(q.days_expected, lang),
            ),
        ),
    ]
    lines = [t("board.quality.explain", lang)]
    for key, value, detail in parts:
        shown = _percent(round(value * 100), lang, 0) if value is not None else "—"
        lines.append(f"{t(key, lang)}: {shown} ({detail})")
    tooltip = "\n".join(lines)
    text = _number(round(score * 100), lang) if score is not None else "—"
    return _h.Span(
        text,
        className=f"board-quality board-quality-{q.tone}",
        title=tooltip,
        **{"data-score": "" if score is None else str(round(score * 100))},
    )


def _error(row: BoardRow, lang: str) -> Any:
    if not row.error:
        return _h.Span("—", className="board-sub")
    failures = row.summary.consecutive_failures
    return _h.Div(
        [
            _h.Div(row.error, className="board-error-text"),
            _h.Div(t("board.failures", lang, count=failures), className="board-sub")
            if failures
            else None,
        ],
        className="board-error",
        title=row.error,
    )


def _actions(index: int, row: BoardRow, lang: str) -> Element:
    defined = row.version is not None
    pause_key = "board.action.resume" if row.paused else "board.action.pause"
    pause_icon = "bi-play-fill" if row.paused else "bi-pause-fill"
    buttons: list[Any] = [
        _button(index, "test", "bi-clipboard-check", "board.action.test", lang, "feed-test"),
        _button(
            index,
            "run",
            "bi-lightning-charge",
            "board.action.run",
            lang,
            "feed-run-now",
            enabled=defined,
        ),
        _button(index, "pause", pause_icon, pause_key, lang, "feed-pause", enabled=defined),
        _link(
            EDIT_PATH.format(feed=row.feed_id), "bi-pencil", "board.action.edit", lang, "feed-edit"
        ),
        _link(
            HISTORY_PATH.format(feed=row.feed_id),
            "bi-clock-history",
            "board.action.history",
            lang,
            "feed-history",
        ),
    ]
    if row.summary.feed_type == "tabular_file":
        buttons.append(
            _h.A(
                t("board.action.import", lang),
                href=IMPORT_PATH.format(feed=row.feed_id),
                className="btn btn-sm btn-outline-secondary",
                **{"data-testid": "feed-import"},
            )
        )
    buttons.append(
        _button(
            index,
            "delete",
            "bi-trash",
            "board.action.delete",
            lang,
            "feed-delete",
            enabled=defined,
            tone="danger",
        )
    )
    return _h.Div(buttons, className="board-actions")


def _link(href: str, icon: str, key: str, lang: str, testid: str) -> Element:
    return _h.A(
        _h.I(className=f"bi {icon}", **{"aria-hidden": "true"}),
        href=href,
        className="btn btn-sm btn-outline-secondary",
        title=t(key, lang),
        **{"data-testid": testid, "aria-label": t(key, lang)},
    )


def _button(
    index: int,
    action: str,
    icon: str,
    key: str,
    lang: str,
    testid: str,
    *,
    enabled: bool = True,
    tone: str = "primary",
) -> Element:
    """A row's action button; one the feed's definition is needed for is disabled (and says
    why) while the feed has none."""
    title = t(key, lang) if enabled else f"{t(key, lang)} — {t('board.needs_definition', lang)}"
    return _h.Button(
        _h.I(className=f"bi {icon}", **{"aria-hidden": "true"}),
        id={"type": ACTION, "action": action, "row": index},
        className=f"btn btn-sm btn-outline-{tone}",
        title=title,
        disabled=not enabled,
        n_clicks=0,
        **{"data-testid": testid, "aria-label": title},
    )


# -- formatting ------------------------------------------------------------------------------
# The board formats the same few numbers, days and intervals for 200 rows: Babel once each.
@functools.lru_cache(maxsize=4096)
def _number(value: float, lang: str, decimals: int = 0) -> str:
    return format_number(value, lang, decimals)


@functools.lru_cache(maxsize=64)
def _date(day: date, lang: str) -> str:
    return format_date_local(day, lang)


@functools.lru_cache(maxsize=512)
def _percent(value: float, lang: str, decimals: int) -> str:
    return format_percent(value, lang, decimals)


def _duration(delta: timedelta, lang: str) -> str:
    return _seconds_text(int(delta.total_seconds()), lang)


@functools.lru_cache(maxsize=4096)
def _seconds_text(seconds: int, lang: str) -> str:
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1, granularity="second", locale=locale_for(lang)
    )


def _moment(moment: datetime | None, now: datetime, lang: str) -> Any:
    if moment is None:
        return t("feeds.none_yet", lang)
    return html.Div(
        [
            html.Div(format_relative(now - moment, lang)),
            html.Div(format_datetime_local(moment, lang), className="board-sub"),
        ]
    )


def _next_run(summary: FeedSummary, now: datetime, lang: str) -> Any:
    moment = summary.next_run
    if moment is None:
        return "—"
    shown = format_datetime_local(moment, lang, "time")
    return t("feeds.next_run_due", lang, time=shown) if moment <= now else shown

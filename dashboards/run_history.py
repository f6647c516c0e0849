"""The run history page's query string read into a filter; a bad value is named, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from store.feed_board import RUN_STATUSES, RunFilter
from store.scope import LOCAL_TZ

PAGE_SIZE = 20  # fixed by the server: a query string cannot ask for more rows
MAX_PAGE_DIGITS = 9


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryQuery:
    where: RunFilter
    page: int
    statuses: tuple[str, ...]
    start: date | None  # as the operator wrote them (local days, `to` inclusive)
    end: date | None
    problems: tuple[tuple[str, dict[str, str]], ...] = field(default=())  # (i18n key, params)


def parse_history(params: Mapping[str, object]) -> HistoryQuery:
    """`status` (one or more of ok, partial, failed, running, comma-separated), `from` and
    `to` (YYYY-MM-DD, local days, both included) and `page` (1-based). A value that cannot
    be read is dropped from the filter and reported."""
    problems: list[tuple[str, dict[str, str]]] = []
    statuses: list[str] = []
    for word in _text(params.get("status")).split(","):
        word = word.strip()
        if not word:
            continue
        if word not in RUN_STATUSES:
            problems.append(("board.history.bad_status", {"value": word[:40]}))
        elif word not in statuses:
            statuses.append(word)
    start = _day(params.get("from"), "from", problems)
    end = _day(params.get("to"), "to", problems)
    if start is not None and end is not None and start > end:
        problems.append(
            ("board.history.bad_range", {"start": start.isoformat(), "end": end.isoformat()})
        )
        start = end = None
    page = _page(params.get("page"), problems)
    where = RunFilter(
        statuses=tuple(statuses),
        start=_local_midnight(start) if start else None,
        end=_local_midnight(end + timedelta(days=1)) if end else None,
    )
    return HistoryQuery(
        where=where,
        page=page,
        statuses=tuple(statuses),
        start=start,
        end=end,
        problems=tuple(problems),
    )


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _day(value: object, name: str, problems: list[tuple[str, dict[str, str]]]) -> date | None:
    text = _text(value).strip()
    if not text:
        return None
    try:
        return _read_day(text)
    except ValueError:
        problems.append((f"board.history.bad_{name}", {"value": text[:40]}))
        return None


def _read_day(text: str) -> date:
    """A day as Vietnamese users write it (dd/mm/yyyy, d/m/yyyy) or as ISO (yyyy-mm-dd)."""
    if len(text) == 10 and text[4] == "-":
        return date.fromisoformat(text)
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        day, month, year = (int(p) for p in parts)
        return date(year, month, day)
    raise ValueError("neither dd/mm/yyyy nor yyyy-mm-dd")


def _page(value: object, problems: list[tuple[str, dict[str, str]]]) -> int:
    text = _text(value).strip()
    if not text:
        return 1
    if text.isdigit() and len(text) <= MAX_PAGE_DIGITS and int(text) >= 1:
        return int(text)
    problems.append(("board.history.bad_page", {"value": text[:40]}))
    return 1


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL_TZ)

"""The audit page's plain logic: filters from the page's controls, rows, and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from access.audit import Action, Outcome
from i18n import t
from i18n.formatting import format_datetime_local
from store.accounts import MAX_AUDIT_PAGE, Accounts, AuditEntry, AuditFilter
from store.scope import FIRST_DATE, LAST_DATE, local_midnight_utc

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # entries in one export at most (the file says when it was cut)
CSV_DELIMITER = ";"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIELDS = ("at", "actor", "ip", "action", "outcome", "target", "detail")
ACTIONS = tuple(action.value for action in Action)
OUTCOMES = tuple(outcome.value for outcome in Outcome)
MAX_ACTOR = 64


class AuditQueryError(ValueError):
    """A filter value the page could not have sent (a crafted request)."""


@dataclass(frozen=True, slots=True)
class Filters:
    action: str | None = None
    actor: str | None = None
    outcome: str | None = None
    since: date | None = None  # local days, both included
    until: date | None = None

    def query(self) -> AuditFilter:
        return AuditFilter(
            since=None if self.since is None else local_midnight_utc(self.since),
            until=None if self.until is None else local_midnight_utc(self.until + timedelta(1)),
            actor=self.actor,
            action=self.action,
            outcome=self.outcome,
        )


def filters(action: Any, actor: Any, outcome: Any, since: Any, until: Any) -> Filters:
    """The filters the controls ask for; AuditQueryError for anything they cannot send."""
    if action is not None and action not in ACTIONS:
        raise AuditQueryError(f"unknown action {str(action)[:40]!r}")
    if outcome is not None and outcome not in OUTCOMES:
        raise AuditQueryError(f"unknown outcome {str(outcome)[:40]!r}")
    if actor is not None and not isinstance(actor, str):
        raise AuditQueryError("the user filter must be text")
    name = (actor or "").strip()[:MAX_ACTOR] or None
    first, last = _day(since), _day(until)
    if first and last and first > last:
        first, last = last, first
    return Filters(action=action, actor=name, outcome=outcome, since=first, until=last)


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        raise AuditQueryError(f"not a date: {str(value)[:20]!r}") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise AuditQueryError(f"date {day.isoformat()} is outside {FIRST_DATE}..{LAST_DATE}")
    return day


def page_of(accounts: Accounts, chosen: Filters, page: int) -> tuple[list[AuditEntry], int, int]:
    """(entries of page `page` (0-based, clamped), total matching, the page shown)."""
    first = accounts.audit_entries(chosen.query(), limit=PAGE_SIZE, offset=0)
    pages = max(1, -(-first.total // PAGE_SIZE))
    shown = min(max(0, page), pages - 1)
    if shown == 0:
        return list(first.entries), first.total, 0
    found = accounts.audit_entries(chosen.query(), limit=PAGE_SIZE, offset=shown * PAGE_SIZE)
    return list(found.entries), found.total, shown


def row(entry: AuditEntry, lang: str) -> dict[str, Any]:
    return {
        "at": format_datetime_local(entry.at, lang, "medium"),
        "actor": entry.actor or "",
        "ip": entry.ip or "",
        "action": _named("action", entry.action, ACTIONS, lang),
        "outcome": _named("outcome", entry.outcome, OUTCOMES, lang),
        "target": entry.target,
        "detail": entry.detail,
    }


def _named(kind: str, code: str, known: Sequence[str], lang: str) -> str:
    """A recorded code in the reader's language (an entry from an older release keeps its code)."""
    return t(f"audit.{kind}.{code}", lang) if code in known else code


def all_matching(accounts: Accounts, chosen: Filters) -> Iterator[AuditEntry]:
    """Every matching entry, newest first, read a page at a time (at most EXPORT_LIMIT)."""
    offset = 0
    while offset < EXPORT_LIMIT:
        found = accounts.audit_entries(chosen.query(), limit=MAX_AUDIT_PAGE, offset=offset)
        yield from found.entries
        if len(found.entries) < MAX_AUDIT_PAGE:
            return
        offset += MAX_AUDIT_PAGE


def neutralised(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(headers: Sequence[str], entries: Iterator[AuditEntry], lang: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([neutralised(h) for h in headers])
    for entry in entries:
        cells = row(entry, lang)
        writer.writerow([neutralised(str(cells[f])) for f in FIELDS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

"""The review queue's actions as an operator takes them: applied through the store, each
written to the audit log with who, when and the state before and after (refusals too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from access.audit import Action, AuditLog, Outcome
from store.review import Review
from store.review_models import Correction, ReviewAction, ReviewError


@dataclass(frozen=True, slots=True)
class Operator:
    """Who acts, and from where (for the audit log)."""

    name: str
    ip: str | None = None


def accept(
    review: Review,
    audit: AuditLog,
    who: Operator,
    record_id: int,
    correction: Correction,
    now: datetime,
) -> ReviewAction:
    return _audited(
        audit,
        who,
        Action.REVIEW_ACCEPT,
        _record_target(record_id),
        lambda: review.accept(record_id, correction, by=who.name, now=now),
    )


def discard(
    review: Review, audit: AuditLog, who: Operator, record_id: int, now: datetime
) -> ReviewAction:
    return _audited(
        audit,
        who,
        Action.REVIEW_DISCARD,
        _record_target(record_id),
        lambda: review.discard(record_id, by=who.name, now=now),
    )


def mark_at_fault(
    review: Review, audit: AuditLog, who: Operator, feed_id: str, note: str, now: datetime
) -> ReviewAction:
    return _audited(
        audit,
        who,
        Action.REVIEW_FAULT,
        _feed_target(feed_id),
        lambda: review.mark_at_fault(feed_id, note, by=who.name, now=now),
    )


def clear_fault(
    review: Review, audit: AuditLog, who: Operator, feed_id: str, now: datetime
) -> ReviewAction:
    return _audited(
        audit,
        who,
        Action.REVIEW_FAULT,
        _feed_target(feed_id),
        lambda: review.clear_fault(feed_id, by=who.name, now=now),
    )


def undo(
    review: Review, audit: AuditLog, who: Operator, action_id: int, now: datetime
) -> ReviewAction:
    """Undo an action; the audit entry's before is what the action had made, its after what
    the undo put back."""
    done = review.action(action_id)
    target = (
        _record_target(done.rejected_id)
        if done is not None and done.rejected_id is not None
        else _feed_target(done.feed_id if done else "?")
    )
    return _audited(
        audit,
        who,
        Action.REVIEW_UNDO,
        target,
        lambda: review.undo(action_id, by=who.name, now=now),
        undone=done,
    )


def _audited(
    audit: AuditLog,
    who: Operator,
    action: Action,
    target: str,
    apply: Callable[[], ReviewAction],
    undone: ReviewAction | None = None,
) -> ReviewAction:
    try:
        result = apply()
    except ReviewError as error:
        audit.record(
            action,
            outcome=Outcome.FAILURE,
            actor=who.name,
            ip=who.ip,
            target=target,
            detail={"error": str(error)},
        )
        raise
    detail: dict[str, Any] = {"review_action": result.id, "feed": result.feed_id}
    if undone is not None:
        detail.update(undid=result.action, before=undone.after, after=result.after or undone.before)
    else:
        detail.update(before=result.before, after=result.after)
    audit.record(
        action, outcome=Outcome.SUCCESS, actor=who.name, ip=who.ip, target=target, detail=detail
    )
    return result


def _record_target(record_id: int) -> str:
    return f"rejected_records/{record_id}"


def _feed_target(feed_id: str) -> str:
    return f"feeds/{feed_id}"

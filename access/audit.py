"""Writing the audit log: fixed action names, bounded text, secrets never written."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from store.accounts import Accounts, AuditEntry

MAX_DETAIL_CHARS = 2000
MAX_TARGET_CHARS = 200
MAX_ACTOR_CHARS = 64
MAX_IP_CHARS = 45
_ELLIPSIS = "…"
SECRET_WORDS = ("password", "token", "secret", "hash")  # keys whose values never reach the log


class Action(StrEnum):
    SIGNIN_SUCCESS = "signin.success"
    SIGNIN_FAILURE = "signin.failure"
    SIGNIN_LOCKOUT = "signin.lockout"
    SIGNOUT = "signout"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_DISABLE = "user.disable"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    TOKEN_EXCHANGE = "token.exchange"  # a wall screen traded its display token for a session
    FEED_CHANGE = "feed.change"
    REVIEW_ACCEPT = "review.accept"  # a rejected record corrected and stored
    REVIEW_DISCARD = "review.discard"
    REVIEW_FAULT = "review.fault"  # a source marked at fault, or the mark cleared
    REVIEW_UNDO = "review.undo"
    FEED_IMPORT = "feed.import"  # a file uploaded and imported into a feed by hand
    EXPORT = "export"
    ACCESS_DENIED = "access.denied"
    FEED_CREATE = "feed.create"  # the operator console's feed actions (feeds.console)
    FEED_UPDATE = "feed.update"
    FEED_PAUSE = "feed.pause"
    FEED_RESUME = "feed.resume"
    FEED_DELETE = "feed.delete"
    FEED_REVERT = "feed.revert"
    FEED_RUN_NOW = "feed.run_now"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(_ELLIPSIS))] + _ELLIPSIS


def _redacted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): "<redacted>"
            if any(word in str(k).lower() for word in SECRET_WORDS)
            else _redacted(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def detail_text(detail: Mapping[str, Any] | str | None) -> str:
    """The detail as stored: JSON for a mapping (secret-named keys redacted), bounded in size.
    A cut JSON text is no longer valid JSON; the ellipsis says so."""
    if detail is None:
        return ""
    if isinstance(detail, str):
        text = detail
    else:
        text = json.dumps(_redacted(detail), ensure_ascii=False, sort_keys=True, default=str)
    return truncate(text, MAX_DETAIL_CHARS)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AuditLog:
    """Appends entries; `clock` is injected so tests control the time."""

    def __init__(self, accounts: Accounts, clock: Callable[[], datetime] = _utcnow) -> None:
        self.accounts = accounts
        self.clock = clock

    def record(
        self,
        action: Action,
        *,
        outcome: Outcome,
        actor: str | None,
        ip: str | None = None,
        target: str = "",
        detail: Mapping[str, Any] | str | None = None,
    ) -> AuditEntry:
        return self.accounts.append_audit(
            at=self.clock(),
            actor=None if actor is None else truncate(actor, MAX_ACTOR_CHARS),
            ip=None if ip is None else truncate(ip, MAX_IP_CHARS),
            action=Action(action).value,
            target=truncate(target, MAX_TARGET_CHARS),
            detail=detail_text(detail),
            outcome=Outcome(outcome).value,
        )

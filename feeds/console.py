"""The operator console's feed actions: validate, save, pause, resume, delete, revert and
run now; each applied through the store and written to the audit log (who, when,
before/after). The scheduler picks the change up within seconds, in whichever process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from access.audit import Action, AuditLog, Outcome
from feeds.definitions import FieldProblem, check_feed, effective_feeds
from settings import FeedConfig
from store import Store
from store.feed_defs import (
    FeedDefinition,
    FeedExists,
    NothingToRevert,
    StaleEdit,
    UnknownFeed,
    entry_of,
)

__all__ = [
    "FeedDefinition",
    "FeedExists",
    "FieldProblem",
    "InvalidFeed",
    "NothingToRevert",
    "StaleEdit",
    "UnknownFeed",
    "delete_feed",
    "effective_feeds",
    "pause_feed",
    "resume_feed",
    "revert_feed",
    "run_feed_now",
    "save_feed",
    "validate_feed",
]


class _Named(Protocol):
    @property
    def name(self) -> str: ...


User = _Named | str  # a signed-in visitor (access.current.Visitor) or a user name


class InvalidFeed(ValueError):
    """save_feed was given an entry that does not validate; `problems` say where."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(f"invalid feed: {len(problems)} problem(s)")
        self.problems = problems


def validate_feed(config: Mapping[str, Any]) -> FeedConfig | list[FieldProblem]:
    """The entry checked as config.yaml's feeds are (settings.FeedConfig with the feed
    type's options model; ${VAR} references must be set in the environment), or pydantic's
    error dicts (loc, type, msg, ctx, and the input as entered)."""
    return check_feed(config)


def save_feed(
    store: Store,
    audit: AuditLog,
    user: User,
    config: Mapping[str, Any],
    *,
    expected_version: int | None,
    ip: str | None = None,
) -> FeedDefinition:
    """Create (expected_version None) or update a feed; raises InvalidFeed, FeedExists,
    StaleEdit (`.current` says who saved which version when) or UnknownFeed."""
    checked = validate_feed(config)
    if isinstance(checked, list):
        raise InvalidFeed(checked)
    entry = entry_of(checked, config)
    actor = _name(user)
    if expected_version is None:
        try:
            saved = store.feed_defs.create(entry, by=actor)
        except FeedExists as exc:
            _failed(audit, Action.FEED_CREATE, actor, ip, checked.id, exc)
            raise
        detail = {"version": saved.version, "after": saved.config}
        audit.record(
            Action.FEED_CREATE,
            outcome=Outcome.SUCCESS,
            actor=actor,
            ip=ip,
            target=saved.id,
            detail=detail,
        )
        return saved
    before = store.feed_defs.get(checked.id)
    try:
        saved = store.feed_defs.update(
            checked.id, entry, expected_version=expected_version, by=actor
        )
    except (StaleEdit, UnknownFeed) as exc:
        _failed(audit, Action.FEED_UPDATE, actor, ip, checked.id, exc, expected_version)
        raise
    _succeeded(audit, Action.FEED_UPDATE, actor, ip, before, saved)
    return saved


def pause_feed(
    store: Store,
    audit: AuditLog,
    user: User,
    feed_id: str,
    *,
    expected_version: int,
    ip: str | None = None,
) -> FeedDefinition:
    """Stop scheduling the feed (kept, with its data) until resumed."""
    return _act(
        store,
        audit,
        user,
        feed_id,
        Action.FEED_PAUSE,
        expected_version,
        ip,
        lambda actor: store.feed_defs.set_paused(
            feed_id, True, expected_version=expected_version, by=actor
        ),
    )


def resume_feed(
    store: Store,
    audit: AuditLog,
    user: User,
    feed_id: str,
    *,
    expected_version: int,
    ip: str | None = None,
) -> FeedDefinition:
    """Schedule a paused feed again (it runs at once)."""
    return _act(
        store,
        audit,
        user,
        feed_id,
        Action.FEED_RESUME,
        expected_version,
        ip,
        lambda actor: store.feed_defs.set_paused(
            feed_id, False, expected_version=expected_version, by=actor
        ),
    )


def delete_feed(
    store: Store,
    audit: AuditLog,
    user: User,
    feed_id: str,
    *,
    expected_version: int,
    ip: str | None = None,
) -> FeedDefinition:
    """Soft delete: not scheduled, hidden by default; its runs and records are kept."""
    return _act(
        store,
        audit,
        user,
        feed_id,
        Action.FEED_DELETE,
        expected_version,
        ip,
        lambda actor: store.feed_defs.delete(feed_id, expected_version=expected_version, by=actor),
    )


def revert_feed(
    store: Store,
    audit: AuditLog,
    user: User,
    feed_id: str,
    *,
    expected_version: int,
    ip: str | None = None,
) -> FeedDefinition:
    """Drop a file feed's console override: it runs as config.yaml says again."""
    return _act(
        store,
        audit,
        user,
        feed_id,
        Action.FEED_REVERT,
        expected_version,
        ip,
        lambda actor: store.feed_defs.revert(feed_id, expected_version=expected_version, by=actor),
    )


def run_feed_now(
    store: Store, audit: AuditLog, user: User, feed_id: str, *, ip: str | None = None
) -> None:
    """Ask the scheduler to run the feed at once (a paused feed too: the operator asked)."""
    actor = _name(user)
    try:
        store.feed_defs.request_run(feed_id, by=actor)
    except UnknownFeed as exc:
        _failed(audit, Action.FEED_RUN_NOW, actor, ip, feed_id, exc)
        raise
    audit.record(Action.FEED_RUN_NOW, outcome=Outcome.SUCCESS, actor=actor, ip=ip, target=feed_id)


def _act(
    store: Store,
    audit: AuditLog,
    user: User,
    feed_id: str,
    action: Action,
    expected_version: int,
    ip: str | None,
    apply: Any,
) -> FeedDefinition:
    actor = _name(user)
    before = store.feed_defs.get(feed_id)
    try:
        saved: FeedDefinition = apply(actor)
    except (StaleEdit, UnknownFeed, NothingToRevert) as exc:
        _failed(audit, action, actor, ip, feed_id, exc, expected_version)
        raise
    _succeeded(audit, action, actor, ip, before, saved)
    return saved


def _name(user: User) -> str:
    return user if isinstance(user, str) else user.name


def _succeeded(
    audit: AuditLog,
    action: Action,
    actor: str,
    ip: str | None,
    before: FeedDefinition | None,
    after: FeedDefinition,
) -> None:
    """Audited with what changed: before/after of each changed value (secrets are ${VAR}
    references anyway, and secret-named keys are redacted by the audit log)."""
    audit.record(
        action,
        outcome=Outcome.SUCCESS,
        actor=actor,
        ip=ip,
        target=after.id,
        detail={
            "version": [None if before is None else before.version, after.version],
            "changed": changes(before, after),
        },
    )


def _failed(
    audit: AuditLog,
    action: Action,
    actor: str,
    ip: str | None,
    feed_id: str,
    exc: Exception,
    expected_version: int | None = None,
) -> None:
    detail: dict[str, Any] = {"error": type(exc).__name__}
    if expected_version is not None:
        detail["expected_version"] = expected_version
    if isinstance(exc, StaleEdit):
        current = exc.current
        detail |= {
            "current_version": current.version,
            "saved_by": current.updated_by,
            "saved_at": current.updated_at.isoformat() if current.updated_at else None,
        }
    audit.record(action, outcome=Outcome.FAILURE, actor=actor, ip=ip, target=feed_id, detail=detail)


def changes(before: FeedDefinition | None, after: FeedDefinition) -> dict[str, list[Any]]:
    """Each changed value, by its path in the entry (`options.url`), as [before, after];
    the state flags (paused, deleted, overridden) under their own names."""
    old = _flat(before.config) if before else {}
    new = _flat(after.config)
    found = {
        path: [old.get(path), new.get(path)]
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    }
    for flag in ("paused", "deleted", "overridden"):
        was = getattr(before, flag) if before else None
        now = getattr(after, flag)
        if was != now:
            found[flag] = [was, now]
    return found


def _flat(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, Mapping) and item:
            flat |= _flat(item, f"{path}.")
        else:
            flat[path] = item
    return flat

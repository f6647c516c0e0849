"""Managing users and signing them in: validation, hashing, throttling and audit together."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from access.audit import Action, AuditLog, Outcome
from access.lockout import Throttle
from access.passwords import check_password, hash_password, needs_rehash, verify_password
from access.roles import ROLES, Role
from store.accounts import Accounts, User

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")  # no ':' — "cli:…" actors stay apart


class UserInputError(ValueError):
    """A request to change users that is wrong as asked (the CLI exits with code 2)."""


def normalize_username(name: str) -> str:
    """The one spelling of a username: trimmed and case-folded ("Lan " and "lan" are one)."""
    return name.strip().casefold()


def checked_username(name: str) -> str:
    username = normalize_username(name)
    if not USERNAME.fullmatch(username):
        raise UserInputError(
            f"tên đăng nhập không hợp lệ {name!r} / invalid username {name!r}: 1-64 of a-z, 0-9,"
            " '.', '_', '-', '@', starting with a letter or digit"
        )
    return username


def _utcnow() -> datetime:
    return datetime.now(UTC)


def add_user(
    accounts: Accounts,
    audit: AuditLog,
    *,
    username: str,
    role: str,
    area_code: str | None,
    password: str | None,
    actor: str,
    ip: str | None = None,
    display_name: str = "",
) -> User:
    """Create a user (password None: SSO only); raises UserInputError, PasswordRejected or the
    store's AccountError. The attempt is audited either way."""
    name = checked_username(username)
    try:
        if role not in ROLES:
            raise UserInputError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
        if password is not None:
            check_password(password, name)
        user = accounts.create_user(
            username=name,
            role=role,
            area_code=area_code,
            password_hash=None if password is None else hash_password(password),
            display_name=display_name,
            now=audit.clock(),
        )
    except ValueError as error:
        audit.record(
            Action.USER_CREATE,
            outcome=Outcome.FAILURE,
            actor=actor,
            ip=ip,
            target=name,
            detail={"role": role, "area": area_code, "error": str(error)},
        )
        raise
    audit.record(
        Action.USER_CREATE,
        outcome=Outcome.SUCCESS,
        actor=actor,
        ip=ip,
        target=name,
        detail={"id": user.id, "role": role, "area": area_code, "sso_only": password is None},
    )
    return user


def disable_user(
    accounts: Accounts, audit: AuditLog, username: str, *, actor: str, ip: str | None = None
) -> User:
    """Disable a user (it can no longer sign in; its sessions end at their next check)."""
    name = normalize_username(username)
    user = accounts.user(name)
    if user is None:
        audit.record(
            Action.USER_DISABLE,
            outcome=Outcome.FAILURE,
            actor=actor,
            ip=ip,
            target=name,
            detail={"error": "no such user"},
        )
        raise UserInputError(f"không có người dùng {name!r} / no user {name!r}")
    if user.role == Role.ADMIN and user.enabled and accounts.count_enabled_admins() <= 1:
        audit.record(
            Action.USER_DISABLE,
            outcome=Outcome.FAILURE,
            actor=actor,
            ip=ip,
            target=name,
            detail={"error": "last enabled admin"},
        )
        raise UserInputError(
            f"{name!r} là quản trị viên cuối cùng / {name!r} is the last enabled admin: "
            "create another admin first"
        )
    updated = accounts.update_user(user.id, expected_version=user.version, enabled=False)
    audit.record(
        Action.USER_DISABLE,
        outcome=Outcome.SUCCESS,
        actor=actor,
        ip=ip,
        target=name,
        detail={"id": user.id, "was_enabled": user.enabled},
    )
    return updated


def set_password(
    accounts: Accounts,
    audit: AuditLog,
    username: str,
    password: str,
    *,
    actor: str,
    ip: str | None = None,
) -> User:
    name = normalize_username(username)
    user = accounts.user(name)
    if user is None:
        raise UserInputError(f"không có người dùng {name!r} / no user {name!r}")
    check_password(password, name)
    updated = accounts.update_user(
        user.id, expected_version=user.version, password_hash=hash_password(password)
    )
    audit.record(
        Action.USER_UPDATE,
        outcome=Outcome.SUCCESS,
        actor=actor,
        ip=ip,
        target=name,
        detail={"id": user.id, "changed": ["password"]},
    )
    return updated


class SignInOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"  # unknown user, wrong password or disabled: one answer for all three
    LOCKED = "locked"


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None  # only on success
    locked_until: datetime | None = None


def authenticate(
    accounts: Accounts,
    throttle: Throttle,
    audit: AuditLog,
    *,
    username: str,
    password: str,
    ip: str,
    clock: Callable[[], datetime] | None = None,
) -> SignInResult:
    """Check a username and password under the lock-out policy, audit the result, note the
    sign-in, and upgrade an outdated hash. The caller shows one message for every failure."""
    now = (clock or audit.clock)()
    name = normalize_username(username)
    attempt = throttle.begin(name, ip)
    if not attempt.allowed:
        audit.record(
            Action.SIGNIN_LOCKOUT,
            outcome=Outcome.DENIED,
            actor=name,
            ip=ip,
            target=name,
            detail={"locked": str(attempt.locked_by), "until": attempt.locked_until},
        )
        return SignInResult(outcome=SignInOutcome.LOCKED, locked_until=attempt.locked_until)
    user = accounts.user(name) if USERNAME.fullmatch(name) else None
    hash_ = user.password_hash if user is not None else None
    if not verify_password(hash_, password) or user is None or not user.enabled:
        reason = "unknown user" if user is None else "disabled" if not user.enabled else "password"
        audit.record(
            Action.SIGNIN_FAILURE,
            outcome=Outcome.FAILURE,
            actor=name,
            ip=ip,
            target=name,
            detail={"reason": reason},
        )
        if attempt.started_lock:
            audit.record(
                Action.SIGNIN_LOCKOUT,
                outcome=Outcome.DENIED,
                actor=name,
                ip=ip,
                target=name,
                detail={"locked": str(attempt.locked_by), "until": attempt.locked_until},
            )
        return SignInResult(outcome=SignInOutcome.FAILURE)
    throttle.succeeded(attempt)
    if hash_ is not None and needs_rehash(hash_):
        user = accounts.update_user(
            user.id, expected_version=user.version, password_hash=hash_password(password)
        )
    accounts.record_sign_in(user.id, now)
    audit.record(Action.SIGNIN_SUCCESS, outcome=Outcome.SUCCESS, actor=name, ip=ip, target=name)
    return SignInResult(outcome=SignInOutcome.SUCCESS, user=user)

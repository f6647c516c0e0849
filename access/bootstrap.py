"""The first admin: created once, when the user table is empty, with a password never stored
in clear — IOC_ADMIN_PASSWORD if set, else a random one printed once to the console."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from access.audit import Action, AuditLog, Outcome
from access.passwords import PasswordRejected, check_password, hash_password
from access.roles import Role
from store.accounts import Accounts, DuplicateUser, User

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD_ENV = "IOC_ADMIN_PASSWORD"
SYSTEM_ACTOR = "system:bootstrap"
RANDOM_PASSWORD_BYTES = 18  # 24 URL-safe characters, 144 bits


@dataclass(frozen=True, slots=True)
class FirstAdmin:
    user: User
    password_from_env: bool


def ensure_first_admin(
    accounts: Accounts,
    audit: AuditLog,
    *,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> FirstAdmin | None:
    """Create `admin` if there are no users at all; None (and silence) when there are.

    Raises access.passwords.PasswordRejected when IOC_ADMIN_PASSWORD breaks the rules."""
    env = os.environ if env is None else env
    if accounts.count_users() > 0:
        return None
    given = env.get(ADMIN_PASSWORD_ENV) or None
    if given is not None:
        check_password(given, ADMIN_USERNAME)
    password = given or secrets.token_urlsafe(RANDOM_PASSWORD_BYTES)
    try:
        user = accounts.create_user(
            username=ADMIN_USERNAME,
            role=Role.ADMIN,
            password_hash=hash_password(password),
            display_name="Quản trị hệ thống",
            now=audit.clock(),
        )
    except DuplicateUser:  # another process created it first
        return None
    audit.record(
        Action.USER_CREATE,
        outcome=Outcome.SUCCESS,
        actor=SYSTEM_ACTOR,
        target=ADMIN_USERNAME,
        detail={"id": user.id, "role": "admin", "password": "env" if given else "random"},
    )
    if given is None:
        _announce(password, sys.stdout if out is None else out)
    return FirstAdmin(user, password_from_env=given is not None)


def _announce(password: str, out: TextIO) -> None:
    """Print the random password once, framed, straight to the console (never to a log)."""
    lines = [
        "Đã tạo tài khoản quản trị đầu tiên / First administrator created",
        "",
        f"  Tên đăng nhập / username : {ADMIN_USERNAME}",
        f"  Mật khẩu / password      : {password}",
        "",
        "Mật khẩu này chỉ hiện MỘT LẦN và không được lưu ở dạng đọc được.",
        "This password is shown ONCE and is not stored in readable form.",
        "Hãy đăng nhập và đổi ngay: python -m access users passwd admin --password-stdin",
        "Sign in and change it now:  python -m access users passwd admin --password-stdin",
    ]
    width = max(len(line) for line in lines)
    border = "═" * (width + 2)
    framed = [f"╔{border}╗", *(f"║ {line.ljust(width)} ║" for line in lines), f"╚{border}╝"]
    out.write("\n" + "\n".join(framed) + "\n\n")
    out.flush()


def first_start(accounts: Accounts) -> None:
    """`python app.py`'s first-admin step: exit 2 with the reason if IOC_ADMIN_PASSWORD breaks
    the password rules (never a traceback)."""
    try:
        ensure_first_admin(accounts, AuditLog(accounts))
    except PasswordRejected as error:
        sys.stderr.write(f"{ADMIN_PASSWORD_ENV}: {error}\n")
        raise SystemExit(2) from error

"""Command line: `python -m access users add|list|disable|passwd` and `tokens add|list|revoke`."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from access.audit import Action, AuditLog, Outcome
from access.passwords import PasswordRejected
from access.roles import ROLES
from access.tokens import TokenError, issue, parse_expiry
from access.users import UserInputError, add_user, disable_user, set_password
from settings import Settings, load_settings_or_exit
from store import Store
from store.accounts import AccountError, Accounts, DisplayToken, User

EXIT_INVALID = 2


class _Invalid(Exception):
    """Bad input: printed to stderr, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None or args.action is None:
        _parser().print_help(sys.stderr)
        return EXIT_INVALID
    settings = load_settings_or_exit(args.config)
    try:
        password = _read_password() if getattr(args, "password_stdin", False) else None
        store = Store.open(settings.database.url)
        try:
            return _run(args, settings, Accounts(store.engine), password)
        finally:
            store.engine.dispose()
    except (_Invalid, UserInputError, PasswordRejected, TokenError, AccountError) as error:
        print(f"lỗi / error: {error}", file=sys.stderr)
        return EXIT_INVALID


def _parser() -> argparse.ArgumentParser:
    config_help = "config file (default: $IOC_CONFIG or config.yaml; $IOC_DATABASE_URL overrides)"
    parser = argparse.ArgumentParser(prog="python -m access", description=__doc__)
    parser.add_argument("--config", help=config_help)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=config_help)
    commands = parser.add_subparsers(dest="command")

    users = commands.add_parser("users", help="manage users").add_subparsers(dest="action")
    add = users.add_parser("add", parents=[common], help="create a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--area", help="district code (required for --role district)")
    add.add_argument("--display-name", default="")
    how = add.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    how.add_argument("--sso-only", action="store_true", help="no password: signs in by SSO")
    users.add_parser("list", parents=[common], help="list users")
    disable = users.add_parser("disable", parents=[common], help="disable a user")
    disable.add_argument("name")
    passwd = users.add_parser("passwd", parents=[common], help="set a user's password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", required=True)

    tokens = commands.add_parser("tokens", help="manage display tokens")
    token_actions = tokens.add_subparsers(dest="action")
    token_add = token_actions.add_parser("add", parents=[common], help="issue a display token")
    token_add.add_argument("--playlist", required=True)
    token_add.add_argument("--area", help="area code the screen is limited to (default: all)")
    token_add.add_argument("--expires", help="lifetime such as 12h, 90d or 8w (default: none)")
    token_actions.add_parser("list", parents=[common], help="list display tokens")
    revoke = token_actions.add_parser("revoke", parents=[common], help="revoke a display token")
    revoke.add_argument("id", type=int)
    return parser


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise _Invalid("no password on standard input / không có mật khẩu ở đầu vào chuẩn")
    return password


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return "cli"


def _run(
    args: argparse.Namespace, settings: Settings, accounts: Accounts, password: str | None
) -> int:
    audit = AuditLog(accounts)
    actor = _actor()
    match args.command, args.action:
        case "users", "add":
            user = add_user(
                accounts,
                audit,
                username=args.name,
                role=args.role,
                area_code=args.area,
                password=password,
                actor=actor,
                display_name=args.display_name,
            )
            print(
                f"created user {user.username} ({user.role}{_area(user.area_code)}), id {user.id}"
            )
        case "users", "list":
            _print_users(accounts.users())
        case "users", "disable":
            user = disable_user(accounts, audit, args.name, actor=actor)
            print(f"disabled user {user.username}")
        case "users", "passwd":
            assert password is not None
            user = set_password(accounts, audit, args.name, password, actor=actor)
            print(f"password set for {user.username}")
        case "tokens", "add":
            return _add_token(args, settings, accounts, audit, actor)
        case "tokens", "list":
            _print_tokens(accounts.tokens(), datetime.now(UTC))
        case "tokens", "revoke":
            return _revoke_token(args.id, accounts, audit, actor)
    return 0


def _add_token(
    args: argparse.Namespace, settings: Settings, accounts: Accounts, audit: AuditLog, actor: str
) -> int:
    known = settings.wall.playlists
    if args.playlist not in known:
        raise _Invalid(
            f"unknown playlist {args.playlist!r} (configured: {', '.join(sorted(known)) or 'none'})"
        )
    lifetime = None if args.expires is None else parse_expiry(args.expires)
    issued = issue(
        accounts,
        playlist=args.playlist,
        area_code=args.area,
        created_by=actor,
        now=audit.clock(),
        lifetime=lifetime,
    )
    token = issued.token
    audit.record(
        Action.TOKEN_CREATE,
        outcome=Outcome.SUCCESS,
        actor=actor,
        target=f"token:{token.id}",
        detail={
            "playlist": token.playlist,
            "area": token.area_code,
            "expires_at": token.expires_at,
        },
    )
    expiry = token.expires_at.isoformat() if token.expires_at else "never"
    print(
        f"display token {token.id} for playlist {token.playlist}{_area(token.area_code)}, "
        f"expires {expiry}"
    )
    print("Mã chỉ hiện một lần / shown only once:")
    print(issued.secret)
    return 0


def _revoke_token(token_id: int, accounts: Accounts, audit: AuditLog, actor: str) -> int:
    token = accounts.token(token_id)
    revoked = token is not None and accounts.revoke_token(token_id, audit.clock())
    audit.record(
        Action.TOKEN_REVOKE,
        outcome=Outcome.SUCCESS if revoked else Outcome.FAILURE,
        actor=actor,
        target=f"token:{token_id}",
        detail=None
        if revoked
        else {"error": "no such token" if token is None else "already revoked"},
    )
    if token is None:
        raise _Invalid(f"không có mã {token_id} / no display token {token_id}")
    if not revoked:
        raise _Invalid(f"display token {token_id} was already revoked")
    print(f"revoked display token {token_id}")
    return 0


def _area(code: str | None) -> str:
    return f", area {code}" if code else ""


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _print_users(users: Sequence[User]) -> None:
    print(f"{'id':>4}  {'username':<24} {'role':<9} {'area':<6} {'enabled':<7} last sign-in")
    for u in users:
        print(
            f"{u.id:>4}  {u.username:<24} {u.role:<9} {u.area_code or '-':<6} "
            f"{'yes' if u.enabled else 'no':<7} {_when(u.last_sign_in_at)}"
        )


def _print_tokens(tokens: Sequence[DisplayToken], now: datetime) -> None:
    print(f"{'id':>4}  {'playlist':<16} {'area':<6} {'state':<8} expires")
    for t in tokens:
        expired = t.expires_at is not None and t.expires_at <= now
        state = "revoked" if t.revoked_at else "expired" if expired else "active"
        print(
            f"{t.id:>4}  {t.playlist:<16} {t.area_code or '-':<6} {state:<8} {_when(t.expires_at)}"
        )

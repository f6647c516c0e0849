"""`python -m access` as a real process on SQLite and on PostgreSQL: changes, audit, error exits."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from access import tokens
from access.passwords import verify_password
from store.accounts import Accounts, AuditFilter
from store.db import make_engine
from tests.conftest import FIXED_NOW

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "một mật khẩu đủ dài"
pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database the CLI must migrate itself: a new SQLite file or PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli' / 'ioc.db'}"
        return
    pg_url = request.getfixturevalue("pg_server")
    schema = f"ioc_cli_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def access_cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "IOC_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "access", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, "IOC_DATABASE_URL": url},
        timeout=120,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr and "Traceback" not in result.stderr


def test_the_cli_manages_users_and_tokens_and_audits_every_change(database_url: str) -> None:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return access_cli(database_url, *args, stdin=stdin)

    created = run(
        "users",
        "add",
        "Lan",
        "--role",
        "district",
        "--area",
        "941",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created user lan (district, area 941)" in created.stdout

    add = ("users", "add", "bob", "--password-stdin")
    assert_refused(
        run("users", "add", "lan", "--role", "leader", "--password-stdin", stdin=PASSWORD),
        "already exists",
    )
    assert_refused(run(*add, "--role", "district", stdin=PASSWORD), "needs a district")
    assert_refused(
        run(*add, "--role", "district", "--area", "31498", stdin=PASSWORD),
        "is a commune, not a district",
    )
    assert_refused(run(*add, "--role", "leader", stdin="short\n"), "at least 12 characters")
    assert_refused(run(*add, "--role", "leader", stdin=""), "no password on standard input")
    assert_refused(run(*add, "--role", "superuser", stdin=PASSWORD), "invalid choice")

    listed = run("users", "list")
    assert listed.returncode == 0
    assert [line.split()[1:4] for line in listed.stdout.splitlines()[1:]] == [
        ["lan", "district", "941"]
    ]

    issued = run("tokens", "add", "--playlist", "default", "--area", "941", "--expires", "90d")
    assert issued.returncode == 0, issued.stderr
    secret = issued.stdout.strip().splitlines()[-1]
    assert_refused(run("tokens", "add", "--playlist", "lobby"), "unknown playlist 'lobby'")
    assert_refused(run("tokens", "add", "--playlist", "default", "--expires", "5y"), "expiry")
    assert_refused(run("tokens", "add", "--playlist", "default", "--area", "999"), "unknown area")

    engine = make_engine(database_url)
    try:
        accounts = Accounts(engine)
        token = tokens.verify(accounts, secret, FIXED_NOW)
        assert token is not None and (token.playlist, token.area_code) == ("default", "941")
        assert verify_password(accounts.user("lan").password_hash, PASSWORD)  # type: ignore[union-attr]

        assert run("tokens", "revoke", str(token.id)).returncode == 0
        assert tokens.verify(accounts, secret, FIXED_NOW) is None
        assert_refused(run("tokens", "revoke", str(token.id)), "already revoked")
        assert_refused(run("tokens", "revoke", "999"), "no display token 999")
        listed_tokens = run("tokens", "list")
        assert listed_tokens.returncode == 0 and secret not in listed_tokens.stdout
        assert listed_tokens.stdout.splitlines()[1].split()[:4] == [
            str(token.id),
            "default",
            "941",
            "revoked",
        ]
        new_password = "mật khẩu mới cũng dài"
        assert run("users", "passwd", "lan", "--password-stdin", stdin=new_password).returncode == 0
        assert verify_password(accounts.user("lan").password_hash, new_password)  # type: ignore[union-attr]
        assert_refused(run("users", "passwd", "lan", "--password-stdin", stdin="lan"), "12")
        sso = run("users", "add", "minh", "--role", "leader", "--sso-only")
        assert sso.returncode == 0 and accounts.user("minh").password_hash is None  # type: ignore[union-attr]
        assert run("users", "disable", "lan").returncode == 0
        assert not accounts.user("lan").enabled  # type: ignore[union-attr]
        assert_refused(run("users", "disable", "ghost"), "no user 'ghost'")

        entries = accounts.audit_entries(AuditFilter(), limit=100).entries
        summary = sorted((e.action, e.target, e.outcome) for e in entries)
        assert summary == sorted(
            [
                ("user.create", "lan", "success"),
                ("user.create", "lan", "failure"),  # duplicate
                ("user.create", "bob", "failure"),  # no district
                ("user.create", "bob", "failure"),  # a commune
                ("user.create", "bob", "failure"),  # short password
                ("token.create", f"token:{token.id}", "success"),
                ("token.revoke", f"token:{token.id}", "success"),
                ("token.revoke", f"token:{token.id}", "failure"),
                ("token.revoke", "token:999", "failure"),
                ("user.update", "lan", "success"),  # passwd
                ("user.create", "minh", "success"),
                ("user.disable", "lan", "success"),
                ("user.disable", "ghost", "failure"),
            ]
        )
        assert all(e.actor and e.actor.startswith("cli") for e in entries)
        logged = " ".join(e.detail for e in entries)
        assert secret not in logged and PASSWORD not in logged
    finally:
        engine.dispose()

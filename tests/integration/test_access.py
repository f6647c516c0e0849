"""Access data on SQLite and PostgreSQL: users, tokens, the shared lock-out, audit, bootstrap."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from access import tokens
from access.audit import Action, AuditLog, Outcome
from access.bootstrap import ADMIN_PASSWORD_ENV, ensure_first_admin
from access.lockout import Kind, Throttle
from access.passwords import PasswordRejected, verify_password
from access.roles import OneArea, permitted_area
from access.users import SignInOutcome, UserInputError, add_user, authenticate, disable_user
from store import Store
from store.accounts import (
    AccountError,
    Accounts,
    AuditFilter,
    DuplicateUser,
    VersionConflict,
)
from store.db import make_engine
from store.models import Base, DisplayTokenRow, UserRow
from tests.conftest import FIXED_NOW, Clock

pytestmark = pytest.mark.integration
PASSWORD = "mật khẩu đủ dài 12"


@pytest.fixture
def accounts(store: Store) -> Accounts:
    return Accounts(store.engine)


@pytest.fixture
def audit(accounts: Accounts, clock: Clock) -> AuditLog:
    return AuditLog(accounts, clock)


def _second_engine(store: Store) -> Iterator[Engine]:
    """Another engine (own pool, own connections) on the same database: a second worker."""
    url = store.engine.url.render_as_string(hide_password=False)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            path = conn.execute(text("SHOW search_path")).scalar_one()
        engine = make_engine(url, connect_args={"options": f"-csearch_path={path}"})
    else:
        engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def other_worker(store: Store) -> Iterator[Accounts]:
    for engine in _second_engine(store):
        yield Accounts(engine)


# -- users ---------------------------------------------------------------------------------------


def test_users_are_created_read_listed_and_disabled(accounts: Accounts, audit: AuditLog) -> None:
    lan = add_user(
        accounts,
        audit,
        username=" Lan ",
        role="district",
        area_code="941",
        password=PASSWORD,
        actor="cli:test",
    )
    add_user(
        accounts,
        audit,
        username="minh",
        role="leader",
        area_code=None,
        password=None,
        actor="cli:test",
    )
    assert lan.username == "lan" and lan.version == 1 and lan.created_at == FIXED_NOW
    assert accounts.user("lan") == lan
    assert verify_password(lan.password_hash, PASSWORD)
    assert [u.username for u in accounts.users()] == ["lan", "minh"]
    assert accounts.user("minh").password_hash is None  # type: ignore[union-attr]
    assert permitted_area(lan, accounts.district_codes()) == OneArea("941")
    disabled = disable_user(accounts, audit, "LAN", actor="cli:test")
    assert not disabled.enabled and disabled.version == 2
    assert "password_hash" not in repr(disabled) and "argon2" not in repr(disabled)


@pytest.mark.parametrize(
    ("role", "area", "message"),
    [
        ("district", None, "needs a district"),
        ("district", "31498", "is a commune, not a district"),
        ("district", "94", "is a province, not a district"),
        ("district", "999", "is unknown, not a district"),
        ("leader", "941", "takes no area"),
        ("root", None, "unknown role"),
    ],
)
def test_the_store_refuses_a_role_and_area_that_do_not_fit(
    accounts: Accounts, role: str, area: str | None, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.create_user(username="x", role=role, area_code=area, now=FIXED_NOW)
    assert accounts.count_users() == 0


def test_the_database_itself_refuses_a_district_user_without_a_district(store: Store) -> None:
    row = {
        "username": "x",
        "display_name": "",
        "role": "district",
        "area_code": None,
        "enabled": True,
        "created_at": FIXED_NOW,
        "version": 1,
    }
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(UserRow).values(row))
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(UserRow).values({**row, "role": "superuser", "area_code": None}))


def test_a_duplicate_username_is_refused_and_audited(accounts: Accounts, audit: AuditLog) -> None:
    add_user(
        accounts,
        audit,
        username="lan",
        role="leader",
        area_code=None,
        password=PASSWORD,
        actor="cli:test",
    )
    with pytest.raises(DuplicateUser):
        add_user(
            accounts,
            audit,
            username="LAN",
            role="admin",
            area_code=None,
            password=PASSWORD,
            actor="cli:test",
        )
    failures = accounts.audit_entries(AuditFilter(outcome="failure")).entries
    assert [(e.action, e.target) for e in failures] == [("user.create", "lan")]
    assert accounts.user("lan").role == "leader"  # type: ignore[union-attr]


def test_a_stale_version_is_a_conflict(accounts: Accounts) -> None:
    user = accounts.create_user(username="lan", role="leader", now=FIXED_NOW)
    first = accounts.update_user(user.id, expected_version=user.version, display_name="Lan")
    assert first.version == 2
    with pytest.raises(VersionConflict):
        accounts.update_user(user.id, expected_version=user.version, enabled=False)
    assert accounts.user("lan").enabled  # type: ignore[union-attr]
    moved = accounts.update_user(user.id, expected_version=2, role="district", area_code="942")
    assert (moved.role, moved.area_code, moved.version) == ("district", "942", 3)


def test_bad_usernames_and_short_passwords_are_refused(accounts: Accounts, audit: AuditLog) -> None:
    with pytest.raises(UserInputError):
        add_user(
            accounts,
            audit,
            username="cli:root",
            role="admin",
            area_code=None,
            password=PASSWORD,
            actor="t",
        )
    with pytest.raises(PasswordRejected, match="12"):
        add_user(
            accounts,
            audit,
            username="lan",
            role="admin",
            area_code=None,
            password="short",
            actor="t",
        )
    assert accounts.count_users() == 0


# -- display tokens ------------------------------------------------------------------------------


def test_tokens_verify_until_revoked_or_expired(
    store: Store, accounts: Accounts, clock: Clock
) -> None:
    issued = tokens.issue(
        accounts,
        playlist="default",
        area_code="941",
        created_by="admin",
        now=clock(),
        lifetime=timedelta(days=90),
    )
    forever = tokens.issue(
        accounts, playlist="default", area_code=None, created_by="admin", now=clock(), lifetime=None
    )
    assert issued.secret not in repr(issued)
    found = tokens.verify(accounts, issued.secret, clock())
    assert found is not None and (found.id, found.area_code) == (issued.token.id, "941")
    assert accounts.token(found.id).last_used_at == FIXED_NOW  # type: ignore[union-attr]
    assert tokens.verify(accounts, issued.secret + "x", clock()) is None
    assert tokens.verify(accounts, "", clock()) is None
    assert tokens.verify(accounts, issued.secret, FIXED_NOW + timedelta(days=90)) is None
    assert tokens.verify(accounts, forever.secret, FIXED_NOW + timedelta(days=3650)) is not None
    assert accounts.revoke_token(forever.token.id, clock())
    assert not accounts.revoke_token(forever.token.id, clock())  # already
    assert tokens.verify(accounts, forever.secret, clock()) is None
    assert not tokens.still_active(accounts, forever.token.id, clock())
    assert tokens.still_active(accounts, issued.token.id, clock())
    with store.engine.connect() as conn:  # the secret itself is nowhere in the table
        stored = [str(v) for row in conn.execute(select(DisplayTokenRow)) for v in row]
    assert not any(issued.secret in v or forever.secret in v for v in stored)


def test_a_token_for_an_unknown_area_is_refused(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="unknown area"):
        tokens.issue(
            accounts,
            playlist="default",
            area_code="999",
            created_by="a",
            now=FIXED_NOW,
            lifetime=None,
        )


# -- sign-in and the shared lock-out -------------------------------------------------------------


def _sign_in(accounts: Accounts, clock: Clock, password: str, ip: str = "10.0.0.7"):
    audit = AuditLog(accounts, clock)
    return authenticate(
        accounts, Throttle(accounts, clock=clock), audit, username="lan", password=password, ip=ip
    )


def test_sign_in_succeeds_fails_locks_and_unlocks(
    accounts: Accounts, audit: AuditLog, clock: Clock
) -> None:
    add_user(
        accounts, audit, username="lan", role="leader", area_code=None, password=PASSWORD, actor="t"
    )
    ok = _sign_in(accounts, clock, PASSWORD)
    assert ok.outcome is SignInOutcome.SUCCESS and ok.user is not None
    assert accounts.user("lan").last_sign_in_at == FIXED_NOW  # type: ignore[union-attr]
    outcomes = []
    for _ in range(6):
        clock.now += timedelta(seconds=30)
        outcomes.append(_sign_in(accounts, clock, "wrong password!").outcome)
    assert outcomes == [SignInOutcome.FAILURE] * 5 + [SignInOutcome.LOCKED]
    assert _sign_in(accounts, clock, PASSWORD).outcome is SignInOutcome.LOCKED  # even the right one
    clock.now += timedelta(minutes=15)
    assert _sign_in(accounts, clock, PASSWORD).outcome is SignInOutcome.SUCCESS
    actions = [e.action for e in accounts.audit_entries(AuditFilter(actor="lan")).entries]
    assert actions.count("signin.lockout") == 3  # the fifth failure, then two refusals
    assert actions.count("signin.failure") == 5 and actions.count("signin.success") == 2


def test_a_disabled_or_unknown_user_fails_like_a_wrong_password(
    accounts: Accounts, audit: AuditLog, clock: Clock
) -> None:
    add_user(
        accounts, audit, username="lan", role="leader", area_code=None, password=PASSWORD, actor="t"
    )
    disable_user(accounts, audit, "lan", actor="t")
    assert _sign_in(accounts, clock, PASSWORD).outcome is SignInOutcome.FAILURE
    result = authenticate(
        accounts,
        Throttle(accounts, clock=clock),
        audit,
        username="nobody",
        password=PASSWORD,
        ip="10.0.0.7",
    )
    assert result.outcome is SignInOutcome.FAILURE and result.user is None
    reasons = [
        e.detail for e in accounts.audit_entries(AuditFilter(action="signin.failure")).entries
    ]
    assert reasons == ['{"reason": "unknown user"}', '{"reason": "disabled"}']


def test_the_lock_out_is_shared_by_two_workers(
    accounts: Accounts, other_worker: Accounts, clock: Clock
) -> None:
    workers = [Throttle(accounts, clock=clock), Throttle(other_worker, clock=clock)]
    for i in range(5):
        assert workers[i % 2].begin("lan", f"10.0.0.{i}").allowed
    refused = workers[1].begin("lan", "10.9.9.9")
    assert not refused.allowed and refused.locked_by is Kind.ACCOUNT
    assert workers[0].locked("LAN", "10.9.9.9") is Kind.ACCOUNT
    for i in range(19):  # spread over accounts, one IP
        workers[i % 2].begin(f"user{i}", "10.1.1.1")
    assert workers[1].begin("user99", "10.1.1.1").locked_by is Kind.IP  # the 20th locks the IP
    assert not workers[0].begin("fresh", "10.1.1.1").allowed
    clock.now += timedelta(minutes=15)
    assert workers[0].locked("lan", "10.1.1.1") is None
    assert workers[1].begin("lan", "10.1.1.1").allowed


def test_concurrent_attempts_never_exceed_the_limit(
    accounts: Accounts, other_worker: Accounts, clock: Clock
) -> None:
    throttles = [Throttle(accounts, clock=clock), Throttle(other_worker, clock=clock)]
    start = threading.Barrier(12)
    allowed: list[bool] = []

    def attempt(i: int) -> None:
        start.wait()
        allowed.append(throttles[i % 2].begin("lan", f"10.0.{i}.1").allowed)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 5 and len(allowed) == 12


def test_a_success_gives_the_reservation_back(accounts: Accounts, clock: Clock) -> None:
    throttle = Throttle(accounts, clock=clock)
    for _ in range(30):  # an office behind one NAT signing in all morning
        throttle.succeeded(throttle.begin("lan", "10.0.0.1"))
    assert throttle.begin("lan", "10.0.0.1").allowed
    assert throttle.prune() == 0  # counters this recent are kept
    clock.now += timedelta(hours=1)
    assert throttle.prune() == 2


# -- audit ---------------------------------------------------------------------------------------


def test_audit_entries_filter_by_time_actor_action_outcome_and_page(
    accounts: Accounts, clock: Clock
) -> None:
    log = AuditLog(accounts, clock)
    for i in range(7):
        clock.now = FIXED_NOW + timedelta(minutes=i)
        log.record(
            Action.EXPORT,
            outcome=Outcome.SUCCESS,
            actor="lan",
            ip="10.0.0.7",
            target=f"export:{i}",
            detail={"rows": i},
        )
    log.record(
        Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        actor="lan",
        target="area:942",
        detail={"asked": "x" * 5000},
    )
    log.record(Action.SIGNOUT, outcome=Outcome.SUCCESS, actor="minh")
    assert accounts.audit_entries().total == 9
    page = accounts.audit_entries(AuditFilter(actor="lan", action="export"), limit=3, offset=3)
    assert page.total == 7 and [e.target for e in page.entries] == [
        "export:3",
        "export:2",
        "export:1",
    ]
    window = AuditFilter(
        since=FIXED_NOW + timedelta(minutes=2), until=FIXED_NOW + timedelta(minutes=4)
    )
    assert [e.target for e in accounts.audit_entries(window).entries] == ["export:3", "export:2"]
    denied = accounts.audit_entries(AuditFilter(outcome="denied")).entries
    assert len(denied) == 1 and len(denied[0].detail) == 2000
    assert denied[0].at == FIXED_NOW + timedelta(minutes=6) and denied[0].at.tzinfo is not None


# -- the first admin -----------------------------------------------------------------------------


def test_bootstrap_prints_a_random_password_once_and_it_works(
    accounts: Accounts, audit: AuditLog
) -> None:
    out = io.StringIO()
    first = ensure_first_admin(accounts, audit, env={}, out=out)
    assert first is not None and not first.password_from_env
    printed = out.getvalue()
    line = next(line for line in printed.splitlines() if "password" in line and ":" in line)
    password = line.split(":", 1)[1].strip(" ║")
    assert len(password) >= 24 and "First administrator" in printed and "╔" in printed
    admin = accounts.user("admin")
    assert admin is not None and admin.role == "admin"
    assert verify_password(admin.password_hash, password)
    assert password not in str(accounts.audit_entries().entries)
    again = io.StringIO()
    assert ensure_first_admin(accounts, audit, env={}, out=again) is None
    assert again.getvalue() == "" and accounts.count_users() == 1


def test_bootstrap_honours_the_admin_password_variable(accounts: Accounts, audit: AuditLog) -> None:
    out = io.StringIO()
    first = ensure_first_admin(accounts, audit, env={ADMIN_PASSWORD_ENV: PASSWORD}, out=out)
    assert first is not None and first.password_from_env and out.getvalue() == ""
    assert verify_password(accounts.user("admin").password_hash, PASSWORD)  # type: ignore[union-attr]


def test_bootstrap_refuses_a_weak_admin_password_variable(
    accounts: Accounts, audit: AuditLog
) -> None:
    with pytest.raises(PasswordRejected, match="12"):
        ensure_first_admin(accounts, audit, env={ADMIN_PASSWORD_ENV: "admin"}, out=io.StringIO())
    assert accounts.count_users() == 0


def test_bootstrap_does_nothing_when_any_user_exists(accounts: Accounts, audit: AuditLog) -> None:
    accounts.create_user(username="lan", role="leader", now=FIXED_NOW)
    out = io.StringIO()
    assert ensure_first_admin(accounts, audit, env={}, out=out) is None
    assert out.getvalue() == "" and accounts.user("admin") is None


def test_the_migrations_build_exactly_the_models(store: Store) -> None:
    """Hand-written migrations (0010 among them) and the models must not drift apart."""
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_the_last_enabled_admin_cannot_be_disabled(accounts: Accounts, audit: AuditLog) -> None:
    add_user(
        accounts,
        audit,
        username="admin",
        role="admin",
        area_code=None,
        password=PASSWORD,
        actor="t",
    )
    with pytest.raises(UserInputError, match="last enabled admin"):
        disable_user(accounts, audit, "admin", actor="t")
    assert accounts.user("admin").enabled  # type: ignore[union-attr]
    add_user(
        accounts, audit, username="hoa", role="admin", area_code=None, password=PASSWORD, actor="t"
    )
    assert not disable_user(accounts, audit, "admin", actor="t").enabled

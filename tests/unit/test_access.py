"""Access logic without a database: passwords, roles, the lock-out policy, tokens, audit text."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from access import passwords
from access.audit import MAX_DETAIL_CHARS, detail_text, truncate
from access.lockout import DEFAULT_POLICY, Kind, Rule, give_back, is_locked, reserve
from access.passwords import PasswordRejected, check_password, hash_password, verify_password
from access.roles import (
    WHOLE_PROVINCE,
    NoArea,
    OneArea,
    can_manage_tokens,
    can_manage_users,
    can_operate_feeds,
    can_view_audit,
    permitted_area,
    sees_whole_province,
)
from access.tokens import TokenError, is_active, new_secret, parse_expiry, token_hash
from store.accounts import DisplayToken, ThrottleState
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.unit
DISTRICTS = frozenset({"941", "942", "943"})


# -- passwords -----------------------------------------------------------------------------------


def test_a_hash_verifies_its_password_and_no_other() -> None:
    stored = hash_password("đúng mật khẩu dài")
    assert stored.startswith("$argon2id$")
    assert "đúng" not in stored
    assert verify_password(stored, "đúng mật khẩu dài")
    assert not verify_password(stored, "đúng mật khẩu dàI")
    assert not verify_password(None, "đúng mật khẩu dài")  # unknown or SSO-only user
    assert not verify_password("not a hash", "đúng mật khẩu dài")


def test_decomposed_vietnamese_verifies_against_the_precomposed_hash() -> None:
    stored = hash_password("Sóc Trăng an toàn")
    assert verify_password(stored, unicodedata.normalize("NFD", "Sóc Trăng an toàn"))


def test_a_hash_with_weaker_parameters_needs_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("twelve chars!!")
    assert verify_password(weak, "twelve chars!!")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(hash_password("twelve chars!!"))


@pytest.mark.parametrize(
    ("password", "username", "message"),
    [
        ("elevenchars", "lan", "at least 12 characters"),
        ("", "lan", "at least 12 characters"),
        ("x" * 257, "lan", "at most 256"),
        (" " * 12, "lan", "not only spaces"),
        ("Administrator", "administrator", "must not equal the username"),
    ],
)
def test_passwords_breaking_a_rule_are_refused_naming_it(
    password: str, username: str, message: str
) -> None:
    with pytest.raises(PasswordRejected, match=message):
        check_password(password, username)


def test_twelve_characters_are_enough() -> None:
    check_password("abcdefghijkl", "lan")
    check_password("mật khẩu đủ!", "lan")  # 12 letters, counted as characters, not bytes


# -- roles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    role: str
    area_code: str | None = None
    enabled: bool = True


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (Person("admin"), WHOLE_PROVINCE),
        (Person("operator"), WHOLE_PROVINCE),
        (Person("leader"), WHOLE_PROVINCE),
        (Person("district", "941"), OneArea("941")),
        (Person("district"), NoArea("district user without a district")),
        (Person("district", ""), NoArea("district user without a district")),
        (Person("district", "31498"), NoArea("'31498' is not a district")),  # a commune
        (Person("district", "94"), NoArea("'94' is not a district")),  # the province
        (Person("superuser"), NoArea("unknown role 'superuser'")),
        (Person("admin", enabled=False), NoArea("disabled")),
        (Person("district", "941", enabled=False), NoArea("disabled")),
    ],
)
def test_permitted_area_fails_closed(person: Person, expected: object) -> None:
    assert permitted_area(person, DISTRICTS) == expected


@pytest.mark.parametrize(
    ("role", "users", "tokens", "audit", "feeds", "province"),
    [
        ("admin", True, True, True, True, True),
        ("operator", False, False, False, True, True),
        ("leader", False, False, False, False, True),
        ("district", False, False, False, False, False),
        ("root", False, False, False, False, False),
    ],
)
def test_what_each_role_may_do(
    role: str, users: bool, tokens: bool, audit: bool, feeds: bool, province: bool
) -> None:
    person = Person(role, "941" if role == "district" else None)
    assert can_manage_users(person) is users
    assert can_manage_tokens(person) is tokens
    assert can_view_audit(person) is audit
    assert can_operate_feeds(person) is feeds
    assert sees_whole_province(person) is province


def test_a_disabled_admin_may_do_nothing() -> None:
    admin = Person("admin", enabled=False)
    assert not any(
        check(admin)
        for check in (can_manage_users, can_manage_tokens, can_operate_feeds, sees_whole_province)
    )


# -- lock-out policy -----------------------------------------------------------------------------

RULE = DEFAULT_POLICY.account


def _failures(times: list[timedelta], rule: Rule = RULE) -> list[ThrottleState]:
    """The states after a failed attempt at each offset from FIXED_NOW."""
    state: ThrottleState | None = None
    seen = []
    for offset in times:
        state = reserve(state, Kind.ACCOUNT, "lan", rule, FIXED_NOW + offset)
        seen.append(state)
    return seen


def test_the_fifth_failure_in_fifteen_minutes_locks_for_fifteen_minutes() -> None:
    minute = timedelta(minutes=1)
    states = _failures([minute * i for i in range(5)])
    assert [is_locked(s, FIXED_NOW + minute * 4) for s in states] == [False] * 4 + [True]
    fifth = states[-1]
    assert fifth.locked_until == FIXED_NOW + minute * 4 + timedelta(minutes=15)
    assert is_locked(fifth, FIXED_NOW + minute * 18)
    assert not is_locked(fifth, FIXED_NOW + minute * 19)  # the lock has ended


def test_failures_spread_beyond_the_window_never_lock() -> None:
    states = _failures([timedelta(minutes=4 * i) for i in range(12)])  # one every 4 minutes
    assert all(not is_locked(s, FIXED_NOW + timedelta(minutes=4 * i)) for i, s in enumerate(states))
    assert max(s.failures for s in states) == 4


def test_counting_restarts_when_a_lock_ends() -> None:
    states = _failures([timedelta(seconds=i) for i in range(5)] + [timedelta(minutes=16)])
    after = states[-1]
    assert after.failures == 1 and not is_locked(after, FIXED_NOW + timedelta(minutes=16))


def test_the_ip_rule_allows_more_failures_than_the_account_rule() -> None:
    rule = DEFAULT_POLICY.ip
    states = _failures([timedelta(seconds=i) for i in range(20)], rule)
    locked = [is_locked(s, FIXED_NOW + timedelta(seconds=19)) for s in states]
    assert locked == [False] * 19 + [True]


def test_a_success_clears_the_account_and_gives_one_back_to_the_ip() -> None:
    account = _failures([timedelta(seconds=i) for i in range(5)])[-1]
    assert give_back(account, RULE).failures == 0
    assert give_back(account, RULE).locked_until is None
    ip_rule = DEFAULT_POLICY.ip
    ip = ThrottleState(
        kind="ip",
        key="10.0.0.7",
        failures=20,
        window_started_at=FIXED_NOW,
        locked_until=FIXED_NOW + ip_rule.lock_for,
    )
    back = give_back(ip, ip_rule)
    assert (back.failures, back.locked_until) == (19, None)


# -- display tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lifetime"),
    [("12h", timedelta(hours=12)), ("90d", timedelta(days=90)), (" 8W ", timedelta(weeks=8))],
)
def test_expiry_parses_hours_days_weeks(text: str, lifetime: timedelta) -> None:
    assert parse_expiry(text) == lifetime


@pytest.mark.parametrize("text", ["", "90", "0d", "-1d", "1.5d", "90 days", "d", "731d", "10y"])
def test_expiry_refuses_anything_else(text: str) -> None:
    with pytest.raises(TokenError):
        parse_expiry(text)


def test_secrets_are_long_random_and_hashed_by_sha256() -> None:
    first, second = new_secret(), new_secret()
    assert first != second and len(first) >= 43
    assert token_hash(first) == token_hash(first) != token_hash(second)
    assert len(token_hash(first)) == 64 and first not in token_hash(first)


def _token(**changes: object) -> DisplayToken:
    fields: dict[str, object] = {
        "id": 1,
        "playlist": "default",
        "area_code": None,
        "created_by": "admin",
        "created_at": FIXED_NOW,
        "expires_at": None,
        "revoked_at": None,
        "last_used_at": None,
    }
    return DisplayToken(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_token_is_active_until_it_expires_or_is_revoked() -> None:
    later = FIXED_NOW + timedelta(days=1)
    assert is_active(_token(), later)
    assert is_active(_token(expires_at=later), FIXED_NOW)
    assert not is_active(_token(expires_at=later), later)
    assert not is_active(_token(revoked_at=FIXED_NOW), FIXED_NOW)


# -- audit text ----------------------------------------------------------------------------------


def test_truncate_bounds_and_marks_the_cut() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("x" * 50, 10)
    assert len(cut) == 10 and cut.endswith("…")


def test_detail_is_json_bounded_and_never_holds_a_secret() -> None:
    detail = {"role": "leader", "password": "hunter2hunter2", "nested": {"token": "abc"}}
    text = detail_text(detail)
    assert json.loads(text) == {
        "nested": {"token": "<redacted>"},
        "password": "<redacted>",
        "role": "leader",
    }
    assert "hunter2" not in text and "abc" not in text
    long = detail_text({"asked": "9" * 10_000})
    assert len(long) == MAX_DETAIL_CHARS and long.endswith("…")
    assert detail_text(None) == ""

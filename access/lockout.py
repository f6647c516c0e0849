"""Sign-in throttling: failures counted per account and per IP, then a fixed temporary lock.

Policy (fixed, not exponential): an account that fails DEFAULT_POLICY.account.max_failures
times within its window is locked for lock_for; so is an IP. When a lock ends, counting starts
afresh. Every attempt is counted *before* the password is checked (a reservation), so several
workers verifying at once cannot exceed the limit; a success then gives its reservation back
(the IP counter goes down by one, the account's counter is cleared). Unknown usernames are
counted like real ones, so a lock-out does not reveal which accounts exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from store.accounts import Accounts, ThrottleKey, ThrottleState

MAX_KEY_LENGTH = 120


class Kind(StrEnum):
    ACCOUNT = "account"
    IP = "ip"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    max_failures: int
    window: timedelta
    lock_for: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class LockoutPolicy:
    account: Rule = Rule(
        max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=15)
    )
    # One office behind a NAT shares an IP: a higher bar than for one account.
    ip: Rule = Rule(max_failures=20, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))

    def rule(self, kind: str) -> Rule:
        return self.account if kind == Kind.ACCOUNT else self.ip


DEFAULT_POLICY = LockoutPolicy()


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """The answer to "may this sign-in be tried?", kept to report its outcome afterwards."""

    username_key: str
    ip_key: str
    allowed: bool
    locked_by: Kind | None = None  # refused: which lock; allowed: which lock this one started
    locked_until: datetime | None = None

    @property
    def started_lock(self) -> bool:
        """This attempt reached a limit (audit a lock-out if its password is wrong)."""
        return self.allowed and self.locked_by is not None


# -- pure transitions ---------------------------------------------------------------------------


def is_locked(state: ThrottleState | None, now: datetime) -> bool:
    return state is not None and state.locked_until is not None and state.locked_until > now


def _fresh(kind: str, key: str, now: datetime) -> ThrottleState:
    return ThrottleState(kind=kind, key=key, failures=0, window_started_at=now, locked_until=None)


def reserve(
    state: ThrottleState | None, kind: str, key: str, rule: Rule, now: datetime
) -> ThrottleState:
    """The state after counting one more attempt (assumed failed until it succeeds)."""
    lock_ended = state is not None and state.locked_until is not None and not is_locked(state, now)
    if state is None or lock_ended or now - state.window_started_at >= rule.window:
        state = _fresh(kind, key, now)
    failures = state.failures + 1
    locked_until = now + rule.lock_for if failures >= rule.max_failures else state.locked_until
    return replace(state, failures=failures, locked_until=locked_until)


def give_back(state: ThrottleState, rule: Rule) -> ThrottleState:
    """The state after a reserved attempt succeeded."""
    if state.kind == Kind.ACCOUNT:
        return replace(state, failures=0, locked_until=None)
    failures = max(0, state.failures - 1)
    locked_until = state.locked_until if failures >= rule.max_failures else None
    return replace(state, failures=failures, locked_until=locked_until)


def normalize_key(text: str) -> str:
    return text.strip().casefold()[:MAX_KEY_LENGTH]


# -- the throttle over the shared store ---------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Throttle:
    """begin() before checking a password; succeeded() after a correct one."""

    def __init__(
        self,
        accounts: Accounts,
        policy: LockoutPolicy = DEFAULT_POLICY,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.accounts = accounts
        self.policy = policy
        self.clock = clock

    def begin(self, username: str, ip: str) -> Attempt:
        """Count the attempt, or refuse it when the IP or the account is locked."""
        user_key, ip_key = normalize_key(username), normalize_key(ip)
        keys: list[ThrottleKey] = [(Kind.IP, ip_key), (Kind.ACCOUNT, user_key)]  # one lock order
        now = self.clock()

        def step(current: dict[ThrottleKey, ThrottleState]) -> tuple[list[ThrottleState], Attempt]:
            changed: list[ThrottleState] = []
            started: tuple[Kind, datetime] | None = None
            for kind, key in keys:
                state = current.get((kind, key))
                if is_locked(state, now):
                    assert state is not None and state.locked_until is not None
                    refused = Attempt(
                        username_key=user_key,
                        ip_key=ip_key,
                        allowed=False,
                        locked_by=Kind(kind),
                        locked_until=state.locked_until,
                    )
                    return changed, refused  # the IP's attempt still counts on a locked account
                new = reserve(state, kind, key, self.policy.rule(kind), now)
                if new.locked_until is not None and started is None:
                    started = (Kind(kind), new.locked_until)
                changed.append(new)
            return changed, Attempt(
                username_key=user_key,
                ip_key=ip_key,
                allowed=True,
                locked_by=started[0] if started else None,
                locked_until=started[1] if started else None,
            )

        return self.accounts.update_throttle(keys, now, step)

    def succeeded(self, attempt: Attempt) -> None:
        """Give the attempt's reservation back: the password was right."""
        if not attempt.allowed:
            return
        keys: list[ThrottleKey] = [(Kind.IP, attempt.ip_key), (Kind.ACCOUNT, attempt.username_key)]

        def step(current: dict[ThrottleKey, ThrottleState]) -> tuple[list[ThrottleState], None]:
            return [give_back(s, self.policy.rule(s.kind)) for s in current.values()], None

        self.accounts.update_throttle(keys, self.clock(), step)

    def locked(self, username: str, ip: str) -> Kind | None:
        """Which lock (IP first, then account) refuses sign-ins now, if any."""
        keys: Sequence[ThrottleKey] = [
            (Kind.IP, normalize_key(ip)),
            (Kind.ACCOUNT, normalize_key(username)),
        ]
        states = self.accounts.throttle_states(keys)
        now = self.clock()
        for kind, key in keys:
            if is_locked(states.get((kind, key)), now):
                return Kind(kind)
        return None

    def prune(self) -> int:
        """Forget counters older than every window and lock (run now and then)."""
        longest = max(
            self.policy.account.window,
            self.policy.account.lock_for,
            self.policy.ip.window,
            self.policy.ip.lock_for,
        )
        return self.accounts.prune_throttle(self.clock() - longest)

"""The only SQL for access: users, display tokens, sign-in throttling and the audit log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Select, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from access.roles import ROLES, Role
from store.models import Area, AuditRow, DisplayTokenRow, SigninThrottleRow, UserRow

T = TypeVar("T")
ThrottleKey = tuple[str, str]  # (kind, key): ("account", "lan") or ("ip", "10.0.0.7")
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is news, not a write per request
MAX_AUDIT_PAGE = 1000


class AccountError(ValueError):
    """A change to users or tokens the store refuses; the message says why."""


class DuplicateUser(AccountError):
    pass


class UnknownUser(AccountError):
    pass


class VersionConflict(AccountError):
    """The user changed since it was read: read it again and re-apply the change."""


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    area_code: str | None
    password_hash: str | None = field(repr=False)
    enabled: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    sso_subject: str | None
    version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayToken:
    id: int
    playlist: str
    area_code: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottleState:
    kind: str
    key: str
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    ip: str | None
    action: str
    target: str
    detail: str
    outcome: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    """Which entries to read; every field left None matches everything. `until` is exclusive."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    total: int  # entries matching the filter, over all pages


class _Unset:
    """Marks an update argument that was not given (None is a value: 'no area')."""


UNSET: Any = _Unset()
_USER_FIELDS = ("display_name", "role", "area_code", "password_hash", "enabled", "sso_subject")


class Accounts:
    """Reads and writes access data; every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- users ------------------------------------------------------------------------------

    def create_user(
        self,
        *,
        username: str,
        role: str,
        now: datetime,
        area_code: str | None = None,
        password_hash: str | None = None,
        display_name: str = "",
        sso_subject: str | None = None,
        enabled: bool = True,
    ) -> User:
        values = {
            "username": username,
            "display_name": display_name,
            "role": role,
            "area_code": area_code,
            "password_hash": password_hash,
            "enabled": enabled,
            "created_at": now,
            "sso_subject": sso_subject,
            "version": 1,
        }
        try:
            with self.engine.begin() as conn:
                self._check_role_area(conn, role, area_code)
                if conn.scalar(select(UserRow.id).where(UserRow.username == username)):
                    raise DuplicateUser(f"user {username!r} already exists")
                user_id = conn.execute(
                    insert(UserRow).values(values).returning(UserRow.id)
                ).scalar_one()
        except IntegrityError as error:  # a concurrent insert of the same name or SSO subject
            raise DuplicateUser(f"user {username!r} or its SSO subject already exists") from error
        found = self.user_by_id(int(user_id))
        assert found is not None
        return found

    def user(self, username: str) -> User | None:
        return self._one_user(select(UserRow).where(UserRow.username == username))

    def user_by_id(self, user_id: int) -> User | None:
        return self._one_user(select(UserRow).where(UserRow.id == user_id))

    def user_by_sso_subject(self, subject: str) -> User | None:
        return self._one_user(select(UserRow).where(UserRow.sso_subject == subject))

    def users(self) -> tuple[User, ...]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(UserRow).order_by(UserRow.username)).mappings()
            return tuple(_user(row) for row in rows)

    def count_users(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(UserRow)) or 0)

    def count_enabled_admins(self) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).where(UserRow.role == Role.ADMIN, UserRow.enabled)
            return int(conn.scalar(query) or 0)

    def update_user(
        self,
        user_id: int,
        *,
        expected_version: int,
        display_name: str = UNSET,
        role: str = UNSET,
        area_code: str | None = UNSET,
        password_hash: str | None = UNSET,
        enabled: bool = UNSET,
        sso_subject: str | None = UNSET,
    ) -> User:
        """Apply the given changes if the user is still at `expected_version`; bumps it."""
        given = dict(
            zip(
                _USER_FIELDS,
                (display_name, role, area_code, password_hash, enabled, sso_subject),
                strict=True,
            )
        )
        changes = {k: v for k, v in given.items() if v is not UNSET}
        with self.engine.begin() as conn:
            current = conn.execute(select(UserRow).where(UserRow.id == user_id)).mappings().first()
            if current is None:
                raise UnknownUser(f"no user with id {user_id}")
            merged = {**current, **changes}
            self._check_role_area(conn, merged["role"], merged["area_code"])
            done = conn.execute(
                update(UserRow)
                .where(UserRow.id == user_id, UserRow.version == expected_version)
                .values(**changes, version=UserRow.version + 1)
            )
            if done.rowcount != 1:
                raise VersionConflict(
                    f"user {current['username']!r} is at version {current['version']}, "
                    f"not {expected_version}"
                )
        found = self.user_by_id(user_id)
        assert found is not None
        return found

    def record_sign_in(self, user_id: int, now: datetime) -> None:
        """Note a successful sign-in (not a change of the account: the version stays)."""
        with self.engine.begin() as conn:
            conn.execute(update(UserRow).where(UserRow.id == user_id).values(last_sign_in_at=now))

    def area_level(self, code: str) -> str | None:
        """The level of an area code (province | district | commune), None if unknown."""
        with self.engine.connect() as conn:
            return conn.scalar(select(Area.level).where(Area.code == code))

    def district_codes(self) -> frozenset[str]:
        with self.engine.connect() as conn:
            return frozenset(conn.scalars(select(Area.code).where(Area.level == "district")))

    def _check_role_area(self, conn: Connection, role: str, area_code: str | None) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
        if role != Role.DISTRICT:
            if area_code is not None:
                raise AccountError(f"role {role!r} sees the whole province and takes no area")
            return
        if area_code is None:
            raise AccountError("a district user needs a district (--area CODE)")
        level = conn.scalar(select(Area.level).where(Area.code == area_code))
        if level != "district":
            what = "unknown" if level is None else f"a {level}"
            raise AccountError(f"area {area_code!r} is {what}, not a district")

    def _one_user(self, query: Select[Any]) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
            return None if row is None else _user(row)

    # -- display tokens ---------------------------------------------------------------------

    def create_token(
        self,
        *,
        token_hash: str,
        playlist: str,
        area_code: str | None,
        created_by: str,
        now: datetime,
        expires_at: datetime | None,
    ) -> DisplayToken:
        with self.engine.begin() as conn:
            if (
                area_code is not None
                and conn.scalar(select(Area.code).where(Area.code == area_code)) is None
            ):
                raise AccountError(f"unknown area {area_code!r}")
            token_id = conn.execute(
                insert(DisplayTokenRow)
                .values(
                    token_hash=token_hash,
                    playlist=playlist,
                    area_code=area_code,
                    created_by=created_by,
                    created_at=now,
                    expires_at=expires_at,
                )
                .returning(DisplayTokenRow.id)
            ).scalar_one()
        found = self.token(int(token_id))
        assert found is not None
        return found

    def token(self, token_id: int) -> DisplayToken | None:
        with self.engine.connect() as conn:
            query = select(DisplayTokenRow).where(DisplayTokenRow.id == token_id)
            row = conn.execute(query).mappings().first()
            return None if row is None else _token(row)

    def token_by_hash(self, token_hash: str) -> DisplayToken | None:
        with self.engine.connect() as conn:
            query = select(DisplayTokenRow).where(DisplayTokenRow.token_hash == token_hash)
            row = conn.execute(query).mappings().first()
            return None if row is None else _token(row)

    def tokens(self) -> tuple[DisplayToken, ...]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(DisplayTokenRow).order_by(DisplayTokenRow.id)).mappings()
            return tuple(_token(row) for row in rows)

    def revoke_token(self, token_id: int, now: datetime) -> bool:
        """Revoke the token; False when there is no such token or it was already revoked."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(DisplayTokenRow)
                .where(DisplayTokenRow.id == token_id, DisplayTokenRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return done.rowcount == 1

    def touch_token(self, token_id: int, now: datetime) -> None:
        """Note the token's use, at most once per TOKEN_TOUCH_INTERVAL."""
        with self.engine.begin() as conn:
            conn.execute(
                update(DisplayTokenRow)
                .where(
                    DisplayTokenRow.id == token_id,
                    or_(
                        DisplayTokenRow.last_used_at.is_(None),
                        DisplayTokenRow.last_used_at < now - TOKEN_TOUCH_INTERVAL,
                    ),
                )
                .values(last_used_at=now)
            )

    # -- sign-in throttling -----------------------------------------------------------------

    def throttle_states(self, keys: Sequence[ThrottleKey]) -> dict[ThrottleKey, ThrottleState]:
        """The current counters of these keys (absent keys have none)."""
        with self.engine.connect() as conn:
            return _throttle_rows(conn, keys, lock=False)

    def update_throttle(
        self,
        keys: Sequence[ThrottleKey],
        now: datetime,
        step: Callable[[dict[ThrottleKey, ThrottleState]], tuple[Sequence[ThrottleState], T]],
    ) -> T:
        """Read the keys' counters, let `step` decide their new states, write them: atomically,
        so that workers sharing the database never lose or double-count an attempt.

        The placeholder insert comes first so that SQLite takes its write lock before reading
        (a read that later upgrades can fail instead of waiting), and PostgreSQL has a row to
        lock with FOR UPDATE even for a key never seen before."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        with self.engine.begin() as conn:
            placeholders = [
                {"kind": kind, "key": key, "failures": 0, "window_started_at": now}
                for kind, key in keys
            ]
            conn.execute(dialect.insert(SigninThrottleRow).on_conflict_do_nothing(), placeholders)
            current = _throttle_rows(conn, keys, lock=True)
            new_states, result = step(current)
            for state in new_states:
                conn.execute(
                    update(SigninThrottleRow)
                    .where(SigninThrottleRow.kind == state.kind, SigninThrottleRow.key == state.key)
                    .values(
                        failures=state.failures,
                        window_started_at=state.window_started_at,
                        locked_until=state.locked_until,
                    )
                )
        return result

    def prune_throttle(self, older_than: datetime) -> int:
        """Forget counters whose window began before `older_than` and that lock nothing now."""
        with self.engine.begin() as conn:
            done = conn.execute(
                delete(SigninThrottleRow).where(
                    SigninThrottleRow.window_started_at < older_than,
                    or_(
                        SigninThrottleRow.locked_until.is_(None),
                        SigninThrottleRow.locked_until < older_than,
                    ),
                )
            )
            return int(done.rowcount)

    # -- audit log --------------------------------------------------------------------------

    def append_audit(
        self,
        *,
        at: datetime,
        actor: str | None,
        ip: str | None,
        action: str,
        target: str,
        detail: str,
        outcome: str,
    ) -> AuditEntry:
        values = {
            "at": at,
            "actor": actor,
            "ip": ip,
            "action": action,
            "target": target,
            "detail": detail,
            "outcome": outcome,
        }
        with self.engine.begin() as conn:
            query = insert(AuditRow).values(values).returning(AuditRow.id)
            entry_id = conn.execute(query).scalar_one()
        return AuditEntry(
            id=int(entry_id),
            at=at,
            actor=actor,
            ip=ip,
            action=action,
            target=target,
            detail=detail,
            outcome=outcome,
        )

    def audit_entries(
        self, where: AuditFilter = AuditFilter(), *, limit: int = 100, offset: int = 0
    ) -> AuditPage:
        """Matching entries, newest first, one page of at most `limit` (≤ MAX_AUDIT_PAGE)."""
        limit = max(0, min(limit, MAX_AUDIT_PAGE))
        conditions = _audit_conditions(where)
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(AuditRow).where(*conditions))
            rows = conn.execute(
                select(AuditRow)
                .where(*conditions)
                .order_by(AuditRow.at.desc(), AuditRow.id.desc())
                .limit(limit)
                .offset(max(0, offset))
            ).mappings()
            return AuditPage(tuple(AuditEntry(**row) for row in rows), int(total or 0))


def _audit_conditions(where: AuditFilter) -> list[Any]:
    conditions: list[Any] = []
    if where.since is not None:
        conditions.append(AuditRow.at >= where.since)
    if where.until is not None:
        conditions.append(AuditRow.at < where.until)
    if where.actor is not None:
        conditions.append(AuditRow.actor == where.actor)
    if where.action is not None:
        conditions.append(AuditRow.action == where.action)
    if where.outcome is not None:
        conditions.append(AuditRow.outcome == where.outcome)
    return conditions


def _throttle_rows(
    conn: Connection, keys: Sequence[ThrottleKey], *, lock: bool
) -> dict[ThrottleKey, ThrottleState]:
    found: dict[ThrottleKey, ThrottleState] = {}
    for kind, key in keys:
        query = select(SigninThrottleRow).where(
            SigninThrottleRow.kind == kind, SigninThrottleRow.key == key
        )
        row = conn.execute(query.with_for_update() if lock else query).mappings().first()
        if row is not None:
            found[(kind, key)] = ThrottleState(**row)
    return found


def _user(row: Any) -> User:
    return User(**{name: row[name] for name in User.__dataclass_fields__})


def _token(row: Any) -> DisplayToken:
    return DisplayToken(**{name: row[name] for name in DisplayToken.__dataclass_fields__})

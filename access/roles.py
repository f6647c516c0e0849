"""The four roles, what each may do, and the one area a user may see — failing closed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    ADMIN = "admin"  # everything, manages users and tokens
    OPERATOR = "operator"  # feeds and data quality, whole province
    LEADER = "leader"  # read-only, whole province
    DISTRICT = "district"  # read-only, one district and its communes


ROLES: tuple[str, ...] = tuple(role.value for role in Role)


class Capability(StrEnum):
    VIEW_DATA = "view_data"
    OPERATE_FEEDS = "operate_feeds"
    MANAGE_USERS = "manage_users"
    MANAGE_TOKENS = "manage_tokens"
    VIEW_AUDIT = "view_audit"


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.OPERATOR: frozenset({Capability.VIEW_DATA, Capability.OPERATE_FEEDS}),
    Role.LEADER: frozenset({Capability.VIEW_DATA}),
    Role.DISTRICT: frozenset({Capability.VIEW_DATA}),
}


class Principal(Protocol):
    """What the rules need to know about a user (the store's User satisfies it)."""

    @property
    def role(self) -> str: ...

    @property
    def area_code(self) -> str | None: ...

    @property
    def enabled(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class WholeProvince:
    """The user may see every area."""


@dataclass(frozen=True, slots=True)
class OneArea:
    """The user may see this area and everything below it."""

    code: str


@dataclass(frozen=True, slots=True)
class NoArea:
    """The user may see nothing at all: the answer whenever anything is missing or unknown."""

    reason: str


PermittedArea = WholeProvince | OneArea | NoArea
WHOLE_PROVINCE = WholeProvince()


def role_of(user: Principal) -> Role | None:
    """The user's role, or None when it is not one of the four."""
    try:
        return Role(user.role)
    except ValueError:
        return None


def permitted_area(user: Principal, district_codes: Collection[str]) -> PermittedArea:
    """The area `user` may see; NoArea for a disabled user, an unknown role, or a district user
    whose area is missing or is not one of `district_codes`."""
    role = role_of(user)
    if not user.enabled:
        return NoArea("disabled")
    if role is None:
        return NoArea(f"unknown role {user.role!r}")
    if role is not Role.DISTRICT:
        return WHOLE_PROVINCE
    if not user.area_code:
        return NoArea("district user without a district")
    if user.area_code not in district_codes:
        return NoArea(f"{user.area_code!r} is not a district")
    return OneArea(user.area_code)


def may(user: Principal, capability: Capability) -> bool:
    """Whether an enabled user of a known role has the capability."""
    role = role_of(user)
    return user.enabled and role is not None and capability in CAPABILITIES[role]


def can_manage_users(user: Principal) -> bool:
    return may(user, Capability.MANAGE_USERS)


def can_manage_tokens(user: Principal) -> bool:
    return may(user, Capability.MANAGE_TOKENS)


def can_view_audit(user: Principal) -> bool:
    return may(user, Capability.VIEW_AUDIT)


def can_operate_feeds(user: Principal) -> bool:
    return may(user, Capability.OPERATE_FEEDS)


def sees_whole_province(user: Principal) -> bool:
    """True only for an enabled user of a province-wide role (never for a district user)."""
    role = role_of(user)
    return user.enabled and role is not None and role is not Role.DISTRICT

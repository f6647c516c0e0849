"""The provider's claims in IOC terms, and who may sign in."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from access.oidc.errors import (
    AccountDisabled,
    AmbiguousRole,
    InvalidDistrict,
    InvalidUsername,
    JitRoleRefused,
    MissingClaim,
    UnknownRole,
    UnknownUser,
)
from settings.sso import Role, SsoConfig

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True, kw_only=True)
class Claims:
    """A verified sign-in: who the provider says it is, mapped to IOC terms."""

    subject: str  # the provider's stable id of the person (`sub`)
    username: str
    role: Role | None  # None when the config keeps roles in the IOC (role_claim: null)
    area: str | None  # the district code of a district user
    next_url: str  # the local path to open after sign-in


@dataclass(frozen=True, kw_only=True)
class KnownAccount:
    """What the IOC's user table knows of a user, as `admit` needs it."""

    role: Role
    area: str | None
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class Admission:
    """The user to sign in; `create` asks the caller to add a just-in-time account first."""

    username: str
    role: Role
    area: str | None
    create: bool


@cache
def _district_codes() -> frozenset[str]:
    from geo.hierarchy import load_admin_units

    return frozenset(unit.code for unit in load_admin_units() if unit.level == "district")


def map_claims(
    config: SsoConfig, claims: Mapping[str, Any], district_codes: Collection[str] | None = None
) -> tuple[str, Role | None, str | None]:
    """(username, role, district code) read through the configured claim names and mapping."""
    username = _username(config, claims)
    role = _role(config, claims)
    area = None
    if role in ("district", None):
        area = _area(
            config, claims, _district_codes() if district_codes is None else district_codes
        )
        if role == "district" and area is None:
            raise MissingClaim(f"a district user needs the {config.area_claim!r} claim")
    return username, role, area


def _username(config: SsoConfig, claims: Mapping[str, Any]) -> str:
    value = claims.get(config.username_claim)
    if value is None or value == "":
        raise MissingClaim(f"the ID token has no {config.username_claim!r} claim")
    if not isinstance(value, str) or not _USERNAME.fullmatch(value):
        raise InvalidUsername("the user name must be 1-64 letters, digits, '.', '_', '@' or '-'")
    return value


def _role(config: SsoConfig, claims: Mapping[str, Any]) -> Role | None:
    if config.role_claim is None:
        return None
    value = claims.get(config.role_claim)
    if value is None or value == [] or value == "":
        raise MissingClaim(f"the ID token has no {config.role_claim!r} claim")
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise UnknownRole(f"the {config.role_claim!r} claim must be a text or a list of texts")
    roles = {config.role_mapping[v] for v in values if v in config.role_mapping}
    if not roles:
        raise UnknownRole(f"no value of the {config.role_claim!r} claim maps to an IOC role")
    if len(roles) > 1:
        raise AmbiguousRole(f"the {config.role_claim!r} claim maps to several IOC roles")
    return roles.pop()


def _area(config: SsoConfig, claims: Mapping[str, Any], districts: Collection[str]) -> str | None:
    value = claims.get(config.area_claim)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in districts:
        raise InvalidDistrict(f"the {config.area_claim!r} claim is not a district code")
    return value


def admit(config: SsoConfig, claims: Claims, account: KnownAccount | None) -> Admission:
    """Who signs in: a known account, or a just-in-time one when the config allows it."""
    if account is None:
        return _just_in_time(config, claims)
    if not account.active:
        raise AccountDisabled("this account is disabled in the IOC")
    # With a role claim the provider is authoritative; without one the IOC's record is.
    role = account.role if claims.role is None else claims.role
    area = account.area if claims.role is None else claims.area
    if role == "district" and area is None:
        raise MissingClaim("a district user needs a district code")
    return Admission(username=claims.username, role=role, area=area, create=False)


def _just_in_time(config: SsoConfig, claims: Claims) -> Admission:
    if not config.allow_jit_users:
        raise UnknownUser("this user is not known to the IOC")
    role: Role = config.jit_default_role if claims.role is None else claims.role
    if role not in ("leader", "district"):
        raise JitRoleRefused("an administrator must create admin and operator accounts")
    if role == "district" and claims.area is None:
        raise MissingClaim(f"a district user needs the {config.area_claim!r} claim")
    area = claims.area if role == "district" else None
    return Admission(username=claims.username, role=role, area=area, create=True)

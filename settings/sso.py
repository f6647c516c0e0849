"""The `sso:` section: sign-in through the provincial OpenID Connect provider (LGSP)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from settings.durations import bounded

Role = Literal["admin", "operator", "leader", "district"]
ROLES: tuple[Role, ...] = ("admin", "operator", "leader", "district")

HttpTimeout = Annotated[int, BeforeValidator(bounded(1, 120))]
ClockSkew = Annotated[int, BeforeValidator(bounded(0, 600))]
DiscoveryLifetime = Annotated[int, BeforeValidator(bounded(60, 86400))]
LoginLifetime = Annotated[int, BeforeValidator(bounded(60, 3600))]


def _identity_mapping() -> dict[str, Role]:
    return {role: role for role in ROLES}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _required_when_enabled(key: str) -> InitErrorDetails:
    error = PydanticCustomError("required_when_enabled", "required when enabled is true")
    return {"type": error, "loc": (key,), "input": None}


def check_origin_url(url: str, what: str) -> str:
    """An https URL (http only on the loopback, for tests), with no query or fragment."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{what} must be an https:// URL, got {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"{what} must use https:// (http only on 127.0.0.1), got {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{what} must not carry a query, a fragment or credentials")
    return url.rstrip("/")


class SsoConfig(BaseModel):
    """Where the provider is, who this client is, and how the provider's claims map to IOC users."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    issuer: str | None = None  # discovery at <issuer>/.well-known/openid-configuration
    base_url: str | None = (
        None  # the IOC's public URL; the redirect URI is base_url + redirect_path
    )
    client_id: str | None = None
    client_secret: str | None = None  # a ${VAR} reference (the loader refuses literal secrets)
    scopes: tuple[str, ...] = ("openid", "profile")
    redirect_path: str = "/dang-nhap/sso"
    username_claim: str = "preferred_username"
    role_claim: str | None = "ioc_role"  # None: roles are kept in the IOC's own user table
    area_claim: str = "ioc_area"
    userinfo: bool = False  # also read claims from the userinfo endpoint (not only the ID token)
    role_mapping: dict[str, Role] = Field(default_factory=_identity_mapping)
    allow_jit_users: bool = False
    jit_default_role: Literal["leader", "district"] = "leader"
    timeout: HttpTimeout = 10
    clock_skew: ClockSkew = 60
    discovery_lifetime: DiscoveryLifetime = 3600
    login_lifetime: LoginLifetime = 600  # how long a started sign-in may take at the provider

    @field_validator("issuer")
    @classmethod
    def _issuer_url(cls, issuer: str | None) -> str | None:
        return None if issuer is None else check_origin_url(issuer, "the issuer")

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, base_url: str | None) -> str | None:
        if base_url is None:
            return None
        url = check_origin_url(base_url, "base_url")
        if urlsplit(url).path not in ("", "/"):
            raise ValueError("base_url must be scheme://host[:port] without a path")
        return url

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, scopes: tuple[str, ...]) -> tuple[str, ...]:
        if "openid" not in scopes:
            raise ValueError("must include openid")
        if any(not scope or " " in scope for scope in scopes):
            raise ValueError("each scope must be one word")
        return scopes

    @field_validator("redirect_path")
    @classmethod
    def _local_path(cls, path: str) -> str:
        if not path.startswith("/") or path.startswith("//") or "\\" in path or "?" in path:
            raise ValueError(f"must be a path on this site such as /dang-nhap/sso, got {path!r}")
        return path

    @field_validator("role_mapping")
    @classmethod
    def _some_mapping(cls, mapping: dict[str, Role]) -> dict[str, Role]:
        if not mapping:
            raise ValueError("must map at least one provider value to an IOC role")
        return mapping

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> SsoConfig:
        if self.enabled:
            missing = [k for k in ("issuer", "base_url", "client_id") if not getattr(self, k)]
            if missing:
                errors = [_required_when_enabled(key) for key in missing]
                raise ValidationError.from_exception_data("sso", errors)
        return self

    @property
    def redirect_uri(self) -> str:
        """The absolute callback URL registered at the provider."""
        return f"{self.base_url or ''}{self.redirect_path}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer or ''}/.well-known/openid-configuration"

"""Display tokens: long random secrets for wall screens, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.accounts import Accounts, DisplayToken

TOKEN_BYTES = 32  # 256 bits: a hash lookup needs no constant-time compare at this entropy
MAX_EXPIRY = timedelta(days=730)
_EXPIRY = re.compile(r"([1-9]\d{0,5})([hdw])")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
# A display token in a URL is exchanged for a session; anything longer than this is not one.
MAX_TOKEN_LENGTH = 128


class TokenError(ValueError):
    """A token request that cannot be honoured (bad expiry, unknown area or playlist)."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: `secret` is shown once to the admin and never stored or logged."""

    secret: str
    token: DisplayToken

    def __repr__(self) -> str:
        return f"IssuedToken(secret=<hidden>, token={self.token!r})"


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_expiry(text: str) -> timedelta:
    """A lifetime such as "12h", "90d" or "8w" (at most MAX_EXPIRY)."""
    match = _EXPIRY.fullmatch(text.strip().lower())
    if match is None:
        raise TokenError(
            f"thời hạn không hợp lệ {text!r} / invalid expiry {text!r}: use a number and h, d or w,"
            " e.g. 12h, 90d, 8w"
        )
    lifetime = int(match.group(1)) * _UNIT[match.group(2)]
    if lifetime > MAX_EXPIRY:
        raise TokenError(f"expiry {text!r} is longer than {MAX_EXPIRY.days} days")
    return lifetime


def is_active(token: DisplayToken, now: datetime) -> bool:
    """Neither revoked nor expired."""
    if token.revoked_at is not None:
        return False
    return token.expires_at is None or now < token.expires_at


def issue(
    accounts: Accounts,
    *,
    playlist: str,
    area_code: str | None,
    created_by: str,
    now: datetime,
    lifetime: timedelta | None,
) -> IssuedToken:
    secret = new_secret()
    record = accounts.create_token(
        token_hash=token_hash(secret),
        playlist=playlist,
        area_code=area_code,
        created_by=created_by,
        now=now,
        expires_at=None if lifetime is None else now + lifetime,
    )
    return IssuedToken(secret, record)


def verify(accounts: Accounts, secret: str, now: datetime) -> DisplayToken | None:
    """The active token with this secret, noting its use; None for anything else."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return None
    token = accounts.token_by_hash(token_hash(secret))
    if token is None or not is_active(token, now):
        return None
    accounts.touch_token(token.id, now)
    return token


def still_active(accounts: Accounts, token_id: int, now: datetime) -> bool:
    """For a display session: is the token it was exchanged for still valid? (revocation check)"""
    token = accounts.token(token_id)
    return token is not None and is_active(token, now)

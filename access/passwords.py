"""Passwords: the rules a new one must meet, and argon2id hashing, verifying and re-hashing."""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256  # hashing is deliberately slow; an unbounded input is a free denial of service

# argon2-cffi's defaults follow RFC 9106's low-memory profile (argon2id, 64 MiB, t=3, p=4).
_HASHER = PasswordHasher()


class PasswordRejected(ValueError):
    """A new password does not meet the rules; the message says which rule, in vi and en."""


def _normalized(password: str) -> str:
    # The same Vietnamese word typed on two keyboards may arrive precomposed or decomposed.
    return unicodedata.normalize("NFC", password)


def check_password(password: str, username: str) -> None:
    """Raise PasswordRejected unless `password` may be set for `username`."""
    text = _normalized(password)
    if len(text) < MIN_LENGTH:
        raise PasswordRejected(
            f"mật khẩu phải có ít nhất {MIN_LENGTH} ký tự / "
            f"the password must have at least {MIN_LENGTH} characters (got {len(text)})"
        )
    if len(text) > MAX_LENGTH:
        raise PasswordRejected(
            f"mật khẩu dài quá {MAX_LENGTH} ký tự / "
            f"the password must have at most {MAX_LENGTH} characters"
        )
    if not text.strip():
        raise PasswordRejected("mật khẩu không được chỉ có khoảng trắng / not only spaces")
    if text.casefold() == _normalized(username).casefold():
        raise PasswordRejected(
            "mật khẩu không được trùng tên đăng nhập / the password must not equal the username"
        )


def hash_password(password: str) -> str:
    """The argon2id hash (with its own salt and parameters) to store."""
    return _HASHER.hash(_normalized(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (unknown or SSO-only user) it spends the same
    time on a dummy hash and returns False, so timing does not reveal which accounts exist."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), _normalized(password)) and bool(
            stored_hash
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (re-hash on sign-in)."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("dummy password that no one has")

"""Secrets out of every text a run stores or logs: option secrets, URL passwords, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pydantic import BaseModel, SecretStr

MASK = "***"
MIN_SECRET = 4  # shorter values would mask ordinary text
SECRET_NAMES = ("token", "password", "secret", "api_key", "apikey", "authorization", "key")
# `password=...`, `"access_token": "..."`, `Authorization: Bearer ...` written by a source
_ASSIGNED = re.compile(
    r"(?i)(\"?(?:access_token|refresh_token|id_token|client_secret|password|passwd|pwd|api_key"
    r"|apikey|token)\"?\s*[:=]\s*\"?)([^\"&\s,;}]+)"
)
_BEARER = re.compile(r"(?i)(\b(?:bearer|basic)\s+)([A-Za-z0-9._~+/=-]{8,})")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)(@)")


def secret_values(options: Any) -> set[str]:
    """Every secret an options model holds: SecretStr fields, fields named like secrets,
    passwords inside URLs, and their URL-encoded forms."""
    found: set[str] = set()
    for name, value in _leaves(options, ""):
        if isinstance(value, SecretStr):
            found.add(value.get_secret_value())
        elif isinstance(value, str):
            if any(word in name.lower() for word in SECRET_NAMES):
                found.add(value)
            password = _url_password(value)
            if password:
                found.add(password)
    found |= {quote(s, safe="") for s in found}
    return {s for s in found if len(s) >= MIN_SECRET}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret and every credential-looking assignment masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(lambda m: m[1] + MASK + m[3], text)
    text = _ASSIGNED.sub(lambda m: m[1] + MASK, text)
    return _BEARER.sub(lambda m: m[1] + MASK, text)


def _leaves(value: Any, name: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _leaves(getattr(value, field), field)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item, name)
    else:
        yield name, value


def _url_password(text: str) -> str | None:
    if "://" not in text or "@" not in text:
        return None
    try:
        password = urlsplit(text).password
    except ValueError:
        return None
    return unquote(password) if password else None

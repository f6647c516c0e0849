"""The key that signs session cookies: IOC_SECRET_KEY, else one generated once per machine."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

SECRET_ENV = "IOC_SECRET_KEY"
MIN_SECRET_CHARS = 32
SECRET_FILE = "secret_key"
_READ_ATTEMPTS = 50


class SecretKeyError(ValueError):
    """The configured secret key cannot be used; the message says why."""


def secret_key(var_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """IOC_SECRET_KEY if set (at least 32 characters), else the key kept in
    `var_dir/secret_key` (created 0600 on first use, so restarts and workers share it)."""
    env = os.environ if env is None else env
    given = env.get(SECRET_ENV, "")
    if given:
        if len(given) < MIN_SECRET_CHARS:
            raise SecretKeyError(
                f"{SECRET_ENV} must have at least {MIN_SECRET_CHARS} characters "
                f"(got {len(given)}); e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return given
    return _persisted(var_dir / SECRET_FILE)


def _persisted(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key)
    return key


def _read(path: Path) -> str:
    """The key another process wrote (it may be writing it at this moment)."""
    for _ in range(_READ_ATTEMPTS):
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= MIN_SECRET_CHARS:
            return key
        time.sleep(0.02)
    raise SecretKeyError(f"{path} holds no usable secret key: delete it to make a new one")

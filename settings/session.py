"""The `session:` section: how long a sign-in lasts and how its cookie travels."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from settings.durations import bounded

IdleTimeout = Annotated[int, BeforeValidator(bounded(60, 86400))]
AbsoluteLifetime = Annotated[int, BeforeValidator(bounded(600, 30 * 86400))]


class SessionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A session unused this long ends (seconds, or 30m, 1h ...).
    idle_timeout: IdleTimeout = 1800
    # A session ends this long after its sign-in, however busy it is.
    absolute_lifetime: AbsoluteLifetime = 12 * 3600
    # Send the session cookie only over HTTPS: set it when the app runs behind a TLS proxy.
    secure_cookie: bool = False
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted
    # (werkzeug ProxyFix); 0 = the app is reached directly and forwarded headers are ignored.
    proxy_hops: int = Field(default=0, ge=0, le=5)

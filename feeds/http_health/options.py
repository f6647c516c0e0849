"""Options of an http_health feed: the portals to probe and how gently to probe them."""

from __future__ import annotations

from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from feeds.base import FeedOptions


class Portal(BaseModel):
    """One portal: its asset id, name, address, owning area and the text its page must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1)
    url: str
    area: str = Field(min_length=1)
    expect: str | None = None  # text the page must contain (None: any body will do)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an absolute http:// or https:// address")
        return url.strip()


class HttpHealthOptions(FeedOptions):
    model_config = ConfigDict(extra="forbid", frozen=True)

    portals: tuple[Portal, ...] = Field(min_length=1)
    timeout_s: float = Field(10.0, ge=0.2, le=60)
    concurrency: int = Field(4, ge=1, le=16)  # probes in flight at once
    max_redirects: int = Field(5, ge=0, le=20)
    max_body_bytes: int = Field(2_000_000, ge=1024, le=50_000_000)
    slot_s: int = Field(300, ge=10, le=86400)  # one probe per portal per slot
    tls_warn_days: int = Field(30, ge=1, le=365)
    tls_critical_days: int = Field(7, ge=0, le=365)
    ca_file: str | None = None  # a CA bundle to trust instead of the system's
    user_agent: str = "SocTrang-IOC-health/1.0"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [p.id for p in self.portals]
        if len(set(ids)) != len(ids):
            raise ValueError("portal ids must be unique")
        if self.tls_critical_days >= self.tls_warn_days:
            raise ValueError("tls_critical_days must be below tls_warn_days")
        return self

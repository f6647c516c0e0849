"""Options of a camera feed: the cameras, their addresses, and how gently to poll them."""

from __future__ import annotations

from typing import Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from feeds.base import FeedOptions

_SCHEMES = {
    "snapshot_url": ("http", "https"),
    "mjpeg_url": ("http", "https"),
    "hls_url": ("http", "https"),
    "rtsp_url": ("rtsp",),
}


class Camera(BaseModel):
    """One camera: a snapshot URL (polled), an MJPEG or HLS stream, or only RTSP (probed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1)
    area: str = Field(min_length=1)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    purpose: str = "traffic"
    snapshot_url: str | None = None
    mjpeg_url: str | None = None
    hls_url: str | None = None
    rtsp_url: str | None = None

    @field_validator("snapshot_url", "mjpeg_url", "hls_url", "rtsp_url")
    @classmethod
    def _scheme(cls, url: str | None, info: ValidationInfo) -> str | None:
        if url is None:
            return None
        field = info.field_name or ""
        parts = urlsplit(url.strip())
        if parts.scheme not in _SCHEMES[field] or not parts.hostname:
            allowed = " or ".join(f"{s}://" for s in _SCHEMES[field])
            raise ValueError(f"{field} must be an absolute {allowed} address")
        return url.strip()

    @model_validator(mode="after")
    def _some_address(self) -> Self:
        if not (self.snapshot_url or self.mjpeg_url or self.hls_url or self.rtsp_url):
            raise ValueError("give at least one of snapshot_url, mjpeg_url, hls_url, rtsp_url")
        return self


class CameraOptions(FeedOptions):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cameras: tuple[Camera, ...] = Field(min_length=1)
    timeout_s: float = Field(5.0, ge=0.2, le=60)
    concurrency: int = Field(8, ge=1, le=64)
    max_snapshot_bytes: int = Field(5_000_000, ge=1024, le=50_000_000)
    thumbnail_px: int = Field(640, ge=64, le=4096)  # the stored still's longest side
    jpeg_quality: int = Field(80, ge=30, le=95)
    keep_stills: int = Field(12, ge=1, le=1000)  # the last K stills of each camera are kept
    ca_file: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [c.id for c in self.cameras]
        if len(set(ids)) != len(ids):
            raise ValueError("camera ids must be unique")
        return self

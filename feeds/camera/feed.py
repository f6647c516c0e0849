"""The camera feed: each camera looked at (bounded concurrency), its asset online or offline
with the reason and the time it went offline, and its newest still when it has a snapshot URL.

The camera pages relay MJPEG streams (`stream_url`) and HLS playlists with their segments
(`hls_url`, played in the detail view with hls.js); RTSP-only cameras are listed with a note
that they need a snapshot or HLS URL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from feeds.base import Feed
from feeds.camera.options import Camera, CameraOptions
from feeds.camera.probe import RTSP_ONLY_NOTE, Look, look
from store.records import Asset, Item, Snapshot

ASSET = ("cameras", "camera")


@dataclass(frozen=True, slots=True)
class Round:
    looks: list[Look]
    stored: Mapping[str, Mapping[str, Any]]


class CameraFeed(Feed):
    type = "camera"
    Options = CameraOptions
    options: CameraOptions

    def fetch(self) -> Round:
        cameras = self.options.cameras
        with ThreadPoolExecutor(min(self.options.concurrency, len(cameras)), "camera") as pool:
            looks = list(pool.map(lambda c: look(c, self.options), cameras))
        return Round(looks, self.context.own_assets(*ASSET))

    def normalize(self, raw: Round) -> Iterator[Item]:
        now = self.context.now()
        for camera, seen in zip(self.options.cameras, raw.looks, strict=True):
            before = raw.stored.get(camera.id) or {}
            digest = hashlib.sha256(seen.still).hexdigest()[:16] if seen.still else None
            attributes = _attributes(camera, seen, before, now.isoformat(), digest)
            # the look itself (how fast, when last online) is kept but is no change of data
            live = {
                "latency_ms": seen.latency_ms,
                "last_online_at": now.isoformat() if seen.online else before.get("last_online_at"),
            }
            yield Asset(
                *ASSET,
                source_id=camera.id,
                name=camera.name,
                last_seen=now,
                area=camera.area,
                lat=camera.lat,
                lon=camera.lon,
                status="online" if seen.online else "offline",
                attributes=attributes,
                live=live,
            )
            if seen.still is not None and digest != before.get("still_sha"):
                yield Snapshot(camera.id, now, "image/jpeg", seen.still, self.options.keep_stills)


def _attributes(
    camera: Camera, seen: Look, before: Mapping[str, Any], now: str, digest: str | None
) -> dict[str, Any]:
    was_online = before.get("online")
    offline_since = None if seen.online else (before.get("offline_since") or now)
    if not seen.online and was_online is not False:
        offline_since = now  # it has just gone offline
    stream = "mjpeg" if camera.mjpeg_url else "hls" if camera.hls_url else None
    return {
        "purpose": camera.purpose,
        "stream": stream,
        # what the pages relay: an MJPEG stream as a live image, an HLS playlist to a <video>
        "stream_url": camera.mjpeg_url,
        "hls_url": camera.hls_url,
        "snapshot": bool(camera.snapshot_url),
        "online": seen.online,
        "reason": seen.reason,
        "offline_since": offline_since,
        "rtsp_only": _rtsp_only(camera),
        "note": RTSP_ONLY_NOTE if _rtsp_only(camera) else None,
        "still_sha": digest or before.get("still_sha"),
    }


def _rtsp_only(camera: Camera) -> bool:
    return bool(camera.rtsp_url) and not (camera.snapshot_url or camera.mjpeg_url or camera.hls_url)

"""HLS relay: a camera's playlists and segments fetched by the app, never by the browser.

A playlist is rewritten so that every address in it (segments, variant playlists, keys, init
sections) points back at the app's relay; an address outside the camera's own origin refuses
the whole playlist, so the relay can never be steered at another host. Segments pass through
with a byte budget, under the same stream limits as the MJPEG relay."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urljoin, urlsplit

from media.mjpeg import PinnedConnection, StreamError, StreamRefused, request_camera
from settings.cameras import CamerasConfig

MAX_PLAYLIST_BYTES = 512 * 1024  # a live playlist is a few KiB; a VOD one of hours < 512 KiB
MAX_SEGMENT_BYTES = 16 * 1024 * 1024  # ≈ 30 s of 4 Mbit/s video
CHUNK = 64 * 1024
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPES = frozenset(
    {"video/mp2t", "video/mp4", "video/iso.segment", "audio/aac", "audio/mp4", "audio/mpeg"}
)
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Fetched:
    """An upstream answer: a rewritten playlist (`text`) or a segment reader (`chunks`)."""

    content_type: str
    text: str | None = None
    chunks: Iterator[bytes] | None = None


def upstream_url(hls_url: str, rest: str, query: str) -> str:
    """The camera address a relay request stands for: the playlist itself when `rest` is
    empty, else a path on the playlist's origin (the query string the playlist gave it)."""
    if not rest:
        return hls_url
    parts = urlsplit(hls_url)
    netloc = parts.netloc
    return f"{parts.scheme}://{netloc}/{rest.lstrip('/')}" + (f"?{query}" if query else "")


def rewrite_playlist(text: str, playlist_url: str, hls_url: str, relay_base: str, area: str) -> str:
    """`text` with every address resolved against `playlist_url` and pointed at the relay
    (`relay_base` + path, the scope's `area` kept); StreamRefused if one leaves the camera."""
    origin = _origin(hls_url)

    def relay(uri: str) -> str:
        target = urljoin(playlist_url, uri.strip())
        parts = urlsplit(target)
        if _origin(target) != origin:
            raise StreamRefused("refused: the playlist names an address outside the camera")
        params = {"area": area} | ({"q": parts.query} if parts.query else {})
        return f"{relay_base}/{quote(parts.path.lstrip('/'))}?{urlencode(params)}"

    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            lines.append(_URI_ATTRIBUTE.sub(lambda m: f'URI="{relay(m.group(1))}"', stripped))
        else:
            lines.append(relay(stripped))
    return "\n".join(lines) + "\n"


def fetch(
    url: str, cameras: CamerasConfig
) -> tuple[str, http.client.HTTPResponse, PinnedConnection]:
    """GET an allowed camera address: its media type, the response and its connection."""
    response, connection = request_camera(url, cameras)
    if response.status != 200:
        response.close()
        connection.close()
        raise StreamError(f"camera answered {response.status}")
    if connection.opened is not None:
        connection.opened.settimeout(cameras.idle_timeout)
    content_type = response.getheader("Content-Type", "").split(";", 1)[0].strip().lower()
    return content_type, response, connection


def relay(url: str, hls_url: str, relay_base: str, area: str, cameras: CamerasConfig) -> Fetched:
    """Fetch `url`: a playlist comes back rewritten, anything else as a bounded reader."""
    content_type, response, connection = fetch(url, cameras)
    try:
        head = response.read(len(b"\xef\xbb\xbf#EXTM3U"))
    except (OSError, http.client.HTTPException):
        connection.close()
        raise StreamError("camera stopped answering") from None
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"#EXTM3U"):
        try:
            body = _read_bounded(response, head, MAX_PLAYLIST_BYTES)
        finally:
            connection.close()
        text = _decode(body)
        return Fetched(PLAYLIST_TYPE, text=rewrite_playlist(text, url, hls_url, relay_base, area))
    if content_type in {PLAYLIST_TYPE, "application/x-mpegurl", "audio/mpegurl"}:
        connection.close()
        raise StreamError("camera answered a playlist type without #EXTM3U")
    served = content_type if content_type in SEGMENT_TYPES else "application/octet-stream"
    return Fetched(served, chunks=_Segment(head, response, connection))


def _read_bounded(response: http.client.HTTPResponse, head: bytes, limit: int) -> bytes:
    data = head
    try:
        while chunk := response.read1(CHUNK):
            data += chunk
            if len(data) > limit:
                raise StreamError(f"camera playlist larger than {limit // 1024} KiB")
    except (OSError, http.client.HTTPException):
        raise StreamError("camera stopped answering") from None
    return data


class _Segment:
    """A segment's bytes as they arrive; cut (the browser sees a failed load) past the
    budget, when the camera stalls past the idle timeout, or when the viewer leaves. A
    class, so that close() ends the camera connection even before the first read."""

    def __init__(
        self, head: bytes, response: http.client.HTTPResponse, connection: PinnedConnection
    ) -> None:
        self._pending: bytes | None = head
        self._sent = len(head)
        self._response, self._connection = response, connection

    def __iter__(self) -> _Segment:
        return self

    def __next__(self) -> bytes:
        if self._pending is not None:
            chunk, self._pending = self._pending, None
            return chunk
        try:
            chunk = self._response.read1(CHUNK)
        except (OSError, http.client.HTTPException):
            chunk = b""
        self._sent += len(chunk)
        if not chunk or self._sent > MAX_SEGMENT_BYTES:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        self._response.close()
        self._connection.close()


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")  # RFC 8216: playlists are UTF-8
    except UnicodeDecodeError:
        raise StreamError("camera playlist is not UTF-8 text") from None


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port

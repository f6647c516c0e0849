"""One look at one camera over real transports: a JPEG snapshot (validated and thumbnailed by
Pillow), an MJPEG or HLS stream answering, or an RTSP server answering OPTIONS."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urlsplit

import requests
from PIL import Image, UnidentifiedImageError

from feeds.camera.options import Camera, CameraOptions

RTSP_PORT = 554
RTSP_ONLY_NOTE = "RTSP only: give it a snapshot or HLS URL to show its picture"


@dataclass(frozen=True, slots=True)
class Look:
    camera: str
    online: bool
    reason: str  # why it is offline ("" when online)
    latency_ms: float | None = None
    still: bytes | None = None  # the thumbnail JPEG, when a snapshot was taken


class _Offline(Exception):
    """The camera cannot be seen; the message is the reason shown."""


def look(camera: Camera, options: CameraOptions) -> Look:
    started = time.monotonic()
    try:
        still = _check(camera, options)
    except _Offline as exc:
        return Look(camera.id, False, str(exc))
    return Look(camera.id, True, "", round((time.monotonic() - started) * 1000, 1), still)


def _check(camera: Camera, options: CameraOptions) -> bytes | None:
    if camera.snapshot_url:
        return thumbnail(_get(camera.snapshot_url, options, options.max_snapshot_bytes), options)
    if camera.mjpeg_url:
        _stream_answers(camera.mjpeg_url, options, b"", "multipart/x-mixed-replace")
    elif camera.hls_url:
        _stream_answers(camera.hls_url, options, b"#EXTM3U", "")
    else:
        assert camera.rtsp_url is not None  # guaranteed by the options
        rtsp_options(camera.rtsp_url, options.timeout_s)
    return None


def thumbnail(content: bytes, options: CameraOptions) -> bytes:
    """The snapshot checked to be a whole JPEG, shrunk to thumbnail_px and re-encoded."""
    try:
        with Image.open(BytesIO(content)) as probe:
            if probe.format != "JPEG":
                raise _Offline(f"snapshot is not a JPEG ({probe.format or 'unknown format'})")
            probe.verify()
        with Image.open(BytesIO(content)) as image:
            # decode at the nearest 1/2, 1/4 or 1/8 scale at or above the thumbnail: a
            # fraction of a full decode
            image.draft("RGB", (options.thumbnail_px, options.thumbnail_px))
            image.load()
            picture = image.convert("RGB")
    except _Offline:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _Offline(f"snapshot is not a valid image: {exc}") from None
    picture.thumbnail((options.thumbnail_px, options.thumbnail_px))
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=options.jpeg_quality)
    return buffer.getvalue()


def _get(url: str, options: CameraOptions, limit: int) -> bytes:
    verify: bool | str = options.ca_file or True
    try:
        with requests.get(url, timeout=options.timeout_s, verify=verify, stream=True) as response:
            if response.status_code != 200:
                raise _Offline(f"HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > limit:
                    raise _Offline(f"snapshot larger than {limit} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.Timeout:
        raise _Offline(f"no answer within {options.timeout_s:g} s") from None
    except requests.exceptions.SSLError:
        raise _Offline("TLS certificate not valid") from None
    except requests.ConnectionError:
        raise _Offline("cannot connect") from None
    except requests.RequestException as exc:
        raise _Offline(f"request failed: {type(exc).__name__}") from None


def _stream_answers(url: str, options: CameraOptions, starts: bytes, content_type: str) -> None:
    verify: bool | str = options.ca_file or True
    try:
        with requests.get(url, timeout=options.timeout_s, verify=verify, stream=True) as response:
            if response.status_code != 200:
                raise _Offline(f"stream answered HTTP {response.status_code}")
            kind = response.headers.get("Content-Type", "")
            if content_type and not kind.startswith(content_type):
                raise _Offline(f"stream is {kind or 'untyped'}, not {content_type}")
            head = next(response.iter_content(len(starts) or 1), b"")
            if starts and not head.startswith(starts):
                raise _Offline("playlist does not start with #EXTM3U")
    except requests.Timeout:
        raise _Offline(f"stream silent for {options.timeout_s:g} s") from None
    except requests.ConnectionError:
        raise _Offline("cannot connect to the stream") from None
    except requests.RequestException as exc:
        raise _Offline(f"stream request failed: {type(exc).__name__}") from None


def rtsp_options(url: str, timeout_s: float) -> None:
    """TCP connect and an RTSP OPTIONS request; _Offline unless the server answers 200."""
    parts = urlsplit(url)
    request = f"OPTIONS {url} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: SocTrang-IOC\r\n\r\n".encode()
    try:
        with socket.create_connection(
            (parts.hostname or "", parts.port or RTSP_PORT), timeout=timeout_s
        ) as conn:
            conn.sendall(request)
            answer = conn.recv(1024).decode("latin-1")
    except TimeoutError:
        raise _Offline(f"RTSP server silent for {timeout_s:g} s") from None
    except OSError as exc:
        raise _Offline(f"cannot connect to the RTSP server ({type(exc).__name__})") from None
    status = answer.split("\r\n", 1)[0]
    if not status.startswith("RTSP/1.0 200"):
        raise _Offline(f"RTSP OPTIONS answered {status or 'nothing'!r}")

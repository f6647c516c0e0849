"""MJPEG over HTTP: the multipart framing, and a proxy that relays an upstream stream as is."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

BOUNDARY = "iocframe"
CHUNK = 64 * 1024


def part(jpeg: bytes) -> bytes:
    """One frame of a multipart/x-mixed-replace body."""
    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
    return head.encode("ascii") + jpeg + b"\r\n"


class StreamError(Exception):
    """The upstream camera could not be reached or did not answer with a stream."""


@dataclass
class Upstream:
    """An open upstream stream: its content type and a reader of bytes as they arrive."""

    content_type: str
    response: http.client.HTTPResponse
    connection: http.client.HTTPConnection

    def chunks(self) -> Iterator[bytes]:
        """Bytes as they arrive (read1 returns what is there, never waits for a full buffer);
        the upstream is closed when the reader stops, e.g. when the browser goes away."""
        try:
            while True:
                data = self.response.read1(CHUNK)
                if not data:
                    return
                yield data
        except (OSError, http.client.HTTPException):
            return  # the camera hung up or stalled past the read timeout: end the stream
        finally:
            self.close()

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def open_upstream(url: str, connect_timeout: float, read_timeout: float) -> Upstream:
    """Connect to an MJPEG-over-HTTP camera; raise StreamError with a reason if we cannot."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StreamError(f"not an HTTP stream URL: {url!r}")
    factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = factory(parts.hostname, parts.port, timeout=connect_timeout)
    try:
        path = parts.path or "/"
        connection.request("GET", path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        kind = "timed out" if isinstance(exc, socket.timeout) else str(exc) or type(exc).__name__
        raise StreamError(f"camera unreachable: {kind}") from exc
    content_type = response.getheader("Content-Type", "")
    if response.status != 200 or not content_type.startswith("multipart/x-mixed-replace"):
        response.close()
        connection.close()
        raise StreamError(f"camera answered {response.status} {content_type or '(no type)'}")
    if connection.sock is not None:
        connection.sock.settimeout(read_timeout)
    return Upstream(content_type, response, connection)

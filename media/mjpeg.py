"""MJPEG over HTTP: the multipart framing, and a proxy that relays an allowed camera's stream."""

from __future__ import annotations

import base64
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from settings.cameras import CamerasConfig, Network

BOUNDARY = "iocframe"
CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


def part(jpeg: bytes) -> bytes:
    """One frame of a multipart/x-mixed-replace body."""
    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
    return head.encode("ascii") + jpeg + b"\r\n"


class StreamError(Exception):
    """The upstream camera could not be reached or did not answer with a stream.

    The message never holds the camera's URL or credentials: it is shown and logged."""


class StreamRefused(StreamError):
    """The camera URL points outside what the configuration allows; nothing was contacted."""


@dataclass(frozen=True)
class Target:
    """A checked camera: the address to connect to and what the request must say."""

    scheme: str
    host: str  # for the Host header and TLS name checks
    address: str  # the resolved, allowed IP we connect to (no second DNS lookup)
    port: int
    path: str
    authorization: str | None


def check_target(url: str, cameras: CamerasConfig) -> Target:
    """Resolve the camera's host and check every address it has; raise StreamRefused if not."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        raise StreamRefused("refused: unparsable camera URL") from None
    if parts.scheme not in cameras.allowed_schemes or not parts.hostname:
        raise StreamRefused(f"refused: scheme {parts.scheme or '(none)'!r} is not allowed")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise StreamRefused("refused: camera host name does not resolve") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    networks = cameras.networks
    if not addresses or not all(_allowed(a, networks) for a in addresses):
        raise StreamRefused("refused: camera address is outside the allowed camera networks")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, addresses[0], port, path, _basic(parts))


def _allowed(address: str, networks: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_unspecified or ip.is_multicast:
        return False
    return any(ip.version == net.version and ip in net for net in networks)


def _basic(parts: object) -> str | None:
    """Credentials written as user:pass@ go to the camera as HTTP Basic, nowhere else."""
    user, password = getattr(parts, "username", None), getattr(parts, "password", None)
    if user is None:
        return None
    token = base64.b64encode(f"{unquote(user)}:{unquote(password or '')}".encode()).decode()
    return f"Basic {token}"


class PinnedConnection(http.client.HTTPConnection):
    """Connects to the checked address only, and checks the socket's peer is that address."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target
        self.opened: socket.socket | None = None  # kept: http.client drops .sock on HTTP/1.0

    def connect(self) -> None:
        sock = socket.create_connection((self.target.address, self.target.port), self.timeout)
        if sock.getpeername()[0] != self.target.address:
            sock.close()
            raise StreamRefused("refused: connected to an unexpected address")
        if self.target.scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self.target.host)
        self.sock = self.opened = sock


@dataclass
class Upstream:
    """An open upstream stream: its content type and a reader of bytes as they arrive."""

    content_type: str
    response: http.client.HTTPResponse
    connection: http.client.HTTPConnection

    def chunks(self) -> Iterator[bytes]:
        """Bytes as they arrive (read1 returns what is there, never waits for a full buffer);
        the upstream is closed when the reader stops (the browser went away, a limit fired)
        or when the camera is silent past the idle timeout."""
        try:
            while True:
                data = self.response.read1(CHUNK)
                if not data:
                    return
                yield data
        except (OSError, http.client.HTTPException):
            return  # the camera hung up or stalled past the idle timeout: end the stream
        finally:
            self.close()

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def request_camera(
    url: str, cameras: CamerasConfig
) -> tuple[http.client.HTTPResponse, PinnedConnection]:
    """GET an allowed camera address on a pinned connection (no redirect is followed: it
    could point anywhere); StreamError with a reason that never quotes the address."""
    target = check_target(url, cameras)
    connection = PinnedConnection(target, timeout=cameras.connect_timeout)
    headers = {"Authorization": target.authorization} if target.authorization else {}
    try:
        connection.request("GET", target.path, headers=headers)
        return connection.getresponse(), connection
    except StreamRefused:
        connection.close()
        raise
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        kind = "timed out" if isinstance(exc, socket.timeout) else _kind(exc)
        raise StreamError(f"camera unreachable: {kind}") from None


def open_upstream(url: str, cameras: CamerasConfig) -> Upstream:
    """Connect to an allowed MJPEG-over-HTTP camera; StreamError with a reason if we cannot."""
    response, connection = request_camera(url, cameras)
    content_type = response.getheader("Content-Type", "")
    if response.status != 200 or not content_type.startswith("multipart/x-mixed-replace"):
        response.close()
        connection.close()
        shown = content_type.split(";", 1)[0][:60] or "(no type)"
        raise StreamError(f"camera answered {response.status} {shown}")
    if connection.opened is not None:
        connection.opened.settimeout(cameras.idle_timeout)
    return Upstream(content_type, response, connection)


def _kind(exc: BaseException) -> str:
    """The kind of network failure, without the text (which may quote the host)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    return type(exc).__name__

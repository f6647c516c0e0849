"""One probe of one portal over real HTTP(S): status, timing, redirects, content, TLS expiry."""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from feeds.http_health.options import HttpHealthOptions, Portal

OK = "ok"
TIMEOUT = "timeout"
CONNECTION_FAILED = "connection_failed"
CONTENT_MISMATCH = "content_mismatch"
TLS_ERROR = "tls_error"
HTTP_ERROR = "http_error"
TOO_MANY_REDIRECTS = "too_many_redirects"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    portal: str
    kind: str  # one of the constants above
    reason: str
    http_status: int | None = None
    response_ms: float | None = None  # None when no HTTP answer came back
    redirects: int = 0
    final_url: str | None = None
    tls_days_left: float | None = None

    @property
    def up(self) -> bool:
        return self.kind == OK


def probe(portal: Portal, options: HttpHealthOptions, now: datetime) -> ProbeResult:
    """Probe a portal; every failure becomes a result kind with a reason, never an exception."""
    tls_days: float | None = None
    if urlsplit(portal.url).scheme == "https":
        try:
            tls_days = certificate_days_left(portal.url, options, now)
        except ssl.SSLError as exc:
            return ProbeResult(portal.id, TLS_ERROR, _tls_reason(exc))
        except TimeoutError:
            return ProbeResult(portal.id, TIMEOUT, f"TLS handshake took over {options.timeout_s} s")
        except OSError as exc:
            return ProbeResult(portal.id, CONNECTION_FAILED, _os_reason(exc))
    result = _get(portal, options)
    return ProbeResult(
        result.portal,
        result.kind,
        result.reason,
        result.http_status,
        result.response_ms,
        result.redirects,
        result.final_url,
        tls_days,
    )


def certificate_days_left(url: str, options: HttpHealthOptions, now: datetime) -> float:
    """Days until the verified server certificate expires (negative: already expired)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.create_default_context(cafile=options.ca_file)
    raw = socket.create_connection((host, port), timeout=options.timeout_s)
    with raw, context.wrap_socket(raw, server_hostname=host) as tls:
        cert = tls.getpeercert()
    not_after = ssl.cert_time_to_seconds(str(cert["notAfter"])) if cert else None
    if not_after is None:
        raise ssl.SSLError("the server sent no certificate")
    return (datetime.fromtimestamp(not_after, UTC) - now).total_seconds() / 86400


def _get(portal: Portal, options: HttpHealthOptions) -> ProbeResult:
    session = requests.Session()
    session.max_redirects = options.max_redirects
    headers = {"User-Agent": options.user_agent, "Accept": "text/html,*/*"}
    verify: bool | str = options.ca_file or True
    started = time.monotonic()
    try:
        with session.get(
            portal.url, headers=headers, timeout=options.timeout_s, verify=verify, stream=True
        ) as response:
            body = _read(response, options.max_body_bytes)
            elapsed = (time.monotonic() - started) * 1000
            return _judge(portal, response, body, elapsed)
    except requests.TooManyRedirects:
        reason = f"more than {options.max_redirects} redirects"
        return ProbeResult(portal.id, TOO_MANY_REDIRECTS, reason, redirects=options.max_redirects)
    except requests.exceptions.SSLError as exc:
        return ProbeResult(portal.id, TLS_ERROR, _tls_reason(exc))
    except requests.Timeout:
        return ProbeResult(portal.id, TIMEOUT, f"no answer within {options.timeout_s} s")
    except requests.ConnectionError as exc:
        return ProbeResult(portal.id, CONNECTION_FAILED, _os_reason(exc))
    except requests.RequestException as exc:
        return ProbeResult(portal.id, CONNECTION_FAILED, f"request failed: {type(exc).__name__}")
    finally:
        session.close()


def _read(response: requests.Response, limit: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _judge(portal: Portal, response: requests.Response, body: bytes, ms: float) -> ProbeResult:
    kind, reason = OK, ""
    if response.status_code >= 400:
        kind, reason = HTTP_ERROR, f"HTTP {response.status_code}"
    elif portal.expect is not None:
        text = body.decode(response.encoding or "utf-8", "replace")
        if portal.expect not in text:
            kind, reason = CONTENT_MISMATCH, f"the page does not contain {portal.expect!r}"
    return ProbeResult(
        portal.id,
        kind,
        reason,
        response.status_code,
        round(ms, 1),
        len(response.history),
        response.url,
    )


def _tls_reason(exc: BaseException) -> str:
    chain = [exc, exc.__cause__, exc.__context__, *getattr(exc, "args", ())]
    for cause in chain:
        inner = getattr(cause, "reason", None)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate not valid: {cause.verify_message}"
        if isinstance(inner, ssl.SSLCertVerificationError):
            return f"certificate not valid: {inner.verify_message}"
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "certificate not valid: " + text.split("CERTIFICATE_VERIFY_FAILED]")[-1].strip(
            " ()'\""
        )
    return f"TLS failed: {type(exc).__name__}"


def _os_reason(exc: BaseException) -> str:
    text = str(exc)
    if "Connection refused" in text or isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if "Name or service not known" in text or "NameResolution" in text:
        return "host name cannot be resolved"
    if "reset" in text.lower() or "RemoteDisconnected" in text or "aborted" in text.lower():
        return "connection closed without an answer"
    return f"cannot connect ({type(exc).__name__})"

"""One HTTP exchange with a JSON source: auth, a streamed size limit, a deadline, and errors
translated into the feed error kinds, never echoing a secret."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from feeds.base import (
    FeedAuthError,
    FeedBadData,
    FeedError,
    FeedMisconfigured,
    FeedUnavailable,
    excerpt,
)
from feeds.http_options import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    HttpRequestOptions,
    OAuth2ClientCredentials,
)
from feeds.redact import redact, secret_values

CHUNK = 64 * 1024
MAX_RETRY_AFTER_S = 300.0  # a longer wait is the scheduler's job, not this run's
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass
class _Token:
    value: str
    expires_at: float


class TokenCache:
    """OAuth2 access tokens kept between runs (a feed object lives for one run only)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tokens: dict[tuple[str, str, str | None], _Token] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str | None]) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
            return token.value if token and token.expires_at > self.clock() else None

    def put(self, key: tuple[str, str, str | None], value: str, lifetime_s: float) -> None:
        with self._lock:
            self._tokens[key] = _Token(value, self.clock() + lifetime_s)

    def drop(self, key: tuple[str, str, str | None]) -> None:
        with self._lock:
            self._tokens.pop(key, None)


TOKENS = TokenCache()


def public_url(url: str) -> str:
    """The URL without credentials, query or fragment: safe to show in errors and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class HttpClient:
    """Requests for one feed run; every call is bounded by the options' timeout and size."""

    def __init__(
        self,
        options: HttpRequestOptions,
        tokens: TokenCache | None = None,
        deadline: float | None = None,
    ) -> None:
        self.options = options
        self.deadline = deadline  # the run's end (monotonic): no request goes past it
        self.tokens = tokens if tokens is not None else TOKENS
        self.session = requests.Session()
        self.last_body: bytes | None = None
        self.last_headers: Mapping[str, str] = {}

    def close(self) -> None:
        self.session.close()

    # --- the exchange ----------------------------------------------------------------------

    def json(self, url: str, params: Mapping[str, Any]) -> Any:
        """GET/POST `url` and return the decoded JSON; FeedError subclasses on failure."""
        response = self._authorised(url, params)
        return self._decoded(response)

    def _authorised(self, url: str, params: Mapping[str, Any]) -> Response:
        response = self._send(url, params, self._auth_headers(fresh=False))
        if response.status == 401 and isinstance(self.options.auth, OAuth2ClientCredentials):
            # the cached token may have been revoked early: one fresh token, never a loop
            response = self._send(url, params, self._auth_headers(fresh=True))
        self._check_status(response)
        return response

    def _send(self, url: str, params: Mapping[str, Any], auth: dict[str, str]) -> Response:
        opts = self.options
        query = {**opts.params, **params}
        if isinstance(opts.auth, ApiKeyAuth) and opts.auth.query_param:
            query[opts.auth.query_param] = opts.auth.token.get_secret_value()
        headers = {"Accept": "application/json", **opts.headers, **auth}
        return self.request(opts.method, url, params=query, headers=headers, json_body=opts.body)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        """One request; the body is read in chunks and refused past `max_bytes`, and the
        whole exchange past `timeout_s` (the socket timeout bounds each read, so no thread
        outlives the run by more than one read)."""
        opts = self.options
        deadline = time.monotonic() + opts.timeout_s
        if self.deadline is not None:
            if time.monotonic() >= self.deadline:
                raise FeedUnavailable("the run's time ran out before the next request")
            deadline = min(deadline, self.deadline)
        where = public_url(url)
        try:
            with self.session.request(
                method,
                url,
                params=dict(params or {}),
                headers=dict(headers or {}),
                json=json_body,
                data=form,
                timeout=max(0.1, min(opts.timeout_s, deadline - time.monotonic())),
                verify=opts.verify_tls,
                allow_redirects=False,
                stream=True,
            ) as raw:
                body = self._read(raw, deadline, where)
                return Response(raw.url, raw.status_code, raw.headers, body)
        except FeedError:
            raise
        except requests.Timeout:
            message = f"timed out after {opts.timeout_s:g} s waiting for {where}"
            raise FeedUnavailable(message) from None
        except requests.exceptions.SSLError:
            raise FeedMisconfigured(
                f"TLS verification failed for {where} (see verify_tls)"
            ) from None
        except requests.exceptions.ChunkedEncodingError:
            raise FeedUnavailable(f"the response from {where} was cut off") from None
        except requests.ConnectionError as exc:
            raise FeedUnavailable(_connection_problem(exc, url)) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader) as exc:
            raise FeedMisconfigured(f"cannot request {where}: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise FeedUnavailable(f"request to {where} failed: {type(exc).__name__}") from None

    def _read(self, raw: requests.Response, deadline: float, where: str) -> bytes:
        limit = self.options.max_bytes
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FeedBadData(f"response from {where} of {int(declared):,} bytes exceeds {limit:,}")
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FeedBadData(f"response from {where} exceeds {limit:,} bytes (refused)")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise FeedUnavailable(
                    f"{where} took longer than {self.options.timeout_s:g} s to send its answer"
                )
        if declared.isdigit() and size < int(declared):
            raise FeedUnavailable(f"the response from {where} was cut off at {size:,} bytes")
        body = b"".join(chunks)
        self.last_body, self.last_headers = body, raw.headers
        return body

    # --- authentication --------------------------------------------------------------------

    def _auth_headers(self, *, fresh: bool) -> dict[str, str]:
        auth = self.options.auth
        if isinstance(auth, BearerAuth):
            return {auth.header: f"Bearer {auth.token.get_secret_value()}"}
        if isinstance(auth, ApiKeyAuth):
            return {auth.header: auth.token.get_secret_value()} if auth.header else {}
        if isinstance(auth, BasicAuth):
            return {"Authorization": _basic(auth.username, auth.password.get_secret_value())}
        if isinstance(auth, OAuth2ClientCredentials):
            return {"Authorization": f"Bearer {self._access_token(auth, fresh)}"}
        return {}

    def _access_token(self, auth: OAuth2ClientCredentials, fresh: bool) -> str:
        key = (auth.token_url, auth.client_id, auth.scope)
        if fresh:
            self.tokens.drop(key)
        cached = self.tokens.get(key)
        if cached:
            return cached
        secret = auth.client_secret.get_secret_value()
        form = {"grant_type": "client_credentials"}
        headers = {"Accept": "application/json"}
        if auth.scope:
            form["scope"] = auth.scope
        if auth.send_as == "basic":
            headers["Authorization"] = _basic(auth.client_id, secret)
        else:
            form |= {"client_id": auth.client_id, "client_secret": secret}
        response = self.request("POST", auth.token_url, headers=headers, form=form)
        where = public_url(auth.token_url)
        if response.status in (400, 401, 403):
            raise FeedAuthError(
                f"the token endpoint {where} refused the client credentials"
                f" (HTTP {response.status})"
            )
        self._check_status(response)
        token, lifetime = _token_of(self._decoded(response), where)
        self.tokens.put(key, token, max(lifetime - auth.expiry_margin_s, 1))
        return token

    # --- status and body -------------------------------------------------------------------

    def _check_status(self, response: Response) -> None:
        status, where = response.status, public_url(response.url)
        if 200 <= status < 300:
            return
        message = f"HTTP {status} from {where}"
        if status in (401, 403):
            hint = "credentials refused" if self.options.auth else "no credentials configured"
            raise FeedAuthError(f"{message}: {hint}", payload=response.body)
        if status in (429, 503) or status >= 500:
            wait = _retry_after(response.headers.get("Retry-After"))
            note = f" (retry after {wait:g} s)" if wait is not None else ""
            raise FeedUnavailable(message + note, payload=response.body, retry_after=wait)
        if 300 <= status < 400:
            target = public_url(urljoin(response.url, response.headers.get("Location", "")))
            raise FeedMisconfigured(f"{message}: redirects are not followed (to {target})")
        hint = redact(_body_hint(response.body), secret_values(self.options))
        raise FeedMisconfigured(f"{message}{hint}", payload=response.body)

    def _decoded(self, response: Response) -> Any:
        body, where = response.body, public_url(response.url)
        head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith(_HTML_STARTS):
            raise FeedAuthError(
                f"{where} answered an HTML page with status {response.status}, not JSON:"
                " most likely a login page (the session or credentials expired)",
                payload=body,
            )
        if not body.strip():
            raise FeedBadData(f"empty response body from {where}")
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            at = f"line {exc.lineno} column {exc.colno}"
            raise FeedBadData(
                f"invalid JSON from {where} at {at}: {exc.msg}", payload=body
            ) from None
        except UnicodeDecodeError:
            message = f"response body from {where} is not UTF-8 text"
            raise FeedBadData(message, payload=body) from None
        except RecursionError:
            message = f"JSON from {where} is nested too deeply to read"
            raise FeedBadData(message, payload=body) from None


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _token_of(document: Any, where: str) -> tuple[str, float]:
    token = document.get("access_token") if isinstance(document, dict) else None
    if not isinstance(token, str) or not token:
        raise FeedAuthError(f"the token endpoint {where} sent no access_token")
    lifetime = document.get("expires_in", 3600)
    try:
        return token, float(lifetime)
    except (TypeError, ValueError):
        return token, 3600.0


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date), bounded."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER_S)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return min(max(moment.timestamp() - time.time(), 0.0), MAX_RETRY_AFTER_S)


def _body_hint(body: bytes) -> str:
    text = " ".join(body[:400].decode("utf-8", "replace").split())
    return f" (body: {excerpt(text, 120)})" if text else ""


def _connection_problem(exc: BaseException, url: str) -> str:
    where = public_url(url)
    causes = list(_exception_chain(exc))
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"connection refused by {where}"
    if any(isinstance(c, socket.gaierror) or "NameResolution" in type(c).__name__ for c in causes):
        return f"cannot resolve host '{urlsplit(url).hostname}'"
    if any(
        isinstance(c, ConnectionResetError) or "Disconnected" in type(c).__name__ for c in causes
    ):
        return f"connection closed by {where} without a response"
    return f"cannot connect to {where} ({type(causes[-1]).__name__})"


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (causes, contexts, urllib3 reasons, args)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked += [arg for arg in current.args if isinstance(arg, BaseException)]
        pending += [e for e in linked if isinstance(e, BaseException)]

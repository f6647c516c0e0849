"""Fetch a report file from a URL, refusing it while streaming once it exceeds a size limit."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from feeds.base import FeedAuthError, FeedBadData, FeedMisconfigured, FeedUnavailable

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
_CHUNK = 64 * 1024


@dataclass(frozen=True, kw_only=True)
class Downloaded:
    url: str  # after redirects
    content: bytes
    content_type: str


def download(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    headers: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Downloaded:
    """GET `url`; at most `max_bytes` are ever held, and `timeout` bounds the whole download.

    A Content-Length above the limit is refused before the body is read; otherwise the body
    is read in 64 KiB chunks and refused as soon as the total passes the limit.
    """
    deadline = clock() + timeout
    http = session or requests.Session()
    try:
        with http.get(url, headers=dict(headers or {}), stream=True, timeout=timeout) as response:
            _check_status(url, response)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FeedBadData(f"{url}: body of {int(declared):,} bytes exceeds {max_bytes:,}")
            chunks: list[bytes] = []  # joined once at the end: no over-allocation while growing
            size = 0
            for chunk in response.iter_content(_CHUNK):
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise FeedBadData(
                        f"{url}: body exceeds {max_bytes:,} bytes (refused while reading)"
                    )
                if clock() > deadline:
                    raise FeedUnavailable(f"{url}: download took longer than {timeout:g} s")
            return Downloaded(
                url=response.url,
                content=b"".join(chunks),
                content_type=response.headers.get("Content-Type", ""),
            )
    except requests.Timeout as error:
        raise FeedUnavailable(f"{url}: timed out ({error})") from error
    except requests.ConnectionError as error:
        raise FeedUnavailable(f"{url}: connection failed ({error})") from error
    finally:
        if session is None:
            http.close()


def _check_status(url: str, response: requests.Response) -> None:
    status = response.status_code
    if status in (401, 403):
        raise FeedAuthError(f"{url}: HTTP {status}")
    if 400 <= status < 500 and status != 429:
        raise FeedMisconfigured(f"{url}: HTTP {status}")
    if status >= 400:
        raise FeedUnavailable(f"{url}: HTTP {status}")

"""Following a JSON API's pages: page number, offset, cursor or next link, always bounded."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from feeds.base import FeedBadData
from feeds.http_client import HttpClient, public_url
from feeds.http_options import Pagination
from feeds.mapping.apply import MISSING, resolve_path
from feeds.mapping.numbers import is_null

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)


@dataclass
class Pages:
    """The documents a source answered, in order, and the records each held."""

    documents: list[Any] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)

    @property
    def first(self) -> Any:
        return self.documents[0] if self.documents else None


def fetch_pages(
    client: HttpClient,
    url: str,
    records_path: str,
    pagination: Pagination | None,
    params: Mapping[str, Any],
) -> Pages:
    """Every page's records; a list missing from a page, a loop or too many pages is an error."""
    pages = Pages()
    if pagination is None:
        _take(pages, client.json(url, params), records_path, url)
        return pages
    state = _Walk(pagination, url, dict(params))
    while True:
        document = client.json(state.url, state.params())
        got = _take(pages, document, records_path, state.url)
        if not state.advance(document, got, client):
            return pages
        if len(pages.documents) >= pagination.max_pages:
            raise FeedBadData(
                f"{public_url(url)} has more than {pagination.max_pages} pages;"
                " raise pagination.max_pages if that is expected"
            )


def _take(pages: Pages, document: Any, records_path: str, url: str) -> int:
    records = resolve_path(document, records_path)
    if not isinstance(records, list):
        at = f"'{records_path}'" if records_path else "the top level"
        got = "nothing" if records is MISSING else type(records).__name__
        raise FeedBadData(
            f"expected a list of records at {at} of page {len(pages.documents) + 1}"
            f" from {public_url(url)}, got {got}"
        )
    pages.documents.append(document)
    pages.records.extend(records)
    return len(records)


class _Walk:
    """Where the next page is, and whether there is one."""

    def __init__(self, spec: Pagination, url: str, params: dict[str, Any]) -> None:
        self.spec = spec
        self.url = url
        self.base = params
        self.page = spec.start
        self.offset = 0
        self.cursor: str | None = None
        self.seen: set[str] = set()

    def params(self) -> dict[str, Any]:
        spec, query = self.spec, dict(self.base)
        if spec.type == "page":
            query[spec.page_param] = self.page
            if spec.size_param:
                query[spec.size_param] = spec.size
        elif spec.type == "offset":
            query[spec.offset_param] = self.offset
            query[spec.limit_param] = spec.size
        elif spec.type == "cursor" and self.cursor is not None:
            query[spec.cursor_param] = self.cursor
        elif spec.type == "next_link" and self.seen:
            return {}  # a next link carries its own query
        return query

    def advance(self, document: Any, got: int, client: HttpClient) -> bool:
        spec = self.spec
        if spec.type == "page":
            return self._next_page(document, got)
        if spec.type == "offset":
            self.offset += got
            total = _number_at(document, spec.total_path)
            return got > 0 and (self.offset < total if total is not None else got >= spec.size)
        if spec.type == "cursor":
            value = resolve_path(document, spec.next_cursor_path or "")
            if value is MISSING or is_null(value) or value is False:
                return False
            return self._new(str(value), "cursor")
        link = resolve_path(document, spec.next_path) if spec.next_path else MISSING
        if link is MISSING or is_null(link):
            link = _link_header(client)
        if link is MISSING or is_null(link):
            return False
        self.seen.add(self.url)
        self.url = urljoin(self.url, str(link))
        return self._new(self.url, "next link")

    def _next_page(self, document: Any, got: int) -> bool:
        spec = self.spec
        total = _number_at(document, spec.total_pages_path)
        has_next = resolve_path(document, spec.has_next_path) if spec.has_next_path else MISSING
        current = self.page
        self.page += 1
        if total is not None:
            return current - spec.start + 1 < total
        if has_next is not MISSING:
            return bool(has_next) and str(has_next).lower() not in ("false", "0")
        return got >= spec.size

    def _new(self, marker: str, what: str) -> bool:
        if marker in self.seen:
            raise FeedBadData(f"pagination loops: the {what} {marker!r} came back")
        self.seen.add(marker)
        self.cursor = marker
        return True


def _number_at(document: Any, path: str | None) -> int | None:
    if not path:
        return None
    value = resolve_path(document, path)
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _link_header(client: HttpClient) -> Any:
    header = client.last_headers.get("Link", "") if client.last_headers else ""
    match = _LINK_NEXT.search(header)
    return match[1] if match else MISSING

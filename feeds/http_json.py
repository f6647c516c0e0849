"""The http_json feed: JSON from a REST/LGSP API (paged, authenticated, incremental), mapped by
the mapping language into observations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from feeds.base import Feed, FeedOptions
from feeds.http_client import HttpClient, public_url
from feeds.http_options import HttpRequestOptions
from feeds.http_pages import Pages, fetch_pages
from feeds.mapping.apply import MISSING, Mapper, resolve_path
from feeds.mapping.errors import ParseError
from feeds.mapping.numbers import is_null
from feeds.mapping.spec import MappingSpec
from feeds.mapping.times import parse_time
from store.records import Item

log = logging.getLogger(__name__)


class HttpJsonOptions(HttpRequestOptions, FeedOptions):
    """The request (see HttpRequestOptions) and the mapping of its records."""

    mapping: MappingSpec


class HttpJsonFeed(Feed):
    """JSON from a REST or LGSP API: GET/POST, auth, pagination, an incremental cursor."""

    type = "http_json"
    Options = HttpJsonOptions
    options: HttpJsonOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: HttpClient | None = None
        self._checkpoint: str | None = self.context.checkpoint

    def fetch(self) -> Pages:
        """Every page's records; raises a FeedError subclass on failure."""
        opts = self.options
        self._client = HttpClient(opts, deadline=self.context.deadline)
        try:
            pages = fetch_pages(
                self._client, opts.url, opts.mapping.records, opts.pagination, self._since()
            )
        finally:
            self._client.close()
        log.debug(
            "%s: %d records on %d pages from %s",
            self.feed_id,
            len(pages.records),
            len(pages.documents),
            public_url(opts.url),
        )
        return pages

    def normalize(self, raw: Pages) -> Iterator[Item]:
        mapper = Mapper(self.options.mapping, self.context, self.feed_id)
        result = mapper.map_rows(raw.records, document=raw.first)
        self._checkpoint = self._newest(raw.records)
        yield from result.bulk_items() if self.blocks else result.feed_items()

    def checkpoint(self) -> str | None:
        return self._checkpoint if self.options.incremental else None

    def payload(self) -> bytes | None:
        return self._client.last_body if self._client else None

    def _since(self) -> dict[str, Any]:
        inc = self.options.incremental
        if inc is None:
            return {}
        value = self.context.checkpoint or inc.initial
        return {} if value is None else {inc.param: value}

    def _newest(self, records: list[Any]) -> str | None:
        """The largest cursor field among the records (as the source wrote it), or the old one."""
        inc = self.options.incremental
        if inc is None:
            return None
        zone = self.options.mapping.zone
        best: tuple[datetime, str] | None = None
        for text in [self.context.checkpoint, *(_field(r, inc.field) for r in records)]:
            if text is None:
                continue
            try:
                moment = parse_time(text, inc.format, zone)
            except ParseError:
                continue
            if best is None or moment > best[0]:
                best = (moment, text)
        return best[1] if best else self.context.checkpoint


def _field(record: Any, path: str) -> str | None:
    value = resolve_path(record, path)
    return None if value is MISSING or is_null(value) else str(value)

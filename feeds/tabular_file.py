"""The tabular_file feed: CSV and xlsx reports from a path, a drop folder or a URL, mapped
into observations (the tourism department's monthly Excel report)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from feeds.base import Feed, FeedBadData, FeedError, FeedOptions, FeedUnavailable
from feeds.http_options import http_url
from feeds.mapping.apply import Mapper
from feeds.mapping.spec import MappingSpec
from feeds.tabular import DEFAULT_FALLBACKS, DropFolder, DroppedFile, TabularOptions, read_tables
from feeds.tabular import download as download_file
from feeds.tabular.drop_folder import DEFAULT_PATTERNS
from feeds.tabular.headers import Table
from store.records import Item, Observation, ObservationBlock, Rejection

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
REASONS_IN_FILE = 20  # rejection reasons written beside a rejected file


class TabularFileOptions(FeedOptions):
    """Exactly one of path, drop_folder or url; how to read the file; the mapping."""

    path: Path | None = None
    drop_folder: Path | None = None
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)  # for url (tokens from ${ENV})
    patterns: tuple[str, ...] = DEFAULT_PATTERNS  # drop folder: file name globs
    stability_s: float = Field(30.0, ge=0, le=86400)  # drop folder: unchanged this long
    max_bytes: int = Field(DEFAULT_MAX_BYTES, ge=1024, le=1024 * 1024 * 1024)
    timeout_s: float = Field(30.0, ge=1, le=600)
    sheets: tuple[str, ...] | None = None  # names, globs or "re:" patterns; None = all
    header_rows: tuple[int, ...] | None = None  # 1-based; None = found
    encoding: str = "auto"
    fallback_encodings: tuple[str, ...] = DEFAULT_FALLBACKS
    delimiter: Literal[";", ",", "\t", "|"] | None = None
    mapping: MappingSpec

    @model_validator(mode="after")
    def _one_source(self) -> TabularFileOptions:
        if sum(v is not None for v in (self.path, self.drop_folder, self.url)) != 1:
            raise ValueError("set exactly one of path, drop_folder or url")
        if self.url is not None:
            http_url(self.url)
        return self

    def reading(self) -> TabularOptions:
        return TabularOptions(
            sheets=self.sheets,
            header_rows=self.header_rows,
            encoding=self.encoding,
            fallback_encodings=self.fallback_encodings,
            delimiter=self.delimiter,
        )


@dataclass
class ReadFile:
    """One file as read: its tables, or why it could not be read; its drop-folder entry."""

    name: str
    tables: list[Table] = field(default_factory=list)
    problem: str | None = None
    dropped: DroppedFile | None = None
    stored: int = 0
    reasons: list[str] = field(default_factory=list)


class TabularFileFeed(Feed):
    """CSV/xlsx reports from a path, a drop folder (each content once) or a URL."""

    type = "tabular_file"
    Options = TabularFileOptions
    options: TabularFileOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._files: list[ReadFile] = []
        self._folder: DropFolder | None = None
        self._last: bytes | None = None

    def fetch(self) -> list[ReadFile]:
        opts = self.options
        if opts.drop_folder is not None:
            return self._from_folder(opts.drop_folder)
        if opts.url is not None:
            got = download_file(
                opts.url, max_bytes=opts.max_bytes, timeout=opts.timeout_s, headers=opts.headers
            )
            return [self._parsed(opts.url.rsplit("/", 1)[-1] or opts.url, got.content, None)]
        assert opts.path is not None
        return [self._parsed(opts.path.name, self._read_path(opts.path), None)]

    def normalize(self, raw: list[ReadFile]) -> Iterator[Item]:
        self._files = raw
        mapper = Mapper(self.options.mapping, self.context, self.feed_id)
        for read in raw:
            if read.problem is not None:
                read.reasons.append(read.problem)
                yield Rejection(read.problem, read.name)
                continue
            for table in read.tables:
                yield from self._table(mapper, table, read)

    def _table(self, mapper: Mapper, table: Table, read: ReadFile) -> Iterator[Item]:
        """One sheet's items; a sheet the mapping cannot read (its period row is missing)
        is one rejection naming it, and the file's other sheets still count."""
        numbers = table.row_numbers
        try:
            result = mapper.map_rows(
                table.records,
                grid=_grid(table),
                label=lambda index: f"{table.source}!{numbers[index]}",
            )
        except FeedError as exc:
            read.reasons.append(f"{table.source}: {exc}")
            yield Rejection(f"{table.source}: {exc}", read.name)
            return
        for item in result.bulk_items() if self.blocks else result.feed_items():
            if isinstance(item, Observation):
                read.stored += 1
            elif isinstance(item, ObservationBlock):
                read.stored += len(item)
            elif isinstance(item, Rejection):
                read.reasons.append(item.reason)
            yield item

    def committed(self) -> None:
        """Move each drop-folder file: to processed/ when it gave data, else to rejected/."""
        if self._folder is None:
            return
        for read in self._files:
            if read.dropped is None:
                continue
            if read.stored:
                self._folder.accept(read.dropped)
            else:
                reasons = read.reasons[:REASONS_IN_FILE] or ["the file holds no data rows"]
                self._folder.reject(read.dropped, "\n".join(reasons))

    def payload(self) -> bytes | None:
        return self._last

    # --- reading ---------------------------------------------------------------------------

    def _from_folder(self, root: Path) -> list[ReadFile]:
        if not root.is_dir():
            raise FeedUnavailable(f"drop folder {root} does not exist or is not a folder")
        opts = self.options
        self._folder = DropFolder(
            root,
            now=self.context.now,
            patterns=opts.patterns,
            stability_seconds=opts.stability_s,
            max_bytes=opts.max_bytes,
        )
        scan = self._folder.scan()
        if scan.waiting:
            log.debug("%s: %d files still changing", self.feed_id, len(scan.waiting))
        return [self._parsed(str(d.relative), d.read(), d) for d in scan.ready]

    def _read_path(self, path: Path) -> bytes:
        try:
            size = path.stat().st_size
            if size > self.options.max_bytes:
                raise FeedBadData(f"{path.name}: {size:,} bytes exceeds {self.options.max_bytes:,}")
            return path.read_bytes()
        except FileNotFoundError:
            raise FeedUnavailable(f"{path} does not exist") from None
        except PermissionError:
            raise FeedUnavailable(f"{path} cannot be read (permission denied)") from None

    def _parsed(self, name: str, data: bytes, dropped: DroppedFile | None) -> ReadFile:
        self._last = data
        try:
            tables, ignored = read_tables(data, source=name, options=self.options.reading())
        except FeedError as exc:
            if dropped is None:
                raise
            return ReadFile(name=name, problem=f"{name}: {exc}", dropped=dropped)
        for note in ignored:
            log.info("%s: %s: %s", self.feed_id, name, note)
        return ReadFile(name=name, tables=tables, dropped=dropped)


def _grid(table: Table) -> list[list[Any]]:
    """The cells above the header block as rows of cells, for document fields."""
    if not table.document:
        return []
    width = max(c.column for c in table.document)
    rows: list[list[Any]] = [[None] * width for _ in range(max(c.row for c in table.document))]
    for cell in table.document:
        rows[cell.row - 1][cell.column - 1] = cell.value
    return rows

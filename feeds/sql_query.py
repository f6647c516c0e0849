"""The sql_query feed: one read-only SELECT against an external database, mapped into
observations (the provincial reporting database, the task follow-up database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from feeds.base import Feed, FeedMisconfigured, FeedOptions
from feeds.mapping.apply import Mapper
from feeds.mapping.spec import MappingSpec
from feeds.sql_source import (
    DEFAULT_ROW_LIMIT,
    DEFAULT_TIMEOUT_SECONDS,
    DIALECTS,
    QueryResult,
    UnsafeQuery,
    check_select,
    run_query,
)
from store.records import Item


class SqlCursor(FeedOptions):
    """An incremental read: `param` is bound to the largest `field` of the last stored run."""

    param: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    field: str = Field(min_length=1)
    initial: str | int | float  # bound on the first run (e.g. "2026-01-01")


class SqlQueryOptions(FeedOptions):
    """Where to read (any SQLAlchemy URL; the password from ${ENV}) and the one SELECT."""

    url: str = Field(min_length=1)
    query: str = Field(min_length=1)
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    cursor: SqlCursor | None = None
    timeout_s: float = Field(DEFAULT_TIMEOUT_SECONDS, ge=1, le=3600)
    row_limit: int = Field(DEFAULT_ROW_LIMIT, ge=1, le=5_000_000)
    mapping: MappingSpec

    @field_validator("url")
    @classmethod
    def _sqlalchemy_url(cls, url: str) -> str:
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise ValueError("not a database URL like postgresql+psycopg://user@host/db") from None
        if backend not in DIALECTS:
            raise ValueError(
                f"supported databases: postgresql, mysql/mariadb, sqlite, not {backend}"
            )
        return url

    @model_validator(mode="after")
    def _one_select(self) -> SqlQueryOptions:
        try:
            check_select(self.query, DIALECTS[make_url(self.url).get_backend_name()])
        except UnsafeQuery as exc:
            raise ValueError(f"query: {exc}") from None
        if self.cursor is not None and f":{self.cursor.param}" not in self.query:
            raise ValueError(f"query: the cursor parameter :{self.cursor.param} is not used")
        return self


class SqlQueryFeed(Feed):
    """Rows of one read-only SELECT on an external PostgreSQL, MySQL/MariaDB or SQLite."""

    type = "sql_query"
    Options = SqlQueryOptions
    options: SqlQueryOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._checkpoint: str | None = self.context.checkpoint

    def fetch(self) -> QueryResult:
        opts = self.options
        params: dict[str, Any] = dict(opts.params)
        if opts.cursor is not None:
            params[opts.cursor.param] = self.context.checkpoint or opts.cursor.initial
        result = run_query(
            opts.url, opts.query, params, timeout_seconds=opts.timeout_s, row_limit=opts.row_limit
        )
        if result.truncated and opts.cursor is None:
            raise FeedMisconfigured(
                f"the query returned more than row_limit ({opts.row_limit:,}) rows; narrow it,"
                " read it incrementally with a cursor, or raise row_limit"
            )
        return result

    def normalize(self, raw: QueryResult) -> Iterator[Item]:
        mapper = Mapper(self.options.mapping, self.context, self.feed_id)
        result = mapper.map_rows(raw.rows, label=lambda index: f"row {index + 1}")
        yield from result.bulk_items() if self.blocks else result.feed_items()
        self._checkpoint = self._newest(raw)

    def checkpoint(self) -> str | None:
        return self._checkpoint if self.options.cursor else None

    def _newest(self, raw: QueryResult) -> str | None:
        cursor = self.options.cursor
        if cursor is None:
            return None
        values = [row.get(cursor.field) for row in raw.rows]
        present = [v for v in values if v is not None]
        if not present:
            return self.context.checkpoint
        try:
            newest = max(present)
        except TypeError:  # mixed types in the cursor column
            raise FeedMisconfigured(
                f"cursor field {cursor.field!r} mixes types; use a column of one type"
            ) from None
        return _as_text(newest)


def _as_text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)

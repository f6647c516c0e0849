"""Options of HTTP sources: the request, authentication, pagination and an incremental cursor."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from feeds.mapping.times import TimeFormat

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES_LIMIT = 10_000


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def http_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// address")
    return url.strip()


class ApiKeyAuth(_Part):
    """An API key in a header (default X-API-Key) or a query parameter."""

    type: Literal["api_key"]
    token: SecretStr = Field(min_length=1)
    header: str | None = "X-API-Key"
    query_param: str | None = None  # e.g. "apikey": sent as ?apikey=… instead of a header

    @model_validator(mode="after")
    def _one_place(self) -> ApiKeyAuth:
        if self.query_param is not None:
            return self.model_copy(update={"header": None})
        if not self.header:
            raise ValueError("set header or query_param")
        return self


class BearerAuth(_Part):
    type: Literal["bearer"]
    token: SecretStr = Field(min_length=1)
    header: str = "Authorization"


class BasicAuth(_Part):
    type: Literal["basic"]
    username: str = Field(min_length=1)
    password: SecretStr


class OAuth2ClientCredentials(_Part):
    """OAuth2 client credentials: a token fetched from `token_url`, cached until it expires
    (less a margin) and fetched again on expiry or when the API refuses it once."""

    type: Literal["oauth2_client_credentials"]
    token_url: str
    client_id: str = Field(min_length=1)
    client_secret: SecretStr = Field(min_length=1)
    scope: str | None = None
    send_as: Literal["basic", "form"] = "basic"  # how the client credentials travel (RFC 6749)
    expiry_margin_s: int = Field(30, ge=0, le=3600)

    _url = field_validator("token_url")(classmethod(lambda cls, url: http_url(url)))


Auth = Annotated[
    ApiKeyAuth | BearerAuth | BasicAuth | OAuth2ClientCredentials, Field(discriminator="type")
]


class Pagination(_Part):
    """How to follow pages, always bounded by `max_pages`.

    - page: `page_param` (from `start`) and `size_param`; stop at `total_pages_path`, when
      `has_next_path` is false, or at a short or empty page;
    - offset: `offset_param`/`limit_param`; stop at `total_path` or a short page;
    - cursor: send the value at `next_cursor_path` as `cursor_param`; stop when it is empty;
    - next_link: follow the URL at `next_path` (relative allowed) or the Link rel="next" header.
    """

    type: Literal["page", "offset", "cursor", "next_link"]
    size: int = Field(100, ge=1, le=100_000)
    max_pages: int = Field(100, ge=1, le=MAX_PAGES_LIMIT)
    page_param: str = "page"
    size_param: str | None = "pageSize"
    start: int = Field(1, ge=0)
    total_pages_path: str | None = None
    has_next_path: str | None = None
    offset_param: str = "offset"
    limit_param: str = "limit"
    total_path: str | None = None
    cursor_param: str = "cursor"
    next_cursor_path: str | None = None
    next_path: str | None = None

    @model_validator(mode="after")
    def _cursor_has_path(self) -> Pagination:
        if self.type == "cursor" and not self.next_cursor_path:
            raise ValueError("cursor pagination needs next_cursor_path")
        return self


class Incremental(_Part):
    """Ask only for what changed since the last stored run: `param` carries the checkpoint,
    the largest `field` (read in `format`) among the records of the last run that stored."""

    param: str = Field(min_length=1)
    field: str = Field(min_length=1)
    format: TimeFormat = "iso8601"
    initial: str | None = None  # sent on the first run; None: the parameter is left out


class HttpRequestOptions(_Part):
    """The request: method, URL, query parameters, headers, body, auth and limits."""

    url: str
    method: Literal["GET", "POST"] = "GET"
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    body: dict[str, Any] | None = None  # POST: sent as JSON
    auth: Auth | None = None
    timeout_s: float = Field(15.0, ge=0.5, le=300)
    verify_tls: bool | str = True  # or the path of a CA bundle (a provincial private CA)
    max_bytes: int = Field(DEFAULT_MAX_BYTES, ge=1024, le=1024 * 1024 * 1024)
    pagination: Pagination | None = None
    incremental: Incremental | None = None

    _url = field_validator("url")(classmethod(lambda cls, url: http_url(url)))

    @model_validator(mode="after")
    def _body_needs_post(self) -> HttpRequestOptions:
        if self.body is not None and self.method != "POST":
            raise ValueError("a body is sent only with method: POST")
        return self

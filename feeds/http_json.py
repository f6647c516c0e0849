"""The http_json feed: GET a JSON document over HTTP(S) and map its records to observations."""

from __future__ import annotations

import json
import logging
import math
import re
import socket
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Self
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from feeds.base import (
    Feed,
    FeedAuthError,
    FeedBadData,
    FeedMisconfigured,
    FeedOptions,
    FeedUnavailable,
    excerpt,
)
from store.catalog import METRICS_BY_KEY, Aggregation
from store.records import Item, Observation, Rejection
from store.scope import LOCAL_TZ

log = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_AUTH_HEADERS = {"bearer": "Authorization", "api_key": "X-API-Key"}
DUPLICATE_REASON = "duplicate of an earlier record in this payload"

_MISSING: Any = object()
_DOTTED_PATH = re.compile(r"[^.\s]+(\.[^.\s]+)*")
_VN_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")


# --- options ---------------------------------------------------------------------------------


def _dotted_path(path: str) -> str:
    if not _DOTTED_PATH.fullmatch(path):
        raise ValueError(f"{path!r} is not a dotted path like 'data.items'")
    return path


def _optional_dotted_path(path: str) -> str:
    return path if path == "" else _dotted_path(path)


DottedPath = Annotated[str, AfterValidator(_dotted_path)]


def metric_problem(key: object) -> str | None:
    """Why `key` cannot be ingested as a stored metric, or None when it can."""
    metric = METRICS_BY_KEY.get(key) if isinstance(key, str) else None
    if metric is None:
        return f"unknown metric {key!r} (not in the metric catalog)"
    if metric.aggregation is Aggregation.RATIO:
        return f"metric {key!r} is computed from its components and cannot be ingested"
    return None


class FieldMap(BaseModel):
    """Where each observation field sits in a record, as dotted paths (or a constant metric)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: DottedPath | None = None
    metric_const: str | None = None
    area: DottedPath
    period_start: DottedPath
    value: DottedPath

    @field_validator("metric_const")
    @classmethod
    def _catalogued(cls, key: str | None) -> str | None:
        problem = None if key is None else metric_problem(key)
        if problem:
            raise ValueError(problem)
        return key

    @model_validator(mode="after")
    def _one_metric_source(self) -> Self:
        if (self.metric is None) == (self.metric_const is None):
            raise ValueError("set exactly one of fields.metric (a path) or fields.metric_const")
        return self


class Auth(BaseModel):
    """Credentials sent as one request header; the token is never shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["bearer", "api_key"]
    header: str = Field(min_length=1)
    token: SecretStr = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _default_header(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("header"):
            default = DEFAULT_AUTH_HEADERS.get(data.get("type", ""))
            if default:
                return {**data, "header": default}
        return data

    def as_headers(self) -> dict[str, str]:
        secret = self.token.get_secret_value()
        return {self.header: f"Bearer {secret}" if self.type == "bearer" else secret}


class HttpJsonOptions(FeedOptions):
    """Options of an http_json feed; errors never echo inputs (they may hold secrets)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    url: str
    records_path: Annotated[str, AfterValidator(_optional_dotted_path)] = ""
    fields: FieldMap
    period_kind: Literal["day", "month", "year"] = "day"
    auth: Auth | None = None
    timeout_s: float = Field(15.0, ge=0.5, le=120)
    verify_tls: bool = True
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an absolute http:// or https:// address")
        return url.strip()


# --- helpers ---------------------------------------------------------------------------------


class _Invalid(ValueError):
    """A record field that cannot be read; the message is the rejection reason."""


def _resolve(document: Any, path: str) -> Any:
    """Follow a dotted path through objects (and list indexes); _MISSING when it leads nowhere."""
    current = document
    for part in path.split(".") if path else ():
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    return "null" if value is None else "number"


def _public_url(url: str) -> str:
    """The URL without credentials, query or fragment: safe to show in errors and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def parse_number(raw: Any) -> float:
    """A finite float from a JSON number or numeric string ("1.5", "99,71", "1.234,5")."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _Invalid(f"value {raw!r} is not a number")
    try:
        number = _number_from_text(raw) if isinstance(raw, str) else float(raw)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _Invalid(f"value {raw!r} is not a finite number")
    return number


def _number_from_text(text: str) -> float:
    cleaned = text.strip()
    if "," not in cleaned:
        try:
            return float(cleaned)
        except ValueError:
            pass
    if _VN_NUMBER.fullmatch(cleaned):
        return float(cleaned.replace(".", "").replace(",", "."))
    raise _Invalid(f"value {text!r} is not a number")


def parse_timestamp(raw: Any) -> datetime:
    """An aware datetime from ISO 8601; date-only and naive values are Asia/Ho_Chi_Minh time."""
    if not isinstance(raw, str):
        raise _Invalid(f"timestamp {raw!r} is not an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise _Invalid(f"timestamp {raw!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _field(record: dict[str, Any], name: str, path: str) -> Any:
    value = _resolve(record, path)
    if value is _MISSING or value is None:
        raise _Invalid(f"missing {name} (path '{path}')")
    return value


def _raw_excerpt(record: Any) -> str:
    return excerpt(json.dumps(record, ensure_ascii=False, default=str))


# --- the feed --------------------------------------------------------------------------------


class HttpJsonFeed(Feed):
    """Observations from a JSON API: one GET, a records path and a field map."""

    type = "http_json"
    Options = HttpJsonOptions
    options: HttpJsonOptions

    # fetch

    def fetch(self) -> list[Any]:
        """GET the URL and return the list of raw records; raise a FeedError on failure."""
        response = self._get()
        self._check_status(response)
        records = self._records(self._parse_json(response))
        log.debug("%s: %d records from %s", self.feed_id, len(records), self._where)
        return records

    @property
    def _where(self) -> str:
        return _public_url(self.options.url)

    def _request_headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", **self.options.headers}
        if self.options.auth:
            headers.update(self.options.auth.as_headers())
        return headers

    def _get(self) -> requests.Response:
        opts = self.options
        try:
            return requests.get(
                opts.url,
                headers=self._request_headers(),
                timeout=opts.timeout_s,
                verify=opts.verify_tls,
                allow_redirects=False,
            )
        except requests.Timeout:
            message = f"timed out after {opts.timeout_s} s waiting for {self._where}"
            raise FeedUnavailable(message) from None
        except requests.exceptions.SSLError:
            message = f"TLS verification failed for {self._where} (see verify_tls)"
            raise FeedMisconfigured(message) from None
        except requests.ConnectionError as exc:
            raise FeedUnavailable(self._connection_problem(exc)) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader) as exc:
            message = f"cannot request {self._where}: {type(exc).__name__}"
            raise FeedMisconfigured(message) from None
        except requests.RequestException as exc:
            message = f"request to {self._where} failed: {type(exc).__name__}"
            raise FeedUnavailable(message) from None

    def _connection_problem(self, exc: BaseException) -> str:
        causes = list(_exception_chain(exc))
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return f"connection refused by {self._where}"
        if any(
            isinstance(c, socket.gaierror) or "NameResolution" in type(c).__name__ for c in causes
        ):
            return f"cannot resolve host '{urlsplit(self.options.url).hostname}'"
        if any(
            isinstance(c, ConnectionResetError) or "Disconnected" in type(c).__name__
            for c in causes
        ):
            return f"connection closed by {self._where} without a response"
        return f"cannot connect to {self._where} ({type(causes[-1]).__name__})"

    def _check_status(self, response: requests.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        message = f"HTTP {status} from {self._where}"
        if status in (401, 403):
            hint = "credentials refused" if self.options.auth else "no credentials configured"
            raise FeedAuthError(f"{message}: {hint}")
        if status == 429 or status >= 500:
            raise FeedUnavailable(message)
        if 300 <= status < 400:
            target = _public_url(urljoin(self.options.url, response.headers.get("Location", "")))
            raise FeedMisconfigured(f"{message}: redirects are not followed (to {target})")
        raise FeedMisconfigured(f"{message}{self._body_hint(response)}")

    def _parse_json(self, response: requests.Response) -> Any:
        if not response.content.strip():
            raise FeedBadData(f"empty response body from {self._where}")
        try:
            return json.loads(response.content)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            hint = self._body_hint(response)
            raise FeedBadData(f"invalid JSON at {where}: {exc.msg}{hint}") from None
        except UnicodeDecodeError:
            raise FeedBadData(f"response body from {self._where} is not UTF-8 text") from None

    def _body_hint(self, response: requests.Response) -> str:
        text = " ".join(response.content[:400].decode("utf-8", "replace").split())
        if self.options.auth:
            text = text.replace(self.options.auth.token.get_secret_value(), "***")
        return f" (body: {excerpt(text, 120)})" if text else ""

    def _records(self, document: Any) -> list[Any]:
        path = self.options.records_path
        found = _resolve(document, path)
        if isinstance(found, list):
            return found
        at = f"'{path}'" if path else "the top level"
        got = "nothing (the path does not exist)" if found is _MISSING else _json_type(found)
        raise FeedBadData(f"expected a list at {at}, got {got}")

    # normalize

    def normalize(self, raw: Iterable[Any]) -> Iterator[Item]:
        """One Observation or Rejection per raw record; later duplicates are rejected."""
        seen: set[tuple[str, str, datetime]] = set()
        for record in raw:
            yield self._item(record, seen)

    def _item(self, record: Any, seen: set[tuple[str, str, datetime]]) -> Item:
        try:
            observation = self._observation(record)
        except _Invalid as exc:
            return Rejection(str(exc), raw=_raw_excerpt(record))
        key = (observation.metric, observation.area, observation.period_start)
        if key in seen:
            return Rejection(DUPLICATE_REASON, raw=_raw_excerpt(record))
        seen.add(key)
        return observation

    def _observation(self, record: Any) -> Observation:
        if not isinstance(record, dict):
            raise _Invalid(f"record is {_json_type(record)}, not an object")
        fields = self.options.fields
        return Observation(
            metric=self._metric(record),
            area=self._area(_field(record, "area", fields.area)),
            period_start=self._period_start(_field(record, "period_start", fields.period_start)),
            value=parse_number(_field(record, "value", fields.value)),
            period_kind=self.options.period_kind,
        )

    def _metric(self, record: dict[str, Any]) -> str:
        fields = self.options.fields
        if fields.metric_const is not None:
            return fields.metric_const
        assert fields.metric is not None  # guaranteed by FieldMap validation
        key = _field(record, "metric", fields.metric)
        problem = metric_problem(key)
        if problem:
            raise _Invalid(problem)
        return str(key)

    def _area(self, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise _Invalid(f"area code {raw!r} is not a string or integer")
        code = str(raw).strip()
        if code not in self.context.areas:
            raise _Invalid(f"unknown area code '{code}'")
        return code

    def _period_start(self, raw: Any) -> datetime:
        moment = parse_timestamp(raw)
        now = self.context.now()
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        if moment > now + FUTURE_TOLERANCE:
            raise _Invalid(f"timestamp {moment.isoformat()} is in the future")
        return moment.astimezone(UTC)


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

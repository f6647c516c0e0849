"""The http_json feed against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from feeds.base import (
    FeedAuthError,
    FeedBadData,
    FeedContext,
    FeedError,
    FeedMisconfigured,
    FeedUnavailable,
)
from feeds.http_json import HttpJsonFeed, HttpJsonOptions
from geo.hierarchy import load_admin_units
from store.records import Item, Observation, Rejection
from tests.fixtures import payload_bytes
from tests.fixtures.http_server import Route, free_port, serve

pytestmark = pytest.mark.integration

ICT = timezone(timedelta(hours=7))
FIXED_NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ICT)
CONTEXT = FeedContext(areas={u.code: u for u in load_admin_units()}, now=lambda: FIXED_NOW)
TOKEN = "s3cr3t-token-value"

FLAT_MAPPING = {
    "records": "",
    "area": {"code": "area"},
    "period": {"field": "ts", "format": "iso8601"},
    "observations": [{"metric_field": "metric", "field": "value"}],
}
NESTED_MAPPING = {
    "records": "data.items",
    "area": {"code": "dia_ban.ma"},
    "period": {"field": "ngay", "format": "iso8601"},
    "observations": [{"metric_field": "chi_tieu", "field": "gia_tri"}],
}
ONE_RECORD = b'[{"metric": "tourism.visitors", "area": "94", "ts": "2026-11-19", "value": 5}]'


def make_feed(url: str, **options: Any) -> HttpJsonFeed:
    """A feed built the way the settings loader does: from a plain options mapping."""
    raw = {"url": url, "mapping": FLAT_MAPPING, **options}
    return HttpJsonFeed("test_http", HttpJsonFeed.Options.model_validate(raw), CONTEXT)


def run(feed: HttpJsonFeed) -> list[Item]:
    return list(feed.normalize(feed.fetch()))


def local_day(day: int) -> datetime:
    """The UTC start of a local (UTC+7) November 2026 day."""
    return datetime(2026, 11, day, tzinfo=ICT).astimezone(UTC)


# --- good data -------------------------------------------------------------------------------


def test_nested_payload_becomes_observations() -> None:
    with serve({"/api/chi-tieu": Route(200, payload_bytes("good_nested.json"))}) as server:
        feed = make_feed(server.url("/api/chi-tieu"), mapping=NESTED_MAPPING)
        items = run(feed)
    start = local_day(19)
    assert items == [
        Observation("tourism.visitors", "94", start, 1250.0),
        Observation("tourism.revenue", "941", start, 1234500.0),
        Observation("environment.salinity_max", "31498", start, 2.75),
        Observation("public_services.received", "942", start, 87.0),
        Observation("environment.rainfall", "94", start, 12.5),
    ]
    assert all(o.period_start.tzinfo is UTC for o in items if isinstance(o, Observation))


def test_metric_const_and_period_kind() -> None:
    body = b'{"rows": [{"ma": 943, "thang": "2026-10-01", "so": "2.345.678"}]}'
    mapping = {
        "records": "rows",
        "area": {"code": "ma"},
        "period": {"field": "thang", "format": "yyyy-mm-dd", "kind": "month"},
        "observations": [{"metric": "tourism.visitors", "field": "so"}],
    }
    with serve({"/monthly": Route(200, body)}) as server:
        feed = make_feed(server.url("/monthly"), mapping=mapping)
        items = run(feed)
    october = datetime(2026, 10, 1, tzinfo=ICT).astimezone(UTC)
    assert items == [Observation("tourism.visitors", "943", october, 2345678.0, "month")]


# --- authentication headers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auth", "header", "expected"),
    [
        ({"type": "bearer", "token": TOKEN}, "authorization", f"Bearer {TOKEN}"),
        ({"type": "api_key", "token": TOKEN}, "x-api-key", TOKEN),
        ({"type": "api_key", "header": "X-Token", "token": TOKEN}, "x-token", TOKEN),
    ],
)
def test_auth_header_is_sent(auth: dict[str, str], header: str, expected: str) -> None:
    with serve({"/data": Route(200, ONE_RECORD)}) as server:
        make_feed(server.url("/data"), auth=auth, headers={"X-Client": "ioc"}).fetch()
        received = server.last_headers("/data")
    assert received[header] == expected
    assert received["x-client"] == "ioc"


def test_no_credentials_without_auth() -> None:
    with serve({"/data": Route(200, ONE_RECORD)}) as server:
        make_feed(server.url("/data")).fetch()
        received = server.last_headers("/data")
    assert "authorization" not in received
    assert "x-api-key" not in received
    assert TOKEN not in str(dict(received))


# --- HTTP failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, FeedUnavailable),
        (503, FeedUnavailable),
        (429, FeedUnavailable),
        (401, FeedAuthError),
        (403, FeedAuthError),
        (404, FeedMisconfigured),
        (400, FeedMisconfigured),
        (302, FeedMisconfigured),
    ],
)
def test_http_status_maps_to_error_kind(status: int, error: type[FeedError]) -> None:
    route = Route(status, b'{"error": "nope"}', headers={"Location": "/elsewhere?k=1"})
    with serve({"/x": route}) as server:
        feed = make_feed(server.url("/x"))
        with pytest.raises(error) as caught:
            feed.fetch()
    assert f"HTTP {status} from {server.url('/x')}" in str(caught.value)
    assert type(caught.value) is error


def test_unrouted_path_is_misconfigured() -> None:
    with serve({}) as server, pytest.raises(FeedMisconfigured, match="HTTP 404"):
        make_feed(server.url("/missing")).fetch()


def test_timeout_is_unavailable() -> None:
    with serve({"/slow": Route(200, ONE_RECORD, delay=3)}) as server:
        feed = make_feed(server.url("/slow"), timeout_s=0.5)
        started = time.monotonic()
        with pytest.raises(FeedUnavailable, match=r"timed out after 0\.5 s"):
            feed.fetch()
    assert time.monotonic() - started < 2.5


def test_connection_refused_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/data"
    with pytest.raises(FeedUnavailable, match="connection refused") as caught:
        make_feed(url, timeout_s=2).fetch()
    assert caught.value.transient


def test_dropped_connection_is_unavailable() -> None:
    with serve({"/drop": Route(drop=True)}) as server, pytest.raises(FeedUnavailable):
        make_feed(server.url("/drop"), timeout_s=2).fetch()


def test_secrets_stay_out_of_errors() -> None:
    body = f'{{"error": "token {TOKEN} rejected"}}'
    routes = {
        "/auth": Route(401, body),
        "/bad": Route(400, body),
        "/html": Route(200, f"<p>{TOKEN}</p>"),
    }
    auth = {"type": "bearer", "token": TOKEN}
    with serve(routes) as server:
        messages = []
        for path in routes:
            feed = make_feed(server.url(path) + f"?key={TOKEN}", auth=auth)
            with pytest.raises(FeedError) as caught:
                feed.fetch()
            messages.append(str(caught.value))
    assert all(TOKEN not in m for m in messages), messages


# --- bad payloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"data": [1, 2,', r"invalid JSON from .* at line 1 column 16: Expecting value"),
        (b'{"a": 1}\n{"b": 2}', r"invalid JSON from .* at line 2 column 1: Extra data"),
        (b"", r"empty response body"),
        (b"[" * 100_000 + b"]" * 100_000, r"nested too deeply"),
    ],
    ids=["cut", "two-documents", "empty", "deeply-nested"],
)
def test_invalid_json_is_bad_data(body: bytes, expected: str) -> None:
    with serve({"/bad": Route(200, body)}) as server, pytest.raises(FeedBadData, match=expected):
        make_feed(server.url("/bad")).fetch()


@pytest.mark.parametrize(
    "body",
    [
        "<!DOCTYPE html><html><body>Đăng nhập hệ thống</body></html>",
        "\ufeff  <html><head><title>Phiên làm việc đã hết hạn</title></head></html>",
    ],
)
def test_an_html_page_with_status_200_is_reported_as_an_expired_login(body: str) -> None:
    route = Route(200, body.encode(), content_type="text/html; charset=utf-8")
    with serve({"/data": route}) as server, pytest.raises(FeedAuthError) as caught:
        make_feed(server.url("/data")).fetch()
    assert "HTML page with status 200" in str(caught.value)
    assert "login page" in str(caught.value)


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ("data.items", "expected a list of records at 'data.items' of page 1 .* got dict"),
        ("data.rows", "expected a list of records at 'data.rows' of page 1 .* got nothing"),
        ("data.items.count", "at 'data.items.count' of page 1 .* got int"),
        ("", "at the top level of page 1 .* got dict"),
    ],
)
def test_wrong_shape_is_bad_data(records: str, expected: str) -> None:
    with serve({"/shape": Route(200, payload_bytes("wrong_shape.json"))}) as server:
        feed = make_feed(server.url("/shape"), mapping={**FLAT_MAPPING, "records": records})
        with pytest.raises(FeedBadData, match=expected):
            feed.fetch()


def test_mixed_batch_keeps_good_records_and_rejects_bad_ones() -> None:
    with serve({"/batch": Route(200, payload_bytes("mixed_batch.json"))}) as server:
        items = run(make_feed(server.url("/batch")))
    observations = [i for i in items if isinstance(i, Observation)]
    assert observations == [
        Observation("health.outpatient_visits", "941", local_day(19), 310.0),
        Observation("health.disease_cases", "94", local_day(19), 3.0),
        Observation("health.outpatient_visits", "943", local_day(20), 7.0),
    ]
    rejected = [i for i in items if isinstance(i, Rejection)]
    reasons = [r.reason for r in rejected]
    assert len(reasons) == 10
    for expected in (
        "record 2: unknown area code '99999'",
        "record 3: health.outpatient_visits (field 'value'): field 'value': value 'abc' is not",
        "record 4: period: field 'ts' is missing",
        "record 5: period starts in the future",
        "record 7: metric 'health.digital_id_rate' is a ratio",
        "record 8: unknown metric 'health.nope'",
        "record 9: health.outpatient_visits (field 'value'): field 'value': value 'NaN' is not",
        "record 10: time '20/11/2026' is not an ISO 8601 date",
        "record 11: record is not an object",
        "record 12: health.outpatient_visits: duplicate of an earlier record",
    ):
        assert any(r.startswith(expected) for r in reasons), (expected, reasons)
    assert '"99999"' in rejected[0].raw
    assert rejected[8].raw == "42"


# --- options validation ----------------------------------------------------------------------

VALID_OPTIONS: dict[str, Any] = {"url": "https://ioc.example.vn/api", "mapping": FLAT_MAPPING}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": None}, "url"),
        ({"url": "ftp://ioc.example.vn/x"}, "absolute http:// or https://"),
        ({"mapping": None}, "mapping"),
        (
            {
                "mapping": {
                    **FLAT_MAPPING,
                    "observations": [{"metric": "tourism.nope", "field": "v"}],
                }
            },
            "unknown metric 'tourism.nope'",
        ),
        ({"polling": 5}, "Extra inputs are not permitted"),
        ({"auth": {"type": "digest", "token": TOKEN}}, "auth"),
        ({"auth": {"type": "bearer", "token": TOKEN, "user": "x"}}, "auth.bearer.user"),
        ({"auth": {"type": "oauth2_client_credentials", "client_id": "x"}}, "token_url"),
        ({"timeout_s": 0.1}, "timeout_s"),
        ({"body": {"a": 1}}, "only with method: POST"),
        ({"pagination": {"type": "cursor"}}, "next_cursor_path"),
        ({"pagination": {"type": "page", "max_pages": 100_000}}, "max_pages"),
        ({"max_bytes": 10}, "max_bytes"),
    ],
)
def test_invalid_options_are_rejected(change: dict[str, Any], message: str) -> None:
    raw = {k: v for k, v in {**VALID_OPTIONS, **change}.items() if v is not None}
    with pytest.raises(ValidationError, match=message) as caught:
        HttpJsonOptions.model_validate(raw)
    assert TOKEN not in str(caught.value)


def test_valid_options_defaults() -> None:
    options = HttpJsonOptions.model_validate(
        {**VALID_OPTIONS, "auth": {"type": "bearer", "token": TOKEN}}
    )
    assert options.method == "GET"
    assert options.max_bytes == 20 * 1024 * 1024
    assert options.timeout_s == 15.0
    assert options.verify_tls is True
    assert options.auth is not None and options.auth.type == "bearer"
    assert TOKEN not in repr(options)

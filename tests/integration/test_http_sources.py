"""http_json against real loopback servers: pages, OAuth2, TLS, size limits, LGSP envelopes,
Retry-After, an incremental cursor, and runs through the runner into SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from feeds.base import FeedAuthError, FeedBadData, FeedContext, FeedMisconfigured, FeedUnavailable
from feeds.http_client import TokenCache
from feeds.http_json import HttpJsonFeed
from feeds.runner import FeedRunner
from geo.hierarchy import load_admin_units
from settings import FeedConfig
from store import Store
from store.models import ObservationRow, RejectedRecordRow
from store.records import Observation, Rejection
from tests.conftest import Clock
from tests.fixtures.http_server import ReceivedRequest, Route, serve
from tests.fixtures.tls import make_ca

pytestmark = pytest.mark.integration

ICT = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ICT)
CONTEXT = FeedContext(areas={u.code: u for u in load_admin_units()}, now=lambda: NOW)
SECRET = "cl1ent-s3cret-value"
DISTRICTS = ["941", "942", "943", "944", "945", "946", "947", "948", "949", "950", "951"]
MAPPING: dict[str, Any] = {
    "records": "items",
    "area": {"code": "ma"},
    "period": {"field": "ngay", "format": "dd/mm/yyyy"},
    "observations": [{"metric": "tourism.visitors", "field": "khach"}],
}
FIXTURES = Path(__file__).parents[1] / "fixtures" / "payloads" / "mapping"


def rows(count: int, day: int = 19) -> list[dict[str, Any]]:
    """`count` records, distinct by (area, day), as a one-stop statistics API lists them."""
    return [
        {
            "ma": DISTRICTS[i % 11],
            "ngay": f"{day - i // 11:02d}/11/2026",
            "khach": f"{1000 + i:,}".replace(",", "."),
        }
        for i in range(count)
    ]


def feed(url: str, **options: Any) -> HttpJsonFeed:
    raw = {"url": url, "mapping": MAPPING, "timeout_s": 3, **options}
    return HttpJsonFeed("dvc", HttpJsonFeed.Options.model_validate(raw), CONTEXT)


def observations(f: HttpJsonFeed) -> list[Observation]:
    return [i for i in f.normalize(f.fetch()) if isinstance(i, Observation)]


# --- pagination ------------------------------------------------------------------------------

ALL = rows(23)


def page_numbers(request: ReceivedRequest) -> Route:
    page, size = int(request.query["page"]), int(request.query["pageSize"])
    chunk = ALL[(page - 1) * size : page * size]
    return Route.json({"items": chunk, "totalPages": 3, "page": page})


def offsets(request: ReceivedRequest) -> Route:
    offset, limit = int(request.query["offset"]), int(request.query["limit"])
    return Route.json({"items": ALL[offset : offset + limit], "total": len(ALL)})


def cursors(request: ReceivedRequest) -> Route:
    start = int(request.query.get("cursor", "0"))
    nxt = start + 10 if start + 10 < len(ALL) else None
    return Route.json({"items": ALL[start : start + 10], "next": nxt and str(nxt)})


def links(request: ReceivedRequest) -> Route:
    start = int(request.query.get("from", "0"))
    nxt = f"/links?from={start + 10}" if start + 10 < len(ALL) else None
    return Route.json({"items": ALL[start : start + 10], "links": {"next": nxt}})


@pytest.mark.parametrize(
    ("path", "handler", "pagination"),
    [
        ("/pages", page_numbers, {"type": "page", "size": 10, "total_pages_path": "totalPages"}),
        ("/offsets", offsets, {"type": "offset", "size": 10, "total_path": "total"}),
        ("/cursors", cursors, {"type": "cursor", "next_cursor_path": "next"}),
        ("/links", links, {"type": "next_link", "next_path": "links.next"}),
    ],
    ids=["page-number", "offset-limit", "cursor", "next-link"],
)
def test_every_kind_of_pagination_reads_every_record_once(
    path: str, handler: Any, pagination: dict[str, Any]
) -> None:
    with serve({path: handler}) as server:
        got = observations(feed(server.url(path), pagination=pagination))
        assert len(server.requests_to(path)) == 3
    assert len(got) == 23
    assert sorted(o.value for o in got) == [1000 + i for i in range(23)]


def test_a_short_page_ends_paging_without_a_total() -> None:
    def short(request: ReceivedRequest) -> Route:
        page = int(request.query["page"])
        return Route.json({"items": ALL[(page - 1) * 10 : page * 10]})

    with serve({"/p": short}) as server:
        got = observations(feed(server.url("/p"), pagination={"type": "page", "size": 10}))
        assert len(server.requests_to("/p")) == 3  # 10, 10, then 3 < 10
    assert len(got) == 23


def test_paging_is_bounded_and_a_loop_is_caught() -> None:
    endless = Route.json({"items": rows(1), "hasNext": True})
    looping = Route.json({"items": rows(1), "next": "abc"})
    with serve({"/endless": endless, "/loop": looping}) as server:
        spec = {"type": "page", "size": 1, "has_next_path": "hasNext", "max_pages": 5}
        with pytest.raises(FeedBadData, match="more than 5 pages"):
            feed(server.url("/endless"), pagination=spec).fetch()
        assert len(server.requests_to("/endless")) == 5
        with pytest.raises(FeedBadData, match="pagination loops"):
            cursor = {"type": "cursor", "next_cursor_path": "next"}
            feed(server.url("/loop"), pagination=cursor).fetch()


# --- authentication --------------------------------------------------------------------------


def oauth_routes(issued: list[str], lifetime: int = 3600) -> dict[str, Any]:
    def token(request: ReceivedRequest) -> Route:
        if request.headers.get("authorization") != _basic("ioc", SECRET):
            return Route.json({"error": "invalid_client"}, status=401)
        issued.append(f"tok-{len(issued) + 1}")
        return Route.json({"access_token": issued[-1], "expires_in": lifetime})

    def data(request: ReceivedRequest) -> Route:
        if request.headers.get("authorization") != f"Bearer {issued[-1] if issued else ''}":
            return Route.json({"error": "invalid_token"}, status=401)
        return Route.json({"items": rows(2)})

    return {"/oauth/token": token, "/api": data}


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def oauth(server: Any, secret: str = SECRET) -> dict[str, Any]:
    return {
        "type": "oauth2_client_credentials",
        "token_url": server.url("/oauth/token"),
        "client_id": "ioc",
        "client_secret": secret,
        "scope": "thongke",
    }


def test_oauth2_token_is_fetched_once_cached_and_refreshed(monkeypatch: Any) -> None:
    ticks = [0.0]
    tokens = TokenCache(clock=lambda: ticks[0])
    monkeypatch.setattr("feeds.http_client.TOKENS", tokens)
    issued: list[str] = []
    with serve(oauth_routes(issued, lifetime=120)) as server:
        for _ in range(3):  # three runs within the token's life: one token
            assert len(observations(feed(server.url("/api"), auth=oauth(server)))) == 2
        assert len(server.requests_to("/oauth/token")) == 1
        token_request = server.requests_to("/oauth/token")[0]
        assert b"grant_type=client_credentials" in token_request.body
        assert b"scope=thongke" in token_request.body
        ticks[0] = 100.0  # past expires_in minus the 30 s margin
        observations(feed(server.url("/api"), auth=oauth(server)))
        assert len(server.requests_to("/oauth/token")) == 2
        issued.append("revoked-by-the-server")  # the cached token stops working early
        observations(feed(server.url("/api"), auth=oauth(server)))
        assert len(server.requests_to("/oauth/token")) == 3


def test_oauth2_refused_credentials_are_an_auth_error_without_the_secret() -> None:
    with serve(oauth_routes([])) as server:
        f = feed(server.url("/api"), auth=oauth(server, secret="wrong-secret-1"))
        with pytest.raises(FeedAuthError, match="refused the client credentials") as caught:
            f.fetch()
        assert len(server.requests_to("/api")) == 0
    assert "wrong-secret-1" not in str(caught.value)


@pytest.mark.parametrize(
    ("auth", "check"),
    [
        ({"type": "basic", "username": "ioc", "password": "p@ss"}, "basic"),
        ({"type": "api_key", "token": "k3y-123", "query_param": "apikey"}, "query"),
        ({"type": "bearer", "token": "t0ken-123"}, "bearer"),
    ],
)
def test_basic_query_key_and_bearer_auth(auth: dict[str, Any], check: str) -> None:
    with serve({"/api": Route.json({"items": rows(1)})}) as server:
        feed(server.url("/api"), auth=auth, params={"nam": 2026}).fetch()
        request = server.requests_to("/api")[0]
    assert request.query["nam"] == "2026"
    if check == "basic":
        assert request.headers["authorization"] == _basic("ioc", "p@ss")
    elif check == "query":
        assert request.query["apikey"] == "k3y-123" and "x-api-key" not in request.headers
    else:
        assert request.headers["authorization"] == "Bearer t0ken-123"


def test_post_sends_its_json_body() -> None:
    with serve({"/search": Route.json({"items": rows(2)})}) as server:
        f = feed(server.url("/search"), method="POST", body={"tuNgay": "01/11/2026"})
        assert len(observations(f)) == 2
        request = server.requests_to("/search")[0]
    assert request.method == "POST" and json.loads(request.body) == {"tuNgay": "01/11/2026"}


# --- TLS, size, truncation, envelopes --------------------------------------------------------


def test_tls_with_the_province_ca_and_without_it(tmp_path: Path) -> None:
    ca = make_ca(tmp_path)
    with serve({"/api": Route.json({"items": rows(1)})}, tls=ca.server) as server:
        assert server.base_url.startswith("https://")
        assert len(observations(feed(server.url("/api"), verify_tls=str(ca.ca_file)))) == 1
        with pytest.raises(FeedMisconfigured, match="TLS verification failed"):
            feed(server.url("/api")).fetch()


def test_an_oversized_body_is_refused_while_streaming() -> None:
    big = b'{"items": [' + b'{"ma": "941"},' * 200_000 + b"{}]}"
    with serve(
        {"/declared": Route(200, big), "/streamed": Route(200, big, send_length=False)}
    ) as server:
        with pytest.raises(FeedBadData, match=r"of 2,.* bytes exceeds 1,048,576"):
            feed(server.url("/declared"), max_bytes=1024 * 1024).fetch()
        with pytest.raises(FeedBadData, match="exceeds 1,048,576 bytes \\(refused\\)"):
            feed(server.url("/streamed"), max_bytes=1024 * 1024).fetch()


def test_a_truncated_body_is_unavailable_not_bad_data() -> None:
    body = json.dumps({"items": rows(50)}).encode()
    route = Route(200, body, cut_at=len(body) // 2)
    with serve({"/cut": route}) as server, pytest.raises(FeedUnavailable, match="cut off"):
        feed(server.url("/cut")).fetch()


def test_a_slow_body_is_cut_at_the_timeout() -> None:
    with serve({"/slow": Route(200, b'{"items": []}', delay=5)}) as server:
        started = time.monotonic()
        with pytest.raises(FeedUnavailable, match="timed out"):
            feed(server.url("/slow"), timeout_s=0.5).fetch()
    assert time.monotonic() - started < 3


def test_an_lgsp_envelope_holding_json_text() -> None:
    body = (FIXTURES / "lgsp_envelope.json").read_bytes()
    mapping = {
        "records": "data.items",
        "locale": "strict",
        "document": {"ky": {"path": "data.meta.kyBaoCao"}},
        "area": {"code": "Mã huyện"},
        "period": {"field": "ky", "format": "date_range"},
        "dimension": {
            "field": "Mã ĐV",
            "map": {"000.00.01.H60": "so_tp", "000.00.15.H60": "so_yt"},
        },
        "observations": [{"metric": "public_services.received", "field": "Tiếp nhận"}],
        "checks": [{"total": "Tiếp nhận", "parts": ["Trực tuyến", "Trực tiếp"], "tolerance": 0.5}],
    }
    with serve({"/lgsp": Route(200, body)}) as server:
        f = feed(server.url("/lgsp"), mapping=mapping)
        items = list(f.normalize(f.fetch()))
    stored = [i for i in items if isinstance(i, Observation)]
    assert {(o.area, o.dim, o.value, o.period_kind) for o in stored} == {
        ("941", "so_tp", 1234.0, "month"),
        ("942", "so_yt", 100.0, "month"),
    }
    warnings = [i for i in items if type(i).__name__ == "DataWarning"]
    assert (
        len(warnings) == 1 and "Tiếp nhận 100 ≠ Trực tuyến 60 + Trực tiếp 30" in warnings[0].reason
    )
    assert sum(isinstance(i, Rejection) for i in items) == 2


# --- through the runner ----------------------------------------------------------------------


def config(url: str, feed_id: str = "dvc", **options: Any) -> FeedConfig:
    return FeedConfig.model_validate(
        {
            "id": feed_id,
            "type": "http_json",
            "interval": 60,
            "timeout": 10,
            "retries": 2,
            "options": {"url": url, "mapping": MAPPING, "timeout_s": 2, **options},
        }
    )


def stored(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        table = ObservationRow.__table__
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]


@pytest.fixture
def slept() -> Iterator[list[float]]:
    yield []


def test_retry_after_is_honoured(store: Store, clock: Clock, slept: list[float]) -> None:
    busy = Route(429, b'{"error": "busy"}', headers={"Retry-After": "7"})
    with serve({"/api": [busy, Route.json({"items": rows(3)})]}) as server:
        runner = FeedRunner(store, [config(server.url("/api"))], clock=clock, sleep=slept.append)
        report = runner.run("dvc")
    assert report.status == "ok" and report.accepted == 3
    assert slept == [7.0]


def test_auth_failures_are_not_retried_and_the_secret_is_not_stored(
    store: Store, clock: Clock, slept: list[float]
) -> None:
    body = f'{{"error": "bad token {SECRET}"}}'
    with serve({"/api": Route(401, body)}) as server:
        auth = {"type": "bearer", "token": SECRET}
        runner = FeedRunner(
            store, [config(server.url("/api"), auth=auth)], clock=clock, sleep=slept.append
        )
        report = runner.run("dvc")
        assert len(server.requests_to("/api")) == 1
    assert (report.status, report.error_kind, slept) == ("failed", "auth", [])
    kept = store.queries.kept_payloads("dvc")
    assert len(kept) == 1 and "bad token ***" in kept[0][4]
    assert all(SECRET not in str(row) for row in kept)


def test_incremental_cursor_moves_only_after_rows_are_stored(store: Store, clock: Clock) -> None:
    sent: list[str | None] = []
    answers = iter(
        [
            Route.json(
                {
                    "items": [
                        {**r, "cn": f"2026-11-19T0{i}:00:00+07:00"} for i, r in enumerate(rows(3))
                    ]
                }
            ),
            Route(500, b"down"),
            Route.json({"items": []}),
        ]
    )

    def api(request: ReceivedRequest) -> Route:
        sent.append(request.query.get("since"))
        return next(answers)

    incremental = {"param": "since", "field": "cn", "initial": "2026-11-01T00:00:00+07:00"}
    with serve({"/api": api}) as server:
        cfg = config(server.url("/api"), incremental=incremental)
        runner = FeedRunner(store, [cfg], clock=clock, sleep=lambda _: None)
        assert runner.run("dvc").status == "ok"
        once = cfg.model_copy(update={"retries": 0})
        failed = FeedRunner(store, [once], clock=clock, sleep=lambda _: None)
        assert failed.run("dvc").status == "failed"
        assert runner.run("dvc").status == "ok"
    assert sent == [
        "2026-11-01T00:00:00+07:00",
        "2026-11-19T02:00:00+07:00",
        "2026-11-19T02:00:00+07:00",
    ]
    health = {h.id: h for h in store.queries.feed_health()}["dvc"]
    assert health.checkpoint == "2026-11-19T02:00:00+07:00"


def test_a_run_of_only_rejected_records_fails_as_bad_data(store: Store, clock: Clock) -> None:
    bad = [{"ma": "99999", "ngay": "19/11/2026", "khach": "5"}, {"ma": "941", "ngay": "x"}]
    with serve({"/api": Route.json({"items": bad})}) as server:
        report = FeedRunner(store, [config(server.url("/api"))], clock=clock).run("dvc")
    assert (report.status, report.error_kind, report.rejected) == ("failed", "bad_data", 2)
    assert report.error_text and report.error_text.startswith("nothing stored: 2 records rejected")
    health = {h.id: h for h in store.queries.feed_health()}["dvc"]
    assert health.last_success_at is None
    last = store.queries.last_runs()["dvc"]
    assert last.rejected_share == 1.0
    assert store.queries.kept_payloads("dvc")  # the payload is kept for inspection


def test_every_run_twice_changes_nothing(store: Store, clock: Clock) -> None:
    with serve({"/api": Route.json({"items": rows(40)})}) as server:
        runner = FeedRunner(store, [config(server.url("/api"))], clock=clock)
        first = runner.run("dvc")
        before = stored(store)
        second = runner.run("dvc")
    assert (first.accepted, first.changed) == (40, 40)
    assert (second.accepted, second.changed) == (40, 0)
    assert stored(store) == before


def test_two_feeds_on_one_key_the_second_is_rejected_naming_the_owner(
    store: Store, clock: Clock
) -> None:
    route = Route.json({"items": rows(2)})
    more = Route.json({"items": [{**r, "khach": "7"} for r in rows(2)]})
    with serve({"/a": route, "/b": more}) as server:
        configs = [
            config(server.url("/a"), "so_du_lich"),
            config(server.url("/b"), "cong_dvc"),
        ]
        runner = FeedRunner(store, configs, clock=clock)
        assert runner.run("so_du_lich").status == "ok"
        second = runner.run("cong_dvc")
        assert (second.status, second.accepted, second.rejected) == ("failed", 0, 2)
        with store.engine.connect() as conn:
            reasons = conn.execute(select(RejectedRecordRow.reason)).scalars().all()
        assert all("already stored by feed 'so_du_lich'" in r for r in reasons)
        assert {r[5] for r in stored(store)} == {1000.0, 1001.0}
        # a configured priority takes the key over
        ranked = [configs[0], configs[1].model_copy(update={"priority": 50})]
        assert FeedRunner(store, ranked, clock=clock).run("cong_dvc").status == "ok"
    with store.engine.connect() as conn:
        owners = conn.execute(select(ObservationRow.feed_id, func.count()).group_by("feed_id"))
        assert dict(owners.all()) == {"cong_dvc": 2}
    assert {r[5] for r in stored(store)} == {7.0}


def test_a_real_feed_outranks_the_simulator(store: Store, clock: Clock) -> None:
    simulator = FeedConfig.model_validate(
        {
            "id": "simulator",
            "type": "simulator",
            "interval": 60,
            "timeout": 120,
            "options": {"backfill_days": 1},
        }
    )
    day = NOW.astimezone(UTC).day
    with serve({"/api": Route.json({"items": rows(2, day=day - 1)})}) as server:
        runner = FeedRunner(store, [simulator, config(server.url("/api"))], clock=clock)
        assert runner.run("simulator").status == "ok"
        report = runner.run("dvc")
        assert (report.status, report.rejected) == ("ok", 0)
        again = runner.run("simulator")
    assert again.rejected == 2  # the simulator gives way to the real source
    with store.engine.connect() as conn:
        owner = conn.execute(
            select(ObservationRow.feed_id).where(
                ObservationRow.area_code == "941", ObservationRow.value == 1000.0
            )
        ).scalar_one()
    assert owner == "dvc"


def test_a_run_timeout_stops_the_paging_thread_too(store: Store, clock: Clock) -> None:
    slow_page = Route.json({"items": rows(1), "hasNext": True}, delay=0.4)
    with serve({"/slow": slow_page}) as server:
        pagination = {"type": "page", "size": 1, "has_next_path": "hasNext", "max_pages": 1000}
        cfg = config(server.url("/slow"), pagination=pagination).model_copy(
            update={"timeout": 1, "retries": 0}
        )
        report = FeedRunner(store, [cfg], clock=clock).run("dvc")
        assert (report.status, report.error_kind) == ("failed", "unavailable")
        asked = len(server.requests_to("/slow"))
        time.sleep(1.5)  # an abandoned fetch thread would keep asking for pages
        assert len(server.requests_to("/slow")) <= asked + 1
    assert asked <= 4

"""Wall display sessions over HTTP on SQLite and PostgreSQL: a display token is traded once for
a session that may show only its playlist's wall, and revocation or expiry ends it within one
wall refresh interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dash import Dash

from access.tokens import issue
from access.web.sessions import STATE_KEY
from dashboards import create_app, payloads
from dashboards.specs import PAGES_BY_DOMAIN
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from tests.conftest import Clock
from tests.fixtures.auth import TEST_ORIGIN

pytestmark = pytest.mark.integration
CALLBACK = "/_dash-update-component"
REFRESH_S = 10


class Ticker:
    """The token cache's age clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(store: Store, tmp_path: Path) -> Dash:
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\ngeography:\n  directory: null\n"
        f"wall:\n  refresh_interval: {REFRESH_S}\n"
        "  playlists:\n    default: {pages: [{page: overview}]}\n"
        "    lobby: {pages: [{page: overview}]}\n",
        encoding="utf-8",
    )
    return create_app(load_settings(config, env={}), store, clock=Clock())


@pytest.fixture
def ticker(app: Dash) -> Ticker:
    ticker = Ticker()
    app.server.extensions[STATE_KEY].tokens.ticker = ticker
    return ticker


def _token(store: Store, playlist: str = "default", area: str | None = None, **kw: Any) -> Any:
    now = kw.pop("now", datetime.now(UTC))
    return issue(
        Accounts(store.engine),
        playlist=playlist,
        area_code=area,
        created_by="tests",
        now=now,
        lifetime=kw.pop("lifetime", None),
    )


def _screen(app: Dash, secret: str, path: str = "/wall/default") -> Any:
    client = app.server.test_client()
    client.environ_base["HTTP_ORIGIN"] = TEST_ORIGIN
    response = client.get(f"{path}?token={secret}&area=941")
    return client, response


def _refresh(client: Any, playlist: str = "default") -> Any:
    spec = {"playlist": playlist, "screen": 1, "area": "94", "lang": "vi"}
    return client.post(CALLBACK, json=payloads.wall_refresh(spec, [0], []))


def _actions(store: Store, action: str) -> list[Any]:
    return list(Accounts(store.engine).audit_entries(AuditFilter(action=action)).entries)


def test_a_token_becomes_a_session_and_leaves_the_url(app: Dash, store: Store) -> None:
    issued = _token(store)
    client, response = _screen(app, issued.secret)
    assert response.status_code == 303
    assert response.headers["Location"] == "/wall/default?area=941"  # the token is gone
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie  # outlives a browser restart
    assert client.get("/wall/default").status_code == 200
    assert client.post(CALLBACK, json=payloads.router("/wall/default")).status_code == 200
    assert _refresh(client).status_code == 200
    assert "signout" not in client.get("/_dash-layout").get_data(as_text=True)
    exchanged = _actions(store, "token.exchange")
    assert [(e.outcome, e.target) for e in exchanged] == [("success", f"token {issued.token.id}")]
    assert issued.secret not in str(exchanged[0])


def test_a_display_session_sees_only_its_own_wall(app: Dash, store: Store) -> None:
    client, _ = _screen(app, _token(store).secret)
    assert client.get("/wall/lobby").status_code == 403
    assert client.get("/y-te").status_code == 403
    assert client.get("/healthz").get_json().keys() == {"status"}
    assert client.post(CALLBACK, json=payloads.router("/y-te")).status_code == 403
    assert client.post(CALLBACK, json=payloads.router("/wall/lobby")).status_code == 403
    assert _refresh(client, "lobby").status_code == 403
    page = next(iter(PAGES_BY_DOMAIN))  # a domain page's tiles, asked properly
    assert client.post(CALLBACK, json=payloads.kpis(page, "94", "30d")).status_code == 403
    assert client.get("/camera/CAM-1/snapshot").status_code == 403
    assert len(_actions(store, "access.denied")) == 7


@pytest.mark.parametrize("secret", ["", "x" * 200, "not-a-token"])
def test_bad_tokens_are_refused_plainly_and_audited(app: Dash, store: Store, secret: str) -> None:
    client, response = _screen(app, secret)
    assert response.status_code == 401
    assert "Mã hiển thị không hợp lệ" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    assert [e.outcome for e in _actions(store, "token.exchange")] == ["denied"]


def test_a_token_for_another_playlist_is_refused(app: Dash, store: Store) -> None:
    _, response = _screen(app, _token(store, "lobby").secret)
    assert response.status_code == 401


def test_revocation_ends_the_session_within_one_refresh(
    app: Dash, store: Store, ticker: Ticker
) -> None:
    issued = _token(store)
    client, _ = _screen(app, issued.secret)
    assert _refresh(client).status_code == 200
    Accounts(store.engine).revoke_token(issued.token.id, datetime.now(UTC))
    ticker.now += REFRESH_S - 1
    assert _refresh(client).status_code == 200  # still within the cache's one interval
    ticker.now += 1.5
    assert _refresh(client).status_code == 401
    assert client.get("/wall/default").status_code == 302  # the session itself is gone
    _, again = _screen(app, issued.secret)
    assert again.status_code == 401


def test_an_expired_token_ends_its_session(app: Dash, store: Store, ticker: Ticker) -> None:
    issued = _token(store, lifetime=timedelta(hours=1))
    client, response = _screen(app, issued.secret)
    assert response.status_code == 303
    tokens = app.server.extensions[STATE_KEY].tokens
    tokens.now = Clock(datetime.now(UTC) + timedelta(minutes=59))
    ticker.now += REFRESH_S
    assert _refresh(client).status_code == 200
    tokens.now = Clock(datetime.now(UTC) + timedelta(minutes=61))
    ticker.now += REFRESH_S
    assert _refresh(client).status_code == 401

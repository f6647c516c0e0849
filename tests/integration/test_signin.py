"""The sign-in layer over real HTTP requests on SQLite and PostgreSQL: sessions, expiry,
lock-out, CSRF, cross-origin callbacks, role-gated pages, audit entries, and that nothing but
the assets, the sign-in page and a bare liveness answer is served to nobody."""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient

from access.audit import AuditLog
from access.users import disable_user
from access.web.secret import SECRET_FILE, SecretKeyError, secret_key
from access.web.setup import SESSION_COOKIE
from dashboards import create_app
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from tests.conftest import Clock
from tests.fixtures.auth import (
    TEST_ORIGIN,
    client_for,
    csrf_from,
    new_user,
    sign_in_client,
)

pytestmark = pytest.mark.integration
CALLBACK = "/_dash-update-component"
OPEN_ENDPOINTS = {"_dash_assets.static", "signin", "signout", "healthz"}  # sign-out: CSRF
OPEN_PREFIXES = ("/_dash-component-suites/", "/_favicon.ico")
SAMPLE_ARGS = {"level": "district", "camera": "CAM-1", "path": "y-te", "filename": "x.css"}


def _config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f'version: 1\ndatabase:\n  url: "sqlite:///{tmp_path / "unused.db"}"\n'
        f"geography:\n  directory: null\n{extra}",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(store: Store, tmp_path: Path, clock: Clock) -> Dash:
    extra = "session:\n  idle_timeout: 30m\n  absolute_lifetime: 2h\n"
    return create_app(load_settings(_config(tmp_path, extra), env={}), store, clock=clock)


def _audit(store: Store, action: str) -> list[Any]:
    return list(Accounts(store.engine).audit_entries(AuditFilter(action=action)).entries)


def _post_signin(client: FlaskClient, name: str, password: str, **extra: Any) -> Any:
    token = csrf_from(client.get("/dang-nhap").get_data(as_text=True))
    data = {"username": name, "password": password, "csrf_token": token, **extra}
    return client.post("/dang-nhap", data=data)


def _url(rule: Any) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", SAMPLE_ARGS.get(name, "x"), url)
    return url


def test_nobody_is_refused_by_every_route_and_every_callback(app: Dash) -> None:
    client = app.server.test_client()
    checked = 0
    for rule in app.server.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS or rule.rule.startswith(OPEN_PREFIXES):
            continue
        url = _url(rule)
        for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
            response = client.open(url, method=method, headers={"Origin": TEST_ORIGIN})
            if rule.rule in ("/", "/<path:path>") and method == "GET":
                assert response.status_code == 302, url
                assert response.headers["Location"].startswith("/dang-nhap?next=%2F")
            else:
                assert response.status_code == 401, (method, url, response.status_code)
            checked += 1
    assert checked >= 10
    for key in app.callback_map:
        body = {"output": key, "outputs": [], "inputs": [], "changedPropIds": []}
        response = client.post(CALLBACK, json=body, headers={"Origin": TEST_ORIGIN})
        assert response.status_code == 401, key
        assert "kpi" not in response.get_data(as_text=True)
    assert len(app.callback_map) > 15
    health = client.get("/healthz")
    assert health.get_json().keys() == {"status"}  # liveness only; details need a session


def test_the_sign_in_page_speaks_vietnamese_then_english(app: Dash) -> None:
    client = app.server.test_client()
    page = client.get("/dang-nhap").get_data(as_text=True)
    for marker in (
        'data-testid="signin-form"',
        'name="username"',
        'name="password"',
        'type="hidden" name="csrf_token"',
        'data-testid="signin-submit"',
        "Đăng nhập",
        "IOC Sóc Trăng",
        "/assets/50_app/app.css",
    ):
        assert marker in page
    assert "http://" not in page and "https://" not in page  # nothing from outside
    client.set_cookie("ioc_lang", "en")
    english = client.get("/dang-nhap").get_data(as_text=True)
    assert "Sign in" in english and "Mật khẩu" not in english


def test_sign_in_goes_to_next_rotates_the_session_and_is_audited(app: Dash, store: Store) -> None:
    name, password = new_user(app, "leader")
    client = app.server.test_client()
    assert (
        client.get("/y-te?area=941").headers["Location"] == "/dang-nhap?next=%2Fy-te%3Farea%3D941"
    )
    client.get("/dang-nhap")
    anonymous = client.get_cookie(SESSION_COOKIE)
    response = _post_signin(client, name, password, next="/y-te?area=941")
    assert response.status_code == 303 and response.headers["Location"] == "/y-te?area=941"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert anonymous is not None and client.get_cookie(SESSION_COOKIE).value != anonymous.value
    assert client.get("/_dash-layout", headers={"Origin": TEST_ORIGIN}).status_code == 200
    assert [e.target for e in _audit(store, "signin.success")] == [name]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "y-te"])
def test_a_foreign_next_is_replaced_by_the_overview(app: Dash, target: str) -> None:
    name, password = new_user(app, "leader")
    response = _post_signin(app.server.test_client(), name, password, next=target)
    assert response.headers["Location"] == "/"


def test_failures_get_one_message_then_a_lock_with_its_time(app: Dash, store: Store) -> None:
    name, password = new_user(app, "leader")
    client = app.server.test_client()
    unknown = _post_signin(client, "nobody-here", "wrong password 123")
    wrong = _post_signin(client, name, "wrong password 123")
    assert unknown.status_code == wrong.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)
    for _ in range(4):
        _post_signin(client, name, "wrong password 123")
    locked = _post_signin(client, name, password)  # even the right password now
    assert locked.status_code == 429
    text = locked.get_data(as_text=True)
    assert "tạm thời bị khoá" in text and re.search(r"sau \d\d:\d\d", text)
    assert client.get("/_dash-layout").status_code == 401
    assert len(_audit(store, "signin.failure")) == 6
    assert {e.target for e in _audit(store, "signin.lockout")} == {name}


def test_one_address_is_locked_after_twenty_failures_over_any_accounts(
    app: Dash, store: Store
) -> None:
    name, password = new_user(app, "leader")
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    for n in range(20):
        _post_signin(client, f"guess{n}", "wrong password 123")
    assert _post_signin(client, name, password).status_code == 429
    other = app.server.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.8"
    assert _post_signin(other, name, password).status_code == 303  # the account is not locked
    assert any(e.ip == "10.9.8.7" for e in _audit(store, "signin.lockout"))


def test_sign_in_and_sign_out_refuse_a_missing_csrf_token(app: Dash, store: Store) -> None:
    name, password = new_user(app, "leader")
    client = app.server.test_client()
    client.get("/dang-nhap")
    refused = client.post("/dang-nhap", data={"username": name, "password": password})
    assert refused.status_code == 400 and "hết hạn" in refused.get_data(as_text=True)
    assert _audit(store, "signin.success") == []
    signed = sign_in_client(app.server.test_client(), name, password)
    assert signed.post("/dang-xuat").status_code == 400
    assert signed.get("/_dash-layout").status_code == 200  # still signed in
    layout = signed.get("/_dash-layout").get_data(as_text=True)
    token = re.search(r'"name":\s*"csrf_token"[^}]*?"value":\s*"([^"]+)"', layout)
    token = token or re.search(r'"value":\s*"([^"]+)"[^}]*?"name":\s*"csrf_token"', layout)
    assert token, "the shell carries the sign-out form's token"
    out = signed.post("/dang-xuat", data={"csrf_token": token.group(1)})
    assert out.status_code == 303 and out.headers["Location"].startswith("/dang-nhap")
    assert signed.get("/_dash-layout").status_code == 401
    assert [e.target for e in _audit(store, "signout")] == [name]


def test_callbacks_refuse_other_origins_and_requests_naming_none(app: Dash, store: Store) -> None:
    client = client_for(app, "leader")
    key = next(iter(app.callback_map))
    body = {"output": key, "outputs": [], "inputs": [], "changedPropIds": []}
    evil = client.post(CALLBACK, json=body, headers={"Origin": "http://evil.example"})
    client.environ_base.pop("HTTP_ORIGIN")
    bare = client.post(CALLBACK, json=body)
    referer = client.post(CALLBACK, json=body, headers={"Referer": "http://evil.example/x"})
    assert evil.status_code == bare.status_code == referer.status_code == 403
    reasons = [json.loads(e.detail)["reason"] for e in _audit(store, "access.denied")]
    assert reasons.count("cross-origin") == 3


def test_a_session_ends_when_idle_and_at_its_absolute_lifetime(app: Dash, clock: Clock) -> None:
    client = client_for(app, "leader")
    clock.now += timedelta(minutes=29)
    assert client.get("/_dash-layout").status_code == 200  # used: the idle clock restarts
    clock.now += timedelta(minutes=29)
    assert client.get("/_dash-layout").status_code == 200
    clock.now += timedelta(minutes=31)
    assert client.get("/_dash-layout").status_code == 401  # idle too long
    busy = client_for(app, "leader")
    for _ in range(12):
        clock.now += timedelta(minutes=10)
        assert busy.get("/_dash-layout").status_code == 200
    clock.now += timedelta(minutes=10)  # 2 h 10 min after the sign-in
    assert busy.get("/_dash-layout").status_code == 401
    assert busy.get("/y-te").status_code == 302


def test_timer_refreshes_do_not_keep_a_session_alive(app: Dash, clock: Clock) -> None:
    client = client_for(app, "leader")
    key = next(iter(app.callback_map))
    timer = {"output": key, "outputs": [], "inputs": [], "changedPropIds": ["tick.n_intervals"]}
    for _ in range(4):
        clock.now += timedelta(minutes=10)
        client.post(CALLBACK, json=timer)
    assert client.get("/_dash-layout").status_code == 401


def test_disabling_a_user_ends_its_sessions(app: Dash, store: Store, clock: Clock) -> None:
    name, password = new_user(app, "leader")
    client = sign_in_client(app.server.test_client(), name, password)
    accounts = Accounts(store.engine)
    disable_user(accounts, AuditLog(accounts), name, actor="tests")
    clock.now += timedelta(seconds=6)  # past the short re-check cache
    assert client.get("/_dash-layout").status_code == 401


def test_the_feeds_page_is_for_operators_and_admins_only(app: Dash, store: Store) -> None:
    feeds_callbacks = [k for k in app.callback_map if "feed-board-body" in k]
    assert feeds_callbacks
    body = {"output": feeds_callbacks[0], "outputs": [], "inputs": [], "changedPropIds": []}
    for role, area in (("leader", None), ("district", "941")):
        client = client_for(app, role, area)
        assert client.get("/nguon-du-lieu").status_code == 403
        assert client.post(CALLBACK, json=body).status_code == 403
        assert "nguon-du-lieu" not in client.get("/_dash-layout").get_data(as_text=True)
    denied = [e for e in _audit(store, "access.denied") if e.target in ("/nguon-du-lieu", CALLBACK)]
    assert len(denied) == 4
    operator = client_for(app, "operator")
    assert operator.get("/nguon-du-lieu").status_code == 200
    assert "nguon-du-lieu" in operator.get("/_dash-layout").get_data(as_text=True)


def test_secure_cookie_and_proxy_hops_come_from_the_session_settings(
    store: Store, tmp_path: Path
) -> None:
    extra = "session:\n  secure_cookie: true\n  proxy_hops: 1\n"
    app = create_app(load_settings(_config(tmp_path, extra), env={}), store, clock=Clock())
    name, password = new_user(app, "leader")
    client = app.server.test_client()
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    token = csrf_from(client.get("/dang-nhap", headers=proxied).get_data(as_text=True))
    response = client.post(
        "/dang-nhap",
        data={"username": name, "password": password, "csrf_token": token},
        headers=proxied,
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]
    assert _audit(store, "signin.success")[0].ip == "10.1.2.3"


def test_the_generated_secret_key_is_kept_private_and_reused(tmp_path: Path) -> None:
    first = secret_key(tmp_path / "var", env={})
    assert secret_key(tmp_path / "var", env={}) == first and len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "var" / SECRET_FILE).st_mode) == 0o600
    assert secret_key(tmp_path, env={"IOC_SECRET_KEY": "k" * 40}) == "k" * 40
    with pytest.raises(SecretKeyError, match="at least 32"):
        secret_key(tmp_path, env={"IOC_SECRET_KEY": "short"})

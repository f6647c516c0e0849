"""The SSO button end to end: the IOC's routes against a real OpenID Connect provider (Authlib's
server on 127.0.0.1), ending in the same session as a password sign-in, on SQLite and
PostgreSQL; refusals are shown in plain words and audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from dash import Dash
from flask.testing import FlaskClient

from dashboards import create_app
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from tests.conftest import Clock
from tests.fixtures.auth import TEST_ORIGIN
from tests.fixtures.oidc_provider import (
    OidcProvider,
    ProviderClient,
    ProviderUser,
    running_provider,
)

pytestmark = pytest.mark.integration
BASE_URL = "http://127.0.0.1:8068"  # the IOC as the provider knows it (the test client is it)
CLIENT_ID, SECRET = "ioc-dashboard", "test-only-client-secret"
USERS = {
    "district941": ProviderUser(
        sub="u1",
        password="pw-district",
        claims={"preferred_username": "district941", "ioc_role": "huyen", "ioc_area": "941"},
    ),
    "stranger": ProviderUser(
        sub="u9", password="pw-stranger", claims={"preferred_username": "stranger"}
    ),
}


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    client = ProviderClient(
        client_id=CLIENT_ID, client_secret=SECRET, redirect_uris=(f"{BASE_URL}/dang-nhap/sso",)
    )
    with running_provider(USERS, {CLIENT_ID: client}) as running:
        yield running


def _app(store: Store, tmp_path: Path, provider: OidcProvider, jit: bool = False) -> Dash:
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\ngeography:\n  directory: null\n"
        "sso:\n  enabled: true\n"
        f"  issuer: {provider.issuer}\n  base_url: {BASE_URL}\n  client_id: {CLIENT_ID}\n"
        "  client_secret: ${SSO_SECRET}\n"
        "  role_mapping: {huyen: district, lanh-dao: leader}\n"
        f"  allow_jit_users: {str(jit).lower()}\n  role_claim: null\n",
        encoding="utf-8",
    )
    settings = load_settings(config, env={"SSO_SECRET": SECRET})
    return create_app(settings, store, clock=Clock())


def _at_provider(ioc: FlaskClient, login: str, next_path: str = "/") -> str:
    """Press the SSO button, sign in at the provider like a browser; the IOC URL it returns to."""
    started = ioc.get(f"/dang-nhap/sso/bat-dau?next={next_path}")
    assert started.status_code == 302, started.get_data(as_text=True)[:300]
    browser = requests.Session()
    url = started.headers["Location"]
    assert browser.get(url, allow_redirects=False, timeout=10).status_code == 200
    data = {"username": login, "password": USERS[login].password}
    answer = browser.post(url, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def _audit(store: Store, action: str) -> list[Any]:
    return list(Accounts(store.engine).audit_entries(AuditFilter(action=action)).entries)


def test_the_sign_in_page_offers_sso_when_configured(
    store: Store, tmp_path: Path, provider: OidcProvider
) -> None:
    page = _app(store, tmp_path, provider).server.test_client().get("/dang-nhap")
    assert "Đăng nhập bằng tài khoản một cửa (SSO)" in page.get_data(as_text=True)


def test_an_sso_sign_in_opens_the_same_session_as_a_password(
    store: Store, tmp_path: Path, provider: OidcProvider
) -> None:
    app = _app(store, tmp_path, provider)
    Accounts(store.engine).create_user(
        username="district941", role="district", area_code="941", now=datetime.now(UTC)
    )
    ioc = app.server.test_client()
    back = _at_provider(ioc, "district941", "/y-te?area=941")
    assert back.startswith("/dang-nhap/sso?")
    done = ioc.get(back)
    assert done.status_code == 303 and done.headers["Location"] == "/y-te?area=941"
    assert ioc.get("/_dash-layout", headers={"Origin": TEST_ORIGIN}).status_code == 200
    user = Accounts(store.engine).user("district941")
    assert user is not None and user.sso_subject == "u1"  # bound to the provider's person
    [entry] = _audit(store, "signin.success")
    assert entry.target == "district941" and json.loads(entry.detail) == {"via": "sso"}
    assert ioc.get(back).status_code == 401  # the answer is used once


def test_an_unknown_person_is_refused_plainly_and_audited(
    store: Store, tmp_path: Path, provider: OidcProvider
) -> None:
    ioc = _app(store, tmp_path, provider).server.test_client()
    refused = ioc.get(_at_provider(ioc, "stranger"))
    assert refused.status_code == 401
    assert "Tài khoản chưa được đăng ký trên IOC" in refused.get_data(as_text=True)
    assert ioc.get("/_dash-layout").status_code == 401
    [entry] = _audit(store, "signin.failure")
    assert json.loads(entry.detail)["reason"] == "unknown_user" and entry.target == "stranger"


def test_just_in_time_users_get_the_default_role(
    store: Store, tmp_path: Path, provider: OidcProvider
) -> None:
    ioc = _app(store, tmp_path, provider, jit=True).server.test_client()
    assert ioc.get(_at_provider(ioc, "stranger")).status_code == 303
    user = Accounts(store.engine).user("stranger")
    assert user is not None and (user.role, user.password_hash) == ("leader", None)
    assert [e.target for e in _audit(store, "user.create")] == ["stranger"]


def test_a_tampered_answer_is_refused(store: Store, tmp_path: Path, provider: OidcProvider) -> None:
    ioc = _app(store, tmp_path, provider).server.test_client()
    back = _at_provider(ioc, "district941")
    refused = ioc.get(back.replace("state=", "state=x"))
    assert refused.status_code == 401
    assert json.loads(_audit(store, "signin.failure")[0].detail)["reason"] == "state_mismatch"

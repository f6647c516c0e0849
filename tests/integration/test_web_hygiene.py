"""Every answer carries the security headers; unknown paths are a 404 with the shell's own page;
anonymous /healthz says only whether the app is alive; big bodies and server errors answer
briefly, without a traceback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from dashboards import create_app, payloads
from settings import load_settings
from store import Store
from tests.conftest import Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration


@pytest.fixture
def app(sqlite_store: Store, tmp_path: Any) -> Iterator[Any]:
    path = tmp_path / "config.yaml"
    path.write_text(
        "version: 1\ngeography:\n  directory: null\nweb:\n  max_request_bytes: 65536\n",
        encoding="utf-8",
    )
    yield create_app(load_settings(path, env={}), sqlite_store, clock=Clock())


@pytest.mark.parametrize("path", ["/", "/y-te", "/healthz", "/assets/50_app/emblem.svg", "/nope"])
def test_security_headers_on_every_answer(app: Any, path: str) -> None:
    response = client_for(app, "admin").get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in response.headers


def test_unknown_paths_are_404_with_the_shells_not_found_page(app: Any) -> None:
    client = client_for(app, "admin")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and b"_dash-renderer" in response.data  # the shell
    routed = client.post("/_dash-update-component", json=payloads.router("/khong-co"))
    assert "Không tìm thấy trang" in json.dumps(routed.get_json(), ensure_ascii=False)
    assert client.get("/y-te").status_code == 200
    assert client.get("/wall/default").status_code == 200


def test_anonymous_healthz_answers_liveness_only(app: Any) -> None:
    response = app.server.test_client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.data) == {"status": "ok"}


def test_a_body_over_the_limit_is_413_before_it_is_read(app: Any) -> None:
    client = client_for(app, "admin")
    response = client.post(
        "/_dash-update-component", data=b"{" + b" " * 70_000 + b"}", content_type="application/json"
    )
    assert response.status_code == 413
    assert json.loads(response.data)["status"] == 413


def test_a_server_error_answers_500_without_a_traceback(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @app.server.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail " + "x" * 5000)

    with caplog.at_level(logging.ERROR):
        response = client_for(app, "admin").get("/boom")
    assert response.status_code == 500
    assert json.loads(response.data) == {"error": "internal error", "status": 500}
    assert not any(r.exc_info for r in caplog.records)
    line = next(r.getMessage() for r in caplog.records if "RuntimeError" in r.getMessage())
    assert len(line) < 400 and "Traceback" not in line

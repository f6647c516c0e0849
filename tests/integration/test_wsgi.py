"""Production serving: gunicorn with several workers serves every page bundle from any worker."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_fresh_gunicorn_threads_serve_page_bundles_before_any_page(tmp_path: Path) -> None:
    """Dash sets itself up on a worker's first request; a thread racing that setup used to get
    HTTP 500 "not a registered library" for a bundle. wsgi.py sets each worker up first."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f'version: 1\ndatabase:\n  url: "sqlite:///{tmp_path / "ioc.db"}"\n'
        "geography:\n  directory: null\nscheduler:\n  embedded: false\n",
        encoding="utf-8",
    )
    bundles = _bundles(config)
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "16"]
    command += ["-b", f"127.0.0.1:{port}", "wsgi:server"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "IOC_CONFIG": str(config)})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_port(port)
        with ThreadPoolExecutor(32) as pool:  # the very first requests, all at once
            statuses = list(pool.map(lambda path: _status(base + path), bundles * 4))
        assert set(statuses) == {200}, statuses
    finally:
        process.terminate()
        process.wait(timeout=30)


def _bundles(config: Path) -> list[str]:
    """The bundle URLs of a page, from the same app built in this process."""
    from dashboards import create_app
    from settings import load_settings
    from tests.fixtures.auth import client_for

    app = create_app(load_settings(config, env={}))
    index = client_for(app).get("/wall/default").get_data(as_text=True)
    found = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert len(found) > 5
    return found


def _status(url: str) -> int:
    return requests.get(url, timeout=20).status_code


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("gunicorn did not listen within 60 s")

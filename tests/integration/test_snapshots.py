"""Camera stills: stored newest-first by the writer, validated, served by the app with ETags."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dashboards import create_app
from feeds.validate import RecordCheck
from settings import load_settings
from store import Store
from store.records import Asset, Snapshot
from store.reference_writes import FeedSpec
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"/>'


def _camera(store: Store) -> None:
    store.writer.sync_feeds([FeedSpec("cams", "http_json", 60, True, False)])
    store.writer.write_records(
        "cams",
        [Asset("cameras", "camera", "CAM-1", "Ngã tư", FIXED_NOW, area="31498", status="online")],
        FIXED_NOW,
    )


def test_the_newest_snapshot_wins(store: Store) -> None:
    _camera(store)
    new = Snapshot("CAM-1", FIXED_NOW, "image/svg+xml", SVG)
    old = Snapshot("CAM-1", FIXED_NOW - timedelta(minutes=5), "image/svg+xml", b"<svg/>")
    assert store.writer.write_records("cams", [new], FIXED_NOW) == 1
    assert store.writer.write_records("cams", [old], FIXED_NOW) == 0
    scope_area = store.queries.areas.root
    from store.scope import Window, scope_within

    found = store.queries.snapshot(
        scope_within("94", Window.named("today", FIXED_NOW), scope_area), "CAM-1"
    )
    assert found is not None and found[2] == SVG
    outside = scope_within("94", Window.named("today", FIXED_NOW), "942")
    assert store.queries.snapshot(outside, "CAM-1") is None  # the camera is in district 941


def test_bad_images_are_rejected_with_a_reason() -> None:
    check = RecordCheck({"94"}, FIXED_NOW)
    assert "unsupported image type" in (
        check.problem(Snapshot("C", FIXED_NOW, "image/gif", b"GIF89a")) or ""
    )
    assert "empty" in (check.problem(Snapshot("C", FIXED_NOW, "image/png", b"")) or "")
    assert "future" in (
        check.problem(Snapshot("C", FIXED_NOW + timedelta(hours=1), "image/png", b"x")) or ""
    )


def test_app_serves_the_snapshot_with_an_etag(sqlite_store: Store, tmp_path: Path) -> None:
    _camera(sqlite_store)
    sqlite_store.writer.write_records(
        "cams", [Snapshot("CAM-1", FIXED_NOW, "image/svg+xml", SVG)], FIXED_NOW
    )
    config = tmp_path / "config.yaml"
    config.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    app = create_app(load_settings(config, env={}), sqlite_store, clock=Clock())
    client = client_for(app)
    first = client.get("/camera/CAM-1/snapshot")
    assert first.status_code == 200 and first.data == SVG
    assert first.mimetype == "image/svg+xml"
    again = client.get("/camera/CAM-1/snapshot", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/camera/NOPE/snapshot").status_code == 404

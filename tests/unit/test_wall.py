"""Pure wall rules: playlist validation, which pages a screen cycles, alert order and holds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dashboards.alerts import SINCE, Alert, feed_alerts, new_critical, ordered, with_onsets
from dashboards.wall_state import screen_pages
from settings import ConfigError, load_settings
from store.catalog import DOMAINS
from tests.conftest import FIXED_NOW
from ui.status import FeedState, Freshness

pytestmark = pytest.mark.unit

BAD = {
    "unknown-page": (
        "wall:\n  playlists:\n    w:\n      pages: [{page: weather}]\n",
        "wall.playlists.w.pages[0].page: unknown page 'weather' (known: overview, map, "
        "camera_grid, alerts, health, education, public_services, portals, documents, "
        "environment, tourism, socio_economic, feedback, cameras)",
    ),
    "short-dwell": (
        "wall:\n  playlists:\n    w:\n      pages: [{page: health, dwell: 2s}]\n",
        "wall.playlists.w.pages[0].dwell: must be at least 5 s",
    ),
    "no-pages": (
        "wall:\n  playlists:\n    w:\n      pages: []\n",
        "wall.playlists.w.pages: must list at least one page",
    ),
    "unknown-area": (
        "wall:\n  playlists:\n    w:\n      area: '999'\n      pages: [{page: health}]\n",
        "wall.playlists.w.area: unknown area code '999' (see geo/data/admin_units.csv)",
    ),
    "pin-outside-the-wall": (
        "wall:\n  playlists:\n    w:\n      screens: 3\n      pinned: {5: {page: map}}\n"
        "      pages: [{page: health}]\n",
        "wall.playlists.w: pinned: screen 5 is not among screens 1..3",
    ),
    "metric-on-a-domain-page": (
        "wall:\n  playlists:\n    w:\n      pages: [{page: health, metric: health.inpatients}]\n",
        "wall.playlists.w.pages[0]: metric: only a map page takes a metric",
    ),
    "bad-name": (
        "wall:\n  playlists:\n    Big Wall:\n      pages: [{page: health}]\n",
        "wall.playlists.Big Wall.[key]: playlist name 'Big Wall' must be 1-40 lowercase "
        "letters, digits, '_' or '-'",
    ),
    "refresh-too-fast": (
        "wall:\n  refresh_interval: 1\n",
        "wall.refresh_interval: must be at least 2 s",
    ),
}


@pytest.mark.parametrize(("text", "line"), BAD.values(), ids=BAD.keys())
def test_bad_wall_config_names_the_field_and_reason(tmp_path: Path, text: str, line: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("version: 1\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert caught.value.problems == [line]


def test_shipped_config_has_a_default_playlist_of_every_domain() -> None:
    playlist = load_settings(env={}).wall.playlists["default"]
    pages = [p.page for p in playlist.pages]
    assert set(pages) >= {d.key for d in DOMAINS} | {"overview", "map", "camera_grid", "alerts"}
    assert playlist.area in (None, "94")
    assert load_settings(env={}).wall.refresh_interval == 10


def test_rotating_screens_take_successive_offsets_and_pins_stay(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "version: 1\nwall:\n  playlists:\n    w:\n      screens: 6\n"
        "      pinned: {2: {page: map}, 3: {page: camera_grid}}\n"
        "      pages: [{page: health}, {page: education}, {page: tourism}]\n",
        encoding="utf-8",
    )
    playlist = load_settings(path, env={}).wall.playlists["w"]
    assert playlist.rotating_screens() == (1, 4, 5, 6)
    pages, offset, pinned = screen_pages(playlist, 2)
    assert ([p.page for p in pages], offset, pinned) == (["map"], 0, True)
    assert [screen_pages(playlist, s)[1] for s in (1, 4, 5, 6)] == [0, 1, 2, 3]


def _alert(key: str, severity: str, minutes_ago: int | None) -> Alert:
    time = FIXED_NOW - timedelta(minutes=minutes_ago) if minutes_ago is not None else None
    return Alert(key, severity, "health", "94", "alert.metric", (), time)


def test_alerts_are_ordered_most_severe_then_newest() -> None:
    alerts = [
        _alert("w-new", "warn", 1),
        _alert("c-old", "critical", 50),
        _alert("c-new", "critical", 5),
        _alert("w-old", "warn", 90),
    ]
    assert [a.key for a in ordered(alerts)] == ["c-new", "c-old", "w-new", "w-old"]


def test_only_alerts_appearing_after_tracking_began_may_hold_the_wall() -> None:
    start = [_alert("a", "critical", None)]
    stamped, onsets = with_onsets(start, {}, FIXED_NOW)
    assert onsets[SINCE] == FIXED_NOW.isoformat() and stamped[0].first_seen == FIXED_NOW
    assert new_critical(stamped, onsets, FIXED_NOW, 300) == []  # showing since the start

    later = FIXED_NOW + timedelta(minutes=2)
    both = [_alert("a", "critical", None), _alert("b", "critical", None)]
    stamped, onsets = with_onsets(both, onsets, later)
    assert [a.key for a in new_critical(stamped, onsets, later, 300)] == ["b"]
    after_hold = later + timedelta(minutes=6)
    assert new_critical(stamped, onsets, after_hold, 300) == []
    _gone, onsets = with_onsets([], onsets, after_hold)
    assert set(onsets) == {SINCE}, "a cleared alert is forgotten, so its return is new"


def test_failing_feeds_are_critical_and_stale_feeds_warn() -> None:
    states = {
        "lgsp": FeedState(Freshness.FAILING, timedelta(minutes=3), error="HTTP 503"),
        "sim": FeedState(Freshness.STALE, timedelta(hours=5)),
        "ok": FeedState(Freshness.FRESH, timedelta(seconds=30)),
    }
    found = {a.key: a.severity for a in feed_alerts(states, "94")}
    assert found == {"feed:lgsp:failing": "critical", "feed:sim:stale": "warn"}

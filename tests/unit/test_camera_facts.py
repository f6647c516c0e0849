"""A real camera's detail view says why it is offline, since when, and what RTSP-only needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from store.read_models import Place
from ui.camera import camera_detail

SINCE = "2026-11-20T03:30:00+00:00"


def texts(component: Any) -> list[str]:
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    items = children if isinstance(children, list | tuple) else [children]
    return [text for child in items for text in texts(child)]


def camera(status: str, **attributes: Any) -> Place:
    moment = datetime(2026, 11, 20, 4, tzinfo=UTC)
    return Place(
        "camera", "CAM-1", "Bến xe", "31498", None, None, status, "info", moment, attributes
    )


@pytest.mark.parametrize(
    ("lang", "reason_label", "since_label", "note"),
    [
        ("vi", "Lý do ngoại tuyến", "Ngoại tuyến từ", "Chỉ có RTSP"),
        ("en", "Why offline", "Offline since", "RTSP only"),
    ],
)
def test_offline_rtsp_camera_tells_reason_time_and_need(
    lang: str, reason_label: str, since_label: str, note: str
) -> None:
    place = camera(
        "offline", reason="cannot connect to the RTSP server", offline_since=SINCE, rtsp_only=True
    )
    shown = " | ".join(texts(camera_detail(place, "94", "Phường 5", [], "v1", lang)))
    assert reason_label in shown and "cannot connect to the RTSP server" in shown
    assert since_label in shown and "10:30" in shown  # local time
    assert note in shown


def test_online_camera_shows_no_offline_facts() -> None:
    place = camera("online", reason="", offline_since=None, stream="hls")
    shown = " | ".join(texts(camera_detail(place, "94", "Phường 5", [], "v1", "vi")))
    assert "Lý do ngoại tuyến" not in shown and "Ngoại tuyến từ" not in shown
    assert "HLS" in shown

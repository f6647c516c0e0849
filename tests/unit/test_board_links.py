"""Alerts about feeds link to the feed's row on the board; other alerts link nowhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboards.alerts import Alert, alert_link, feed_alerts
from ui.status import FeedState, Freshness
from ui.wall import alert_item

pytestmark = pytest.mark.unit


def test_feed_alerts_link_to_the_board_row() -> None:
    states = {
        "cong du lich": FeedState(Freshness.FAILING, timedelta(minutes=3), error="HTTP 500"),
        "luot-khach": FeedState(Freshness.STALE, timedelta(hours=2)),
    }
    links = [alert_link(a) for a in feed_alerts(states, "94")]
    assert links == ["/nguon-du-lieu?feed=cong%20du%20lich", "/nguon-du-lieu?feed=luot-khach"]
    item = alert_item(next(iter(feed_alerts(states, "94"))), "Sóc Trăng", "vi", link=links[0])
    anchor = item.children[2]
    assert anchor.href == links[0] and "HTTP 500" in anchor.children


def test_other_alerts_have_no_link() -> None:
    alert = Alert(
        "cameras:941",
        "warn",
        "cameras",
        "941",
        "alert.cameras_offline",
        (("count", 1), ("total", 4)),
    )
    assert alert_link(alert) is None
    assert type(alert_item(alert, "TP Sóc Trăng", "vi").children[2]).__name__ == "Span"

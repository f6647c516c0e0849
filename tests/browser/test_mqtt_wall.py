"""An MQTT salinity reading at or above 4 ‰ reaches the wall's alert ticker within one refresh."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from feeds.mqtt.session import stop_session
from feeds.runner import FeedRunner
from settings import FeedConfig
from store import Store
from tests.browser.conftest import APP_PORT
from tests.browser.test_wall import js, wait_until, wall_app  # noqa: F401
from tests.fixtures.auth import start_signed_in
from tests.fixtures.mqtt_broker import SHARED_PORT, publisher

pytestmark = pytest.mark.browser
FEED = "salinity_sensors"
STATION = "MQ-DAINGAI"
LAST_REFRESH = "return window.iocWall.lastOk"  # when the last refresh answered (ms)
TICKER = "[data-testid=alert-ticker] [data-alert='salinity:" + STATION + "']"


@pytest.fixture
def mqtt_feed(demo_store: Store) -> Iterator[tuple[FeedConfig, str]]:
    prefix = f"ioc-wall/{uuid.uuid4().hex[:8]}"
    options = {
        "host": "127.0.0.1",
        "port": SHARED_PORT,
        "client_id": f"ioc-wall-{uuid.uuid4().hex[:8]}",
        "flush_s": 0.2,
        "topics": [{"filter": f"{prefix}/+", "shape": "nested", "station_level": 2}],
        "stations": {STATION: {"name": "Trạm MQTT Đại Ngãi", "area": "947"}},
    }
    config = FeedConfig.model_validate(
        {"id": FEED, "type": "mqtt", "interval": 60, "timeout": 10, "options": options}
    )
    yield config, prefix
    stop_session(FEED)
    with demo_store.engine.begin() as conn:  # leave the shared demo store as it was
        for table in ("observations", "assets"):
            conn.execute(text(f"DELETE FROM {table} WHERE feed_id = :f"), {"f": FEED})
        conn.execute(
            text("DELETE FROM rejected_records WHERE run_id IN"
                 " (SELECT id FROM feed_runs WHERE feed_id = :f)"),
            {"f": FEED},
        )  # fmt: skip
        conn.execute(text("DELETE FROM feed_runs WHERE feed_id = :f"), {"f": FEED})
        conn.execute(text("DELETE FROM feeds WHERE id = :f"), {"f": FEED})


def test_mqtt_salinity_above_four_permille_shows_on_the_wall(
    dash_duo,
    wall_app,  # noqa: F811
    demo_store,
    mqtt_feed,
) -> None:
    app, clock = wall_app
    config, prefix = mqtt_feed
    start_signed_in(dash_duo, app, port=APP_PORT)
    # the signed-in session belongs to the server's own address (its cookie is per host)
    dash_duo.driver.get(f"{dash_duo.server_url}/wall/default")
    live = "return document.querySelectorAll('[data-testid=alert-ticker] [data-alert]').length"
    wait_until(lambda: js(dash_duo.driver, live), timeout=20)  # the wall is up and refreshing
    runner = FeedRunner(demo_store, [config], clock=clock, sleep=lambda _s: None)
    runner.run(FEED)  # the subscription is up
    reading = {"time": (clock() - timedelta(minutes=1)).isoformat(), "salinity": {"value": 4.6}}
    with publisher() as pub:
        pub.publish(f"{prefix}/{STATION}", json.dumps(reading))
    wait_until(lambda: runner.run(FEED).accepted > 0, timeout=5)
    stored_at = js(dash_duo.driver, LAST_REFRESH)
    answers: set[float] = set()

    def shown_or_late() -> object:
        answer = js(dash_duo.driver, LAST_REFRESH)
        if answer > stored_at:
            answers.add(answer)
        element = js(dash_duo.driver, f'return document.querySelector("{TICKER}")')
        return element or len(answers) >= 3

    shown = wait_until(shown_or_late, timeout=60)
    # The refresh that began after the reading was stored is at most the second answer; by
    # the third the ticker must show it: within one wall refresh.
    assert shown is not True, f"not on the ticker after {len(answers)} refreshes"
    assert shown.get_attribute("data-severity") == "critical"
    text = shown.get_attribute("textContent")  # the ticker scrolls: not all of it is in view
    assert "Trạm MQTT Đại Ngãi" in text and "4,60 ‰" in text

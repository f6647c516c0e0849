"""`python -m feeds` runs the mqtt subscription in its scheduler process: a reading published
to the broker is stored without any other prompt, and SIGTERM ends the process cleanly."""

from __future__ import annotations

import json
import signal
import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store import Store
from tests.fixtures.mqtt_broker import publisher, wait_for
from tests.integration.test_cli import start

pytestmark = pytest.mark.integration


def _status(database: Path) -> str | None:
    """The feed's last status, read without migrating (the process is doing that)."""
    try:
        with closing(sqlite3.connect(database)) as conn:
            row = conn.execute("SELECT last_status FROM feeds WHERE id = 'sensors'").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def test_scheduler_process_stores_published_readings(tmp_path: Path) -> None:
    prefix = f"ioc-proc/{uuid.uuid4().hex[:8]}"
    database = tmp_path / "ioc.db"
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        f'database:\n  url: "sqlite:///{database}"\n'
        "geography:\n  directory: null\n"
        "feeds:\n"
        "  - id: sensors\n    type: mqtt\n    interval: 60\n    timeout: 10\n    retries: 0\n"
        "    options:\n"
        '      host: "127.0.0.1"\n'
        f'      client_id: "ioc-proc-{uuid.uuid4().hex[:8]}"\n'
        "      flush_s: 0.2\n"
        f'      topics: [{{filter: "{prefix}/+", shape: nested, station_level: 2}}]\n'
        '      stations: {P01: {name: "Trạm P01", area: "31498"}}\n',
        encoding="utf-8",
    )
    process = start("-m", "feeds", "--config", str(config))
    try:
        wait_for(lambda: _status(database) == "ok", 30, "the subscription's first report")
        store = Store.open(f"sqlite:///{database}")  # migrated by the process by now
        reading = {"time": datetime.now(UTC).isoformat(), "salinity": {"value": 4.1}}
        with publisher() as pub:
            pub.publish(f"{prefix}/P01", json.dumps(reading))

        def stored() -> bool:
            found = store.queries.feed_assets("sensors", "environment", "salinity_station")
            return found.get("P01", {}).get("salinity_permille") == 4.1

        wait_for(stored, 15, "the reading in the store")
        store.engine.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "feed sensors listens" in output

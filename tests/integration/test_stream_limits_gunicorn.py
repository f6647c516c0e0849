"""Under the documented gunicorn layout, a full house of streams leaves pages and /healthz fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.streams import measure

pytestmark = pytest.mark.integration


def test_64_open_streams_leave_pages_and_healthz_responsive(tmp_path: Path) -> None:
    result = measure(tmp_path, streams=64, rounds=8, backfill_days=None)
    assert result.streams_open == 64
    assert result.least_bytes_relayed > 2 * 2_000  # every stream carried whole frames meanwhile
    assert result.over_total_status == 503  # the 65th stream
    assert result.over_client_status == 503  # a viewer's 5th stream
    assert result.retry_after == "30"
    assert result.healthz_status == 200 and result.healthz_s < 1.0
    # Generous: a page must not queue behind the streams (it would wait for a free thread).
    assert result.loaded_p95_s < max(2.0, 3 * result.baseline_p95_s)
    assert result.upstream_open_after_close == 0  # every viewer gone: every upstream closed

"""Contract: domains, metrics, pages and translations agree, so conventions hold by test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from i18n import catalog_keys
from store.catalog import DOMAINS, METRICS, METRICS_BY_KEY, Aggregation, tile_metrics
from store.scope import Window

pytestmark = pytest.mark.unit
SLUGS = [
    "y-te",
    "giao-duc",
    "hanh-chinh-cong",
    "cong-thong-tin",
    "van-ban-dieu-hanh",
    "tai-nguyen-moi-truong",
    "du-lich",
    "kinh-te-xa-hoi",
    "phan-anh-kien-nghi",
    "camera",
]


def test_ten_domains_with_the_agreed_slugs() -> None:
    assert [d.slug for d in DOMAINS] == SLUGS


def test_every_domain_has_a_catalogued_headline_and_tiles() -> None:
    for domain in DOMAINS:
        assert METRICS_BY_KEY[domain.headline].domain == domain.key
        assert METRICS_BY_KEY[domain.headline].tile
        assert 2 <= len(tile_metrics(domain.key)) <= 8


def test_metric_keys_are_prefixed_by_a_domain_and_unique() -> None:
    keys = [m.key for m in METRICS]
    assert len(keys) == len(set(keys))
    assert {m.domain for m in METRICS} == {d.key for d in DOMAINS}


def test_ratios_are_built_from_stored_metrics() -> None:
    for metric in METRICS:
        if metric.aggregation is Aggregation.RATIO:
            for part in metric.components:
                assert METRICS_BY_KEY[part].aggregation is not Aggregation.RATIO
                assert METRICS_BY_KEY[part].domain == metric.domain


def test_catalogs_have_the_same_keys() -> None:
    assert catalog_keys("vi") == catalog_keys("en")


def test_windows_are_whole_local_days() -> None:
    now = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)  # 01:30 on the 21st in Sóc Trăng
    window = Window.named("7d", now)
    assert window.end == datetime(2026, 11, 21, 17, 0, tzinfo=UTC)
    assert window.start == datetime(2026, 11, 14, 17, 0, tzinfo=UTC)
    assert window.previous().end == window.start


def test_custom_windows_are_whole_local_days_and_refuse_nonsense() -> None:
    from store.scope import ScopeError

    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    window = Window.parse("2026-11-01..2026-11-15", now)
    assert window.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert window.end == datetime(2026, 11, 15, 17, 0, tzinfo=UTC)
    assert Window.parse("7d", now) == Window.named("7d", now)
    for bad in ("2026-11-15..2026-11-01", "yesterday", "2026-11-01", "2010-01-01..2026-01-01"):
        with pytest.raises(ScopeError):
            Window.parse(bad, now)

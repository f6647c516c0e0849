"""Contract: every domain has a page spec whose parts resolve to catalogued, translated things."""

from __future__ import annotations

import pytest

from dashboards.specs import PAGES, PAGES_BY_DOMAIN
from i18n import catalog_keys
from i18n.names import member_name
from store.catalog import DIMENSIONS, DOMAINS, METRICS_BY_KEY

pytestmark = pytest.mark.unit
SOURCES = {"areas", "dims", "assets", "events", "plans", "targets"}


def test_every_domain_has_exactly_one_page_spec_with_a_unique_slug() -> None:
    assert [p.domain_key for p in PAGES] == [d.key for d in DOMAINS]
    slugs = [p.domain.slug for p in PAGES]
    assert len(slugs) == len(set(slugs)) == 10


@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.domain_key)
def test_spec_parts_are_catalogued_metrics_of_the_domain(spec) -> None:  # type: ignore[no-untyped-def]
    assert 4 <= len(spec.kpis) <= 8
    for key in (*spec.kpis, *spec.trend, spec.map_metric, *spec.epidemic_line):
        assert key in METRICS_BY_KEY, key
        assert METRICS_BY_KEY[key].domain == spec.domain_key, key
    assert set(spec.epidemic_line) <= set(spec.trend)
    for table in spec.tables:
        assert table.source in SOURCES
        assert all(k in METRICS_BY_KEY for k in table.metrics)
        if table.source == "dims":
            assert all(METRICS_BY_KEY[k].dimension for k in table.metrics), table.key
        if table.source == "plans":
            assert all(f"{k}_plan" in METRICS_BY_KEY for k in table.metrics)
        assert table.title_vi and table.title_en


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_strings_the_pages_use_exist_in_both_languages(lang: str) -> None:
    keys = catalog_keys(lang)
    needed = {f"dimension.{t.dimension}" for p in PAGES for t in p.tables if t.dimension}
    needed |= {f"grain.{g}" for g in ("day", "week", "month")}
    needed |= {
        "trend.title",
        "breakdown.title",
        "table.title",
        "chart.last_year",
        "chart.epidemic_threshold",
        "sources.last_success",
        "map.back",
    }
    assert needed <= keys, needed - keys


def test_kinds_named_in_specs_have_labels() -> None:
    kinds = {k for p in PAGES for t in p.tables for k in t.kinds}
    kinds |= {k for p in PAGES if p.points for k in p.points.kinds}
    missing = {k for k in kinds if f"kind.{k}" not in catalog_keys("vi")} - {
        "late_dossier",
        "task",
        "report",
        "analytics",
    }
    assert not missing


def test_declared_dimension_members_have_both_names() -> None:
    for dimension, members in DIMENSIONS.items():
        for member in members:
            key = f"dim.{dimension}.{member}"
            assert key in catalog_keys("vi") and key in catalog_keys("en"), key
            assert member_name(dimension, member, "vi") and member_name(dimension, member, "en")
    assert PAGES_BY_DOMAIN["feedback"].points is not None

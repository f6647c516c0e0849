"""Contract of the metric catalog: one declaration per metric, names by i18n key, no ternaries."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from dashboards.specs import PAGES
from i18n import catalog_keys
from i18n.names import domain_name, domain_system, member_name, metric_name, metric_unit
from store.catalog import (
    DIMENSIONS,
    DOMAINS,
    METRICS,
    METRICS_BY_KEY,
    Aggregation,
    Direction,
    Domain,
    Metric,
    domain_metrics,
)

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIR = ROOT / "store" / "catalog"
CADENCES = {"day", "week", "month", "quarter", "year", "school_year"}
DOMAIN_MODULES = [d.key for d in DOMAINS]
# Choosing between the vi and en name of a metric or a domain in code: names come from
# i18n.names, by key. (Area, asset and page-spec column names are not the catalog's.)
PAIR_USE = re.compile(
    r"\b\w*(metric|domain|median)\w*(\.\w+)*\.(name|unit|system)_(vi|en)\b"
    r"|\bpair\[[^\]]*lang\b"
)
MEDIANS = [m.key for page in PAGES for m in page.medians]


def _both(key: str) -> bool:
    return key in catalog_keys("vi") and key in catalog_keys("en")


@pytest.mark.parametrize("key", [m.key for m in METRICS] + MEDIANS)
def test_every_metric_has_a_name_and_a_unit_in_both_languages(key: str) -> None:
    assert _both(f"metric.{key}.name"), key
    assert _both(f"metric.{key}.unit"), key
    assert metric_name(key, "vi").strip() and metric_name(key, "en").strip()


def test_units_come_from_the_catalogs_and_may_be_empty_for_an_index() -> None:
    assert metric_unit("health.outpatient_visits", "vi") == "lượt"
    assert metric_unit(METRICS_BY_KEY["health.outpatient_visits"], "en") == "visits"
    assert metric_unit("environment.aqi_max", "en") == ""  # VN_AQI has no unit


def test_every_domain_has_a_name_and_a_system_in_both_languages() -> None:
    for domain in DOMAINS:
        assert _both(f"domain.{domain.key}.name") and _both(f"domain.{domain.key}.system")
        assert domain_name(domain, "vi") != domain_name(domain, "en")
        assert domain_system(domain, "vi") != domain_system(domain, "en")


def test_every_declared_member_has_a_name_and_assets_keep_their_codes() -> None:
    for dimension, members in DIMENSIONS.items():
        for member in members:
            assert _both(f"dim.{dimension}.{member}"), (dimension, member)
    assert member_name("channel", "hotline", "vi") == "Tổng đài 1022"
    assert member_name("channel", "hotline", "en") == "Hotline 1022"
    assert member_name("agency", "so-y-te", "en") == "so-y-te"


def test_catalog_names_belong_to_a_declared_thing() -> None:
    known = {f"metric.{k}.{part}" for k in [*METRICS_BY_KEY, *MEDIANS] for part in ("name", "unit")}
    known |= {f"domain.{d.key}.{part}" for d in DOMAINS for part in ("name", "system")}
    known |= {f"dim.{dim}.{m}" for dim, members in DIMENSIONS.items() for m in members}
    prefixes = ("metric.", "domain.", "dim.")
    declared = {k for k in catalog_keys("vi") if k.startswith(prefixes) and k.count(".") >= 2}
    assert declared - known == set()


def test_names_are_not_fields_of_the_declarations() -> None:
    for cls in (Metric, Domain):
        fields = dataclasses.fields(cls)
        assert not [f.name for f in fields if f.name.endswith(("_vi", "_en"))], cls
        assert all(f.kw_only for f in fields), cls
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_one_module_per_domain_declares_its_domain_and_metrics() -> None:
    import importlib

    for key in DOMAIN_MODULES:
        module = importlib.import_module(f"store.catalog.{key}")
        assert module.DOMAIN.key == key
        assert domain_metrics(key) == module.METRICS
        assert all(m.domain == key for m in module.METRICS)


@pytest.mark.parametrize("path", sorted(CATALOG_DIR.glob("*.py")), ids=lambda p: p.name)
def test_no_catalog_module_rebinds_a_name(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound: Counter[str] = Counter()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    bound[name.id] += 1
    assert [n for n, count in bound.items() if count > 1] == []
    assert "replace(" not in path.read_text(encoding="utf-8")  # no second pass over metrics


def _sources() -> list[Path]:
    skip = {"i18n", "tests", ".venv", "var", "migrations"}
    files = [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]
    return files + [p for p in (ROOT / "tests").rglob("*.py") if p.name != "test_catalog.py"]


def test_no_code_picks_a_metric_or_domain_name_by_language() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PAIR_USE.search(line)
    ]
    assert found == []


def test_the_pattern_catches_the_old_ternaries() -> None:  # the test above can fail
    for line in (
        'name = metric.name_en if lang == "en" else metric.name_vi',
        'title = spec.domain.name_en if lang == "en" else spec.domain.name_vi',
        "page_header(title, spec.domain.system_vi, controls)",
        'row["x"] = pair[1 if lang == "en" else 0]',
    ):
        assert PAIR_USE.search(line), line
    assert not PAIR_USE.search('name = unit.name_en if lang == "en" else unit.name_vi')


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.key)
def test_metric_declares_a_known_cadence_and_its_flags(metric: Metric) -> None:
    assert metric.cadence in CADENCES
    assert isinstance(metric.public, bool)
    assert isinstance(metric.aggregation, Aggregation)
    assert isinstance(metric.direction, Direction)


@pytest.mark.parametrize(
    "metric", [m for m in METRICS if m.aggregation is Aggregation.RATIO], ids=lambda m: m.key
)
def test_ratio_components_are_declared(metric: Metric) -> None:
    assert metric.numerator and metric.denominator, metric.key
    assert metric.numerator in METRICS_BY_KEY and metric.denominator in METRICS_BY_KEY


def test_declarations_refuse_an_unknown_cadence_or_a_ratio_without_parts() -> None:
    with pytest.raises(ValueError, match="cadence"):
        Metric(
            key="x.y", aggregation=Aggregation.SUM, direction=Direction.UP, cadence="daily",
            public=True,
        )  # fmt: skip
    with pytest.raises(ValueError, match="numerator"):
        Metric(
            key="x.y", aggregation=Aggregation.RATIO, direction=Direction.UP, cadence="day",
            public=True, numerator="x.a",
        )  # fmt: skip


@pytest.mark.parametrize(
    "metric", [m for m in METRICS if m.aggregation is Aggregation.RATIO], ids=lambda m: m.key
)
def test_a_ratio_is_public_exactly_when_its_parts_are(metric: Metric) -> None:
    """A province ratio tells what its parts tell: a public rate of private counts (or the
    reverse) would make the flag say two things about one figure."""
    parts = [METRICS_BY_KEY[c].public for c in metric.components]
    assert parts == [metric.public] * len(parts), metric.key


def test_the_public_flag_divides_the_catalog() -> None:
    """Published figures are public; operational and restricted domains are not at all."""
    by_domain: dict[str, set[bool]] = {}
    for m in METRICS:
        by_domain.setdefault(m.domain, set()).add(m.public)
    for private in ("portals", "documents", "feedback", "cameras"):
        assert by_domain[private] == {False}, private
    for public in ("education", "tourism", "socio_economic"):
        assert by_domain[public] == {True}, public
    assert not METRICS_BY_KEY["public_services.pending"].public
    assert METRICS_BY_KEY["public_services.on_time_rate"].public

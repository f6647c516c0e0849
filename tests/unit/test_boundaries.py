"""Unit tests for geo.boundaries: layers from the shared boundary files, cache and problems."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas
import pytest

from geo.boundaries import BoundaryLayer, load_boundaries, unit_levels
from geo.hierarchy import load_admin_units

pytestmark = pytest.mark.unit

GEO_DIR = Path("/work/shared/geo")
TOLERANCE = 0.0005
SIZE_LIMIT = 150 * 1024

needs_geo = pytest.mark.skipif(
    not (GEO_DIR / "communes.geojson").is_file(), reason="shared boundary files not present"
)


@pytest.fixture(scope="module")
def known() -> dict[str, str]:
    return unit_levels(load_admin_units())


def _codes(known: dict[str, str], level: str) -> frozenset[str]:
    return frozenset(code for code, lvl in known.items() if lvl == level)


def _rings(geometry: dict[str, Any]) -> Iterator[tuple[list[list[float]], bool]]:
    """Yield (ring, is_exterior) for a Polygon or MultiPolygon."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            yield ring, index == 0


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace area: positive for counter-clockwise rings (x = lon, y = lat)."""
    pairs = itertools.pairwise(ring)
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs) / 2


def _vertices(collection: dict[str, Any]) -> int:
    return sum(len(ring) for f in collection["features"] for ring, _ in _rings(f["geometry"]))


def _load(known: dict[str, str], cache_dir: Path | None = None, directory: Path = GEO_DIR):
    return load_boundaries(
        directory, "districts.geojson", "communes.geojson", TOLERANCE, known, cache_dir
    )


@needs_geo
def test_real_layers_have_every_code_clockwise_and_small(known: dict[str, str]) -> None:
    boundaries = _load(known)
    assert boundaries.available, boundaries.problems
    assert boundaries.problems == ()
    for layer, level, count, source in (
        (boundaries.districts, "district", 11, "districts.geojson"),
        (boundaries.communes, "commune", 108, "communes.geojson"),
    ):
        assert isinstance(layer, BoundaryLayer)
        collection = json.loads(layer.geojson)
        print(f"{level}: {len(layer.geojson)} bytes, {_vertices(collection)} vertices")
        assert layer.level == level
        assert len(collection["features"]) == count
        assert layer.codes == _codes(known, level)
        assert {f["id"] for f in collection["features"]} == layer.codes
        assert len(layer.geojson) < SIZE_LIMIT
        original = json.loads((GEO_DIR / source).read_text(encoding="utf-8"))
        assert _vertices(collection) < _vertices(original)
        _assert_clockwise(collection)


def _assert_clockwise(collection: dict[str, Any]) -> None:
    for feature in collection["features"]:
        for ring, exterior in _rings(feature["geometry"]):
            area = _signed_area(ring)
            assert (area < 0) if exterior else (area > 0), feature["id"]


@needs_geo
def test_output_is_compact_utf8_with_only_code_and_name(known: dict[str, str]) -> None:
    layer = _load(known).districts
    assert layer is not None
    text = layer.geojson.decode("utf-8")
    assert ", " not in text and ": " not in text
    assert "Thành phố Sóc Trăng" in text
    feature = json.loads(text)["features"][0]
    assert feature["id"] == "941"
    assert feature["properties"] == {"code": "941", "name_vi": "Thành phố Sóc Trăng"}
    assert all(
        len(str(c).split(".")[-1]) <= 5 for ring, _ in _rings(feature["geometry"]) for c in ring[0]
    )


@needs_geo
def test_cache_is_reused_without_geopandas(
    known: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.perf_counter()
    cold = _load(known, tmp_path)
    cold_seconds = time.perf_counter() - started
    assert len(list(tmp_path.glob("*.geojson"))) == 2

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("geopandas.read_file called despite the cache")

    monkeypatch.setattr(geopandas, "read_file", refuse)
    started = time.perf_counter()
    cached = _load(known, tmp_path)
    print(f"cold {cold_seconds:.3f} s, cached {time.perf_counter() - started:.3f} s")
    assert cached == cold


@needs_geo
def test_corrupt_cache_is_rebuilt(known: dict[str, str], tmp_path: Path) -> None:
    expected = _load(known, tmp_path)
    for path in tmp_path.glob("*.geojson"):
        path.write_bytes(b'{"type": "FeatureCollection", "feat')
    rebuilt = _load(known, tmp_path)
    assert rebuilt == expected
    for path in tmp_path.glob("*.geojson"):
        assert path.read_bytes() in (expected.districts.geojson, expected.communes.geojson)


@needs_geo
def test_other_tolerance_gets_its_own_cache_entry(known: dict[str, str], tmp_path: Path) -> None:
    _load(known, tmp_path)
    coarse = load_boundaries(
        GEO_DIR, "districts.geojson", "communes.geojson", 0.002, known, tmp_path
    )
    fine = _load(known)
    assert coarse.districts is not None and fine.districts is not None
    assert len(coarse.districts.geojson) < len(fine.districts.geojson)
    assert coarse.districts.etag != fine.districts.etag


def test_no_directory_is_not_configured(known: dict[str, str]) -> None:
    boundaries = load_boundaries(None, "d.geojson", "c.geojson", TOLERANCE, known, None)
    assert not boundaries.available
    assert boundaries.problems == ("boundary directory not configured",)


def test_missing_directory_is_a_problem(known: dict[str, str], tmp_path: Path) -> None:
    boundaries = _load(known, directory=tmp_path / "absent")
    assert not boundaries.available
    assert boundaries.districts is None and boundaries.communes is None
    assert boundaries.problems == (f"boundary directory not found: {tmp_path / 'absent'}",)


def test_missing_file_is_a_problem(known: dict[str, str], tmp_path: Path) -> None:
    boundaries = _load(known, directory=tmp_path)
    assert not boundaries.available
    assert f"file not found: {tmp_path / 'districts.geojson'}" in boundaries.problems
    assert f"file not found: {tmp_path / 'communes.geojson'}" in boundaries.problems


def test_broken_file_is_a_problem(known: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "districts.geojson").write_text("{not json", encoding="utf-8")
    boundaries = _load(known, directory=tmp_path)
    assert boundaries.districts is None
    assert any(p.startswith("districts.geojson: cannot read") for p in boundaries.problems)


def _square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(properties: dict[str, Any], lon: float) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": _square(lon, 9.6)}


def test_unknown_and_missing_codes_are_dropped_and_reported(
    known: dict[str, str], tmp_path: Path
) -> None:
    features = [
        _feature({"code": "31498", "name_vi": "Phường 5", "extra": 1}, 105.90),
        _feature({"code": "99999", "name_vi": "Nowhere"}, 105.92),
        _feature({"name_vi": "No code"}, 105.94),
        _feature({"code": "941", "name_vi": "A district"}, 105.96),
        _feature({"code": "31498", "name_vi": "Phường 5"}, 105.91),
    ]
    collection = {"type": "FeatureCollection", "features": features}
    (tmp_path / "communes.geojson").write_text(json.dumps(collection), encoding="utf-8")
    boundaries = _load(known, directory=tmp_path)
    layer = boundaries.communes
    assert layer is not None
    assert layer.codes == frozenset({"31498"})
    problems = "\n".join(boundaries.problems)
    assert "communes.geojson: 1 feature(s) without a 'code' property" in problems
    assert "communes.geojson: 1 feature(s) with unknown code(s), dropped: 99999" in problems
    assert "dropped: 941" in problems
    assert "communes.geojson: 107 known commune code(s) have no polygon" in problems
    (feature,) = json.loads(layer.geojson)["features"]
    assert feature["properties"] == {"code": "31498", "name_vi": "Phường 5"}
    assert feature["geometry"]["type"] == "Polygon"  # the two overlapping squares dissolved
    _assert_clockwise({"features": [feature]})


def test_numeric_codes_are_read_as_text(known: dict[str, str], tmp_path: Path) -> None:
    collection = {"type": "FeatureCollection", "features": [_feature({"code": 941}, 105.9)]}
    (tmp_path / "districts.geojson").write_text(json.dumps(collection), encoding="utf-8")
    layer = _load(known, directory=tmp_path).districts
    assert layer is not None
    assert layer.codes == frozenset({"941"})
    assert json.loads(layer.geojson)["features"][0]["properties"]["name_vi"] is None

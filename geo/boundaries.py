"""Administrative boundary layers for the offline map, read from a configured directory."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.hierarchy import AdminUnit

logger = logging.getLogger(__name__)

LAYER_LEVELS = ("district", "commune")
COORDINATE_DECIMALS = 5
CACHE_FORMAT = "1"  # bump when the produced GeoJSON changes for the same input
_POLYGONAL = ("Polygon", "MultiPolygon")
_LISTED_CODES = 5  # codes quoted in a problem line before "…"


@dataclass(frozen=True)
class BoundaryLayer:
    level: str
    geojson: bytes
    codes: frozenset[str]
    etag: str


@dataclass(frozen=True)
class Boundaries:
    districts: BoundaryLayer | None
    communes: BoundaryLayer | None
    problems: tuple[str, ...]

    @property
    def available(self) -> bool:
        """True when both layers loaded, so the map can draw polygons."""
        return self.districts is not None and self.communes is not None


@dataclass(frozen=True)
class _Built:
    geojson: bytes | None
    problems: tuple[str, ...]


def unit_levels(units: Iterable[AdminUnit]) -> dict[str, str]:
    """Map each unit's code to its level, the `known_codes` argument of load_boundaries."""
    return {unit.code: unit.level for unit in units}


def load_boundaries(
    directory: Path | None,
    districts_file: str,
    communes_file: str,
    tolerance: float,
    known_codes: Mapping[str, str],
    cache_dir: Path | None,
) -> Boundaries:
    """Load both layers; never raise: a missing layer is None and `problems` says why."""
    if directory is None:
        return Boundaries(None, None, ("boundary directory not configured",))
    directory = Path(directory)
    if not directory.is_dir():
        return Boundaries(None, None, (f"boundary directory not found: {directory}",))
    problems: list[str] = []
    layers = [
        _load_layer(directory / name, level, tolerance, known_codes, cache_dir, problems)
        for name, level in ((districts_file, "district"), (communes_file, "commune"))
    ]
    return Boundaries(layers[0], layers[1], tuple(problems))


def _load_layer(
    path: Path,
    level: str,
    tolerance: float,
    known_codes: Mapping[str, str],
    cache_dir: Path | None,
    problems: list[str],
) -> BoundaryLayer | None:
    expected = frozenset(code for code, lvl in known_codes.items() if lvl == level)
    try:
        source = path.read_bytes()
    except FileNotFoundError:
        problems.append(f"file not found: {path}")
        return None
    except OSError as exc:
        problems.append(f"cannot read {path}: {exc.strerror or exc}")
        return None
    started = time.perf_counter()
    key = _cache_key(source, tolerance, expected)
    built = _read_cache(cache_dir, level, key)
    origin = "cache"
    if built is None:
        built = _build(path, level, tolerance, known_codes)
        origin = "built"
        if cache_dir is not None and built.geojson is not None:
            _write_cache(cache_dir, level, key, built)
    problems.extend(built.problems)
    if built.geojson is None:
        return None
    layer = _layer(level, built.geojson)
    problems.extend(_missing_problems(path.name, level, expected - layer.codes))
    _log_layer(layer, origin, time.perf_counter() - started)
    return layer


def _layer(level: str, geojson: bytes) -> BoundaryLayer:
    features = json.loads(geojson)["features"]
    codes = frozenset(str(feature["id"]) for feature in features)
    return BoundaryLayer(level, geojson, codes, hashlib.sha256(geojson).hexdigest())


def _log_layer(layer: BoundaryLayer, origin: str, seconds: float) -> None:
    vertices = _count_vertices(json.loads(layer.geojson))
    logger.info(
        "boundary layer %s: %d features, %d vertices, %d bytes (%s in %.3f s)",
        layer.level,
        len(layer.codes),
        vertices,
        len(layer.geojson),
        origin,
        seconds,
    )


def _count_vertices(collection: Mapping[str, Any]) -> int:
    total = 0
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        total += sum(len(ring) for polygon in polygons for ring in polygon)
    return total


def _missing_problems(file_name: str, level: str, missing: frozenset[str]) -> list[str]:
    if not missing:
        return []
    return [f"{file_name}: {len(missing)} known {level} code(s) have no polygon: {_list(missing)}"]


def _list(codes: Iterable[str]) -> str:
    ordered = sorted(codes)
    shown = ", ".join(ordered[:_LISTED_CODES])
    return shown + (", …" if len(ordered) > _LISTED_CODES else "")


# --- cache -----------------------------------------------------------------------------------


def _cache_key(source: bytes, tolerance: float, codes: frozenset[str]) -> str:
    digest = hashlib.sha256(source)
    digest.update(f"\0{CACHE_FORMAT}\0{tolerance!r}\0".encode())
    digest.update(",".join(sorted(codes)).encode())
    return digest.hexdigest()


def _cache_paths(cache_dir: Path, level: str, key: str) -> tuple[Path, Path]:
    return cache_dir / f"{level}-{key}.geojson", cache_dir / f"{level}-{key}.problems.json"


def _read_cache(cache_dir: Path | None, level: str, key: str) -> _Built | None:
    if cache_dir is None:
        return None
    data_path, problems_path = _cache_paths(cache_dir, level, key)
    try:
        data = data_path.read_bytes()
        problems = json.loads(problems_path.read_text(encoding="utf-8"))
        _check_collection(json.loads(data))
        if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
            raise ValueError("problems file is not a list of strings")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("ignoring broken boundary cache %s: %s", data_path, exc)
        return None
    return _Built(data, tuple(problems))


def _check_collection(collection: Any) -> None:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValueError("not a FeatureCollection")
    features = collection["features"]
    if not features or not all(isinstance(f["id"], str) and f["geometry"] for f in features):
        raise ValueError("features without an id or geometry")
    _count_vertices(collection)


def _write_cache(cache_dir: Path, level: str, key: str, built: _Built) -> None:
    data_path, problems_path = _cache_paths(cache_dir, level, key)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(problems_path, json.dumps(list(built.problems)).encode())
        _write_atomic(data_path, built.geojson or b"")
        _remove_stale(cache_dir, level, key)
    except OSError as exc:
        logger.warning("cannot write boundary cache in %s: %s", cache_dir, exc)


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _remove_stale(cache_dir: Path, level: str, key: str) -> None:
    pattern = re.compile(rf"{level}-([0-9a-f]{{64}})(\.geojson|\.problems\.json)")
    for path in cache_dir.iterdir():
        match = pattern.fullmatch(path.name)
        if match and match.group(1) != key:
            path.unlink(missing_ok=True)


# --- building (geopandas) --------------------------------------------------------------------


def _build(path: Path, level: str, tolerance: float, known_codes: Mapping[str, str]) -> _Built:
    import geopandas  # imported here so a cached start never pays for it

    try:
        frame = geopandas.read_file(path, engine="pyogrio")
    except Exception as exc:  # any driver or parse error: report, never raise
        reason = str(exc).split(";")[0].strip() or type(exc).__name__
        return _Built(None, (f"{path.name}: cannot read: {reason}",))
    problems: list[str] = []
    try:
        geojson = _process(frame, path.name, level, tolerance, known_codes, problems)
    except Exception as exc:  # unexpected geometry or projection trouble: report, never raise
        logger.exception("cannot process boundary file %s", path)
        problems.append(f"{path.name}: cannot process: {exc}")
        geojson = None
    return _Built(geojson, tuple(problems))


def _process(
    frame: gpd.GeoDataFrame,
    file_name: str,
    level: str,
    tolerance: float,
    known_codes: Mapping[str, str],
    problems: list[str],
) -> bytes | None:
    frame = _clean(frame, file_name, level, known_codes, problems)
    if frame.empty:
        problems.append(f"{file_name}: no usable {level} features")
        return None
    return _serialise(_shape(frame, tolerance))


def _clean(
    frame: gpd.GeoDataFrame,
    file_name: str,
    level: str,
    known_codes: Mapping[str, str],
    problems: list[str],
) -> gpd.GeoDataFrame:
    frame = _core_columns(_to_wgs84(frame))
    no_code = frame.code.isna()
    if no_code.any():
        problems.append(
            f"{file_name}: {int(no_code.sum())} feature(s) without a 'code' property, dropped"
        )
        frame = frame[~no_code]
    checks = (
        (lambda f: ~f.code.isin(list(known_codes)), "unknown code(s)"),
        (lambda f: f.code.map(known_codes) != level, f"code(s) of another level than {level}"),
        (lambda f: ~f.geom_type.isin(_POLYGONAL) | f.geometry.is_empty, "no polygon"),
    )
    for rejects, reason in checks:
        frame = _drop(frame, rejects(frame), file_name, reason, problems)
    return _dissolve(frame)


def _core_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep only `code` and `name_vi` (as text, None when absent) and the geometry."""
    columns = {
        name: [_text(v) for v in frame[name]] if name in frame.columns else [None] * len(frame)
        for name in ("code", "name_vi")
    }
    return frame.assign(**columns)[["code", "name_vi", frame.geometry.name]]


def _drop(
    frame: gpd.GeoDataFrame, mask: Any, file_name: str, reason: str, problems: list[str]
) -> gpd.GeoDataFrame:
    count = int(mask.sum())
    if count:
        codes = _list(set(frame.code[mask]))
        problems.append(f"{file_name}: {count} feature(s) with {reason}, dropped: {codes}")
    return frame[~mask]


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        return frame.set_crs(4326)
    if frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text if text and text.lower() not in ("nan", "<na>") else None


def _dissolve(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        frame = frame.assign(geometry=frame.geometry.where(~invalid, frame.geometry.make_valid()))
    if frame.code.duplicated().any():
        logger.info("dissolving %d duplicate boundary codes", int(frame.code.duplicated().sum()))
        frame = frame.dissolve(by="code", aggfunc={"name_vi": "first"}, as_index=False)
    return frame.sort_values("code")


def _shape(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    import shapely

    geometry = frame.geometry
    if tolerance > 0:
        geometry = geometry.simplify(tolerance, preserve_topology=True)
    polygons = [_polygonal(geom) for geom in geometry.values]
    oriented = shapely.orient_polygons(polygons, exterior_cw=True)
    return frame.set_geometry(list(oriented), crs=frame.crs)


def _polygonal(geom: Any) -> Any:
    """Keep only the polygon parts (make_valid or a dissolve can add lines or points)."""
    import shapely

    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in _POLYGONAL]
    return shapely.union_all(parts)


def _serialise(frame: gpd.GeoDataFrame) -> bytes:
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name_vi": name},
            "geometry": _rounded(geom.__geo_interface__),
        }
        for code, name, geom in zip(frame.code, frame.name_vi, frame.geometry, strict=True)
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _rounded(geometry: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def _round(value: Any) -> Any:
    if isinstance(value, int | float):
        return round(float(value), COORDINATE_DECIMALS)
    if value and isinstance(value[0], int | float):
        return [round(float(c), COORDINATE_DECIMALS) for c in value[:2]]
    return [_round(item) for item in value]

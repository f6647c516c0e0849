"""The parts of shared, province-wide resources a visitor may see: boundary layers cut to the
permitted area, and the district centres' own entry URL."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Flask, abort, redirect
from werkzeug.wrappers import Response

from dashboards.context import permitted_root, services
from dashboards.denials import record_denial
from geo.boundaries import BoundaryLayer

LAYER_CACHE_PREFIX = "geo-within"


@dataclass(frozen=True, slots=True)
class VisibleLayer:
    geojson: bytes
    etag: str


def visible_layer(layer: BoundaryLayer) -> VisibleLayer | None:
    """The layer's features inside the visitor's permitted area (all of them for the whole
    province); None when nothing is permitted (the refusal is audited)."""
    root = permitted_root()
    areas = services().queries.areas
    if root is None:
        record_denial("boundaries", layer.level, "nothing is permitted")
        return None
    if root == areas.root:
        return VisibleLayer(layer.geojson, layer.etag)
    etag = f"{layer.etag}-{root}"
    cache = services().queries.cache
    key = f"{LAYER_CACHE_PREFIX}:{etag}"
    found = cache.get(key)
    if found is None:
        found = features_within(layer.geojson, frozenset(areas.descendants(root)))
        cache.set(key, found, timeout=0)
    return VisibleLayer(found, etag)


def features_within(geojson: bytes, codes: frozenset[str]) -> bytes:
    """The feature collection keeping only the features whose code is one of `codes`."""
    collection = json.loads(geojson)
    kept = [f for f in collection["features"] if f.get("properties", {}).get("code") in codes]
    cut = {"type": "FeatureCollection", "features": kept}
    return json.dumps(cut, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def register(server: Flask) -> None:
    @server.get("/huyen/<code>")
    def district_entry(code: str) -> Response:
        """A district centre's entry: the overview already scoped to the district; another
        district (or anything outside what the visitor may see) opens their own area."""
        areas = services().queries.areas
        if code not in areas or areas.get(code).level != "district":
            abort(404)
        root = permitted_root()
        if root is not None and areas.is_within(code, root):
            return redirect(f"/?area={code}")
        record_denial("district entry", code, "outside the permitted area")
        return redirect(f"/?area={root}" if root else "/")

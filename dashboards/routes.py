"""Plain HTTP routes beside the pages: /healthz and the boundary layers (served once, cached)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, jsonify, request

from dashboards.context import services
from store.scope import Scope, Window


def geojson_url(level: str) -> str | None:
    """The versioned URL of a boundary layer, or None when that layer is not loaded."""
    layer = _layer(level)
    return f"/geo/{level}.geojson?v={layer.etag[:12]}" if layer else None


def _layer(level: str) -> Any:
    boundaries = services().boundaries
    return {"district": boundaries.districts, "commune": boundaries.communes}.get(level)


def register(server: Flask) -> None:
    @server.get("/geo/<level>.geojson")
    def boundary_layer(level: str) -> Response:
        layer = _layer(level)
        if layer is None:
            abort(404)
        if request.if_none_match.contains(layer.etag):
            return Response(status=304)
        response = Response(layer.geojson, mimetype="application/geo+json")
        response.set_etag(layer.etag)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @server.get("/camera/<camera>/snapshot")
    def camera_snapshot(camera: str) -> Response:
        svc = services()
        scope = Scope(svc.queries.areas.root, Window.named("today", svc.clock()))
        found = svc.store.queries.snapshot(scope, camera)
        if found is None:
            abort(404)
        taken_at, content_type, content = found
        etag = f"{camera}-{int(taken_at.timestamp())}"
        if request.if_none_match.contains(etag):
            return Response(status=304)
        response = Response(content, mimetype=content_type)
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"  # revalidate: a camera's image changes
        response.headers["X-Snapshot-Taken-At"] = taken_at.isoformat()
        return response

    @server.get("/healthz")
    def healthz() -> tuple[Response, int]:
        svc = services()
        reachable = svc.store.queries.ping()
        feeds = svc.store.queries.feed_health() if reachable else []
        body = {
            "status": "ok"
            if reachable and all(f.last_status != "failed" for f in feeds)
            else "degraded",
            "time": svc.clock().isoformat(),
            "database": {"reachable": reachable, "dialect": svc.store.engine.dialect.name},
            "boundaries": {
                "loaded": svc.boundaries.available,
                "problems": list(svc.boundaries.problems),
            },
            "feeds": [_feed_json(f) for f in feeds],
        }
        return jsonify(body), 200 if reachable else 503


def _feed_json(feed: Any) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": feed.id,
        "type": feed.type,
        "enabled": feed.enabled,
        "demo": feed.demo,
        "interval_s": feed.interval_s,
        "last_status": feed.last_status,
        "last_run_at": iso(feed.last_run_at),
        "last_success_at": iso(feed.last_success_at),
        "last_error_kind": feed.last_error_kind,
        "last_error": feed.last_error,
        "consecutive_failures": feed.consecutive_failures,
    }

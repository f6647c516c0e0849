"""Plain HTTP routes beside the pages: /healthz, boundary layers, camera stills and streams."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from html import escape
from typing import Any, NoReturn

from flask import Flask, Response, abort, current_app, jsonify, request

from access.current import VisitorKind, current_visitor
from dashboards.context import current_lang, permitted_root, scope_for, services
from dashboards.denials import record_denial
from dashboards.visible import visible_layer
from i18n import t
from media import demo
from media.limits import LeasedStream, StreamLimiter
from media.mjpeg import StreamError, StreamRefused, open_upstream
from store.read_models import Place
from store.scope import Scope, ScopeError

DEMO_STREAM_PREFIX = "/demo/mjpeg/"  # streams this app draws itself for the demo cameras
LIMITER_KEY = "ioc.stream_limiter"
RETRY_AFTER_S = 30
# Images come from feeds: a browser opening one directly must not run it (an SVG can carry
# script). `sandbox` gives the document a unique origin with scripts off; nosniff stops a
# browser from reading an image as HTML.
IMAGE_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
SERVED_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
SVG = "image/svg+xml"
log = logging.getLogger(__name__)


def geojson_url(level: str) -> str | None:
    """The versioned URL of a boundary layer, or None when that layer is not loaded."""
    layer = _layer(level)
    root = permitted_root()  # each permitted area has its own cut of the layer
    return f"/geo/{level}.geojson?v={layer.etag[:12]}-{root}" if layer and root else None


def _layer(level: str) -> Any:
    boundaries = services().boundaries
    return {"district": boundaries.districts, "commune": boundaries.communes}.get(level)


def register(server: Flask) -> None:
    @server.errorhandler(ScopeError)
    def out_of_scope(error: ScopeError) -> tuple[Response, int]:
        """A route's read refused by the scope: nothing of it is sent, the refusal audited."""
        record_denial("route", request.path, str(error))
        return jsonify({"error": "not found"}), 404

    @server.get("/geo/<level>.geojson")
    def boundary_layer(level: str) -> Response:
        layer = _layer(level)
        shown = visible_layer(layer) if layer is not None else None
        if shown is None:
            abort(404)
        if request.if_none_match.contains(shown.etag):
            return Response(status=304)
        response = Response(shown.geojson, mimetype="application/geo+json")
        response.set_etag(shown.etag)
        # private: what a layer holds depends on who asks, no shared cache may keep it
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response

    @server.get("/camera/<camera>/snapshot")
    def camera_snapshot(camera: str) -> Response:
        scope = _camera_scope()
        found = None if scope.permits_nothing else services().store.queries.snapshot(scope, camera)
        if found is None:
            _not_found(camera)
        taken_at, content_type, content = found
        if content_type not in SERVED_IMAGE_TYPES | {SVG}:
            abort(404)  # the store only takes images; anything else is never served
        etag = f"{camera}-{int(taken_at.timestamp())}"
        if request.if_none_match.contains(etag):
            return Response(status=304)
        response = Response(content, mimetype=content_type)
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"  # revalidate: a camera's image changes
        response.headers["X-Snapshot-Taken-At"] = taken_at.isoformat()
        return _inert(response)

    @server.get("/camera/<camera>/stream")
    def camera_stream(camera: str) -> Response:
        """Relay the camera's MJPEG stream: the browser never talks to a camera itself."""
        found = _camera(camera)
        if found is None:
            _not_found(camera)
        url = str(found.attributes.get("stream_url") or "")
        if not url:
            abort(404)
        if url.startswith(DEMO_STREAM_PREFIX):
            stream = demo.stream(url.removeprefix(DEMO_STREAM_PREFIX), services().clock)
            return _relay(stream, demo.CONTENT_TYPE)
        lease = _limiter().acquire(_client())
        if lease is None:
            return _streams_busy()
        try:
            upstream = open_upstream(url, services().settings.cameras)
        except StreamError as exc:
            lease.release()
            log.warning("camera %s stream not relayed: %s", camera[:64], exc)
            return _stream_unavailable(str(exc), 403 if isinstance(exc, StreamRefused) else 502)
        lifetime = services().settings.cameras.max_lifetime
        return _multipart(LeasedStream(upstream.chunks(), lease, lifetime), upstream.content_type)

    @server.get(f"{DEMO_STREAM_PREFIX}<camera>")
    def demo_stream(camera: str) -> Response:
        """The demo cameras' own stream endpoint (what their stream URL names)."""
        found = _camera(camera)
        if found is None:
            _not_found(camera)
        if found.attributes.get("stream_url") != DEMO_STREAM_PREFIX + camera:
            abort(404)
        return _relay(demo.stream(camera, services().clock), demo.CONTENT_TYPE)

    @server.get("/healthz")
    def healthz() -> tuple[Response, int]:
        svc = services()
        reachable = svc.store.guard.reachable()  # answers within the probe timeout
        feeds = svc.store.queries.feed_health() if reachable else []
        healthy = reachable and all(f.last_status != "failed" for f in feeds)
        body: dict[str, Any] = {"status": "ok" if healthy else "degraded"}
        visitor = current_visitor()
        people = visitor is not None and visitor.kind is VisitorKind.USER
        if not people or permitted_root() != svc.queries.areas.root:  # liveness only
            if people:  # a district user asked for the province's operational details
                record_denial("healthz details", request.path, "not a province-wide role")
            return jsonify(body), 200 if reachable else 503
        body["time"] = svc.clock().isoformat()
        body["database"] = {"reachable": reachable, "dialect": svc.store.engine.dialect.name}
        body["boundaries"] = {
            "loaded": svc.boundaries.available,
            "problems": list(svc.boundaries.problems),
        }
        body["feeds"] = [_feed_json(f) for f in feeds]
        return jsonify(body), 200 if reachable else 503


def _camera_scope() -> Scope:
    """What a camera request may see: the visitor's permitted area, or the part of it the page
    asks with `?area=` (a camera outside it is not found). An unknown area is a bad request."""
    svc = services()
    area = request.args.get("area")
    if area and area not in svc.queries.areas:
        abort(400)
    return scope_for(area, "today")


def _camera(camera: str) -> Place | None:
    """The camera asset, if it lies inside what the request may see."""
    scope = _camera_scope()
    if scope.permits_nothing:
        return None
    cameras = services().queries.assets(scope, "cameras", ("camera",))
    return next((c for c in cameras if c.source_id == camera), None)


def _not_found(camera: str) -> NoReturn:
    """A camera outside what the visitor may see is refused exactly like an unknown one."""
    record_denial("camera", camera, "not a camera inside the permitted area")
    abort(404)


def _limiter() -> StreamLimiter:
    """This process's count of open relays (each holds a server thread while it runs)."""
    limiter = current_app.extensions.get(LIMITER_KEY)
    if limiter is None:
        cameras = services().settings.cameras
        limiter = StreamLimiter(cameras.max_streams_per_client, cameras.max_streams)
        limiter = current_app.extensions.setdefault(LIMITER_KEY, limiter)
    return limiter


def _client() -> str:
    return request.remote_addr or "unknown"


def _relay(stream: Iterator[bytes], content_type: str) -> Response:
    """A stream the app draws itself, under the same limits as a camera relay."""
    lease = _limiter().acquire(_client())
    if lease is None:
        stream_close = getattr(stream, "close", None)
        if stream_close is not None:
            stream_close()
        return _streams_busy()
    lifetime = services().settings.cameras.max_lifetime
    return _multipart(LeasedStream(stream, lease, lifetime), content_type)


def _bound_slow_viewer() -> None:
    """A viewer that stops reading must not hold its server thread: writes to it time out
    after the idle timeout, the server then closes the stream (and with it the camera).
    gunicorn's gthread resets the socket's mode once the response is done."""
    for key in ("gunicorn.socket", "werkzeug.socket"):
        sock = request.environ.get(key)
        if isinstance(sock, socket.socket):
            sock.settimeout(services().settings.cameras.idle_timeout)
            return


def _multipart(body: Any, content_type: str) -> Response:
    _bound_slow_viewer()
    response = Response(body, content_type=content_type, direct_passthrough=True)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a reverse proxy must not hold frames back
    return _inert(response)


def _inert(response: Response) -> Response:
    """Headers every image response carries: never sniffed, never active content."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    return response


def _streams_busy() -> Response:
    """Too many open streams (this viewer's or the server's): try again later."""
    response = _stream_unavailable("too many open streams", 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _stream_unavailable(reason: str, status: int = 502) -> Response:
    """A placeholder image saying the stream cannot be reached (shown in the <img>)."""
    text = escape(t("camera.stream_unavailable", current_lang()))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360" width="640" height="360">'
        '<rect width="640" height="360" fill="#1f2a37"/>'
        f'<text x="320" y="170" fill="#ff8a80" font-size="26" font-family="sans-serif" '
        f'text-anchor="middle">{text}</text>'
        f'<text x="320" y="210" fill="#9fb0c2" font-size="16" font-family="sans-serif" '
        f'text-anchor="middle">{escape(reason[:80])}</text></svg>'
    )
    response = Response(svg, status=status, mimetype=SVG)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Stream-Error"] = reason[:200].encode("ascii", "replace").decode()
    return _inert(response)


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

"""Demo camera stills: a deterministic SVG street scene per camera and minute, time-stamped."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime
from html import escape

import numpy as np

from feeds.simulator.cameras import cameras, last_online
from feeds.simulator.world import World
from store.records import Snapshot
from store.scope import LOCAL_TZ

WIDTH, HEIGHT = 640, 360
CAR_COLOURS = ("#e53935", "#fdd835", "#1e88e5", "#f5f5f5", "#43a047", "#8e24aa", "#fb8c00")


def camera_snapshots(world: World) -> Iterator[Snapshot]:
    """Each camera's newest still: taken now if it is online, else when it was last seen."""
    for camera, seen in zip(cameras(world), last_online(world), strict=True):
        if seen is not None:
            yield snapshot(camera.source_id, camera.name, seen.replace(second=0, microsecond=0))


def snapshot(camera: str, name: str, taken_at: datetime) -> Snapshot:
    """The still a camera would have sent at `taken_at` (same inputs, same image)."""
    local = taken_at.astimezone(LOCAL_TZ)
    seed = zlib.crc32(f"{camera}|{local:%Y%m%d%H%M}".encode())
    rng = np.random.default_rng(seed)
    night = local.hour < 6 or local.hour >= 18
    parts = [
        _sky(night),
        _buildings(rng, night),
        _road(),
        *_vehicles(rng, night),
        _stamp(name, local),
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}">{"".join(parts)}</svg>'
    )
    return Snapshot(camera, taken_at, "image/svg+xml", svg.encode("utf-8"))


def _sky(night: bool) -> str:
    top, bottom = ("#0b1526", "#24344d") if night else ("#8ec5ff", "#dcefff")
    return (
        f'<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/>'
        f'</linearGradient></defs><rect width="{WIDTH}" height="{HEIGHT}" fill="url(#s)"/>'
    )


def _buildings(rng: np.random.Generator, night: bool) -> str:
    shapes, x = [], 0
    while x < WIDTH:
        width, height = int(rng.integers(40, 90)), int(rng.integers(50, 150))
        shade = "#1c2533" if night else "#9aa7b5"
        shapes.append(
            f'<rect x="{x}" y="{170 - height}" width="{width - 4}" height="{height}" '
            f'fill="{shade}"/>'
        )
        if night:
            shapes.extend(_windows(rng, x, 170 - height, width - 4, height))
        x += width
    return "".join(shapes)


def _windows(rng: np.random.Generator, x: int, y: int, width: int, height: int) -> list[str]:
    lit = []
    for wx in range(x + 6, x + width - 8, 12):
        for wy in range(y + 8, y + height - 10, 16):
            if rng.random() < 0.35:
                lit.append(f'<rect x="{wx}" y="{wy}" width="6" height="8" fill="#ffd54f"/>')
    return lit


def _road() -> str:
    dashes = "".join(
        f'<rect x="{x}" y="262" width="36" height="5" fill="#f5f5f5"/>'
        for x in range(10, WIDTH, 70)
    )
    return (
        f'<rect y="170" width="{WIDTH}" height="{HEIGHT - 170}" fill="#3d4650"/>'
        f'<rect y="170" width="{WIDTH}" height="8" fill="#8d99a6"/>{dashes}'
    )


def _vehicles(rng: np.random.Generator, night: bool) -> list[str]:
    cars = []
    for _ in range(int(rng.integers(1, 9))):
        lane = int(rng.integers(0, 2))
        x, y = int(rng.integers(0, WIDTH - 70)), 205 + lane * 80 + int(rng.integers(-6, 6))
        colour = CAR_COLOURS[int(rng.integers(0, len(CAR_COLOURS)))]
        cars.append(
            f'<rect x="{x}" y="{y}" width="64" height="30" rx="7" fill="{colour}"/>'
            f'<rect x="{x + 12}" y="{y - 12}" width="38" height="16" rx="5" '
            f'fill="{colour}" opacity=".85"/>'
        )
        if night:
            cars.append(f'<circle cx="{x + 62}" cy="{y + 14}" r="5" fill="#fff59d"/>')
    return cars


def _stamp(name: str, local: datetime) -> str:
    text = escape(f"{name}  {local:%d/%m/%Y %H:%M:%S}")
    return (
        f'<rect y="{HEIGHT - 30}" width="{WIDTH}" height="30" fill="#000" opacity=".55"/>'
        f'<text x="10" y="{HEIGHT - 10}" fill="#fff" font-family="DejaVu Sans, sans-serif" '
        f'font-size="15">{text}</text>'
    )

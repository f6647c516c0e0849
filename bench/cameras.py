"""Cameras: one snapshot cycle of the camera feed over N loopback cameras (1280×720 JPEGs,
validated, thumbnailed and stored), against the floor of the same GETs without Pillow/store.

Run: python -m bench.cameras [--cameras 300] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import numpy as np
import requests
from PIL import Image

from feeds.runner import FeedRunner
from media.demo import frame
from settings import FeedConfig
from store import Store
from tests.fixtures.http_server import Route, serve


def still() -> bytes:
    """A camera-like 1280×720 still: the demo street scene enlarged, with sensor noise."""
    scene = Image.fromarray(frame("bench-cam", datetime(2026, 11, 20, 3, 0, tzinfo=UTC)), "RGB")
    pixels = np.asarray(scene.resize((1280, 720)), dtype=np.int16)
    noise = np.random.default_rng(94).normal(0, 6, pixels.shape).astype(np.int16)
    buffer = BytesIO()
    Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), "RGB").save(
        buffer, "JPEG", quality=80
    )
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    image = still()
    routes = {f"/c{i}.jpg": Route(200, image, "image/jpeg") for i in range(args.cameras)}
    with serve(routes) as server, tempfile.TemporaryDirectory() as folder:
        urls = [server.url(f"/c{i}.jpg") for i in range(args.cameras)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(lambda u: requests.get(u, timeout=10).content, urls))
        floor = time.perf_counter() - started
        cams = [
            {"id": f"cam-{i}", "name": f"Camera {i}", "area": "31498", "snapshot_url": url}
            for i, url in enumerate(urls)
        ]
        options = {"cameras": cams, "concurrency": args.concurrency, "timeout_s": 10}
        config = FeedConfig.model_validate(
            {"id": "cams", "type": "camera", "interval": 60, "timeout": 600, "options": options}
        )
        store = Store.open(f"sqlite:///{Path(folder) / 'cameras.db'}")
        started = time.perf_counter()
        report = FeedRunner(store, [config]).run("cams")
        cycle = time.perf_counter() - started
        store.engine.dispose()
    print(
        f"{args.cameras} cameras ({len(image) // 1024} KiB stills), concurrency "
        f"{args.concurrency}: cycle {cycle:.2f} s ({report.accepted} records, {report.status}); "
        f"floor (the same GETs only) {floor:.2f} s"
    )


if __name__ == "__main__":
    main()

"""Demo camera video: a street scene per camera, drawn frame by frame and JPEG-encoded."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from media.jpeg import encode
from media.mjpeg import BOUNDARY, part

WIDTH, HEIGHT = 320, 180
FPS = 2.0
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# 3×5 bitmap glyphs for the on-screen clock (rows top to bottom, 3 bits each).
GLYPHS = {
    "0": (7, 5, 5, 5, 7), "1": (2, 6, 2, 2, 7), "2": (7, 1, 7, 4, 7), "3": (7, 1, 7, 1, 7),
    "4": (5, 5, 7, 1, 1), "5": (7, 4, 7, 1, 7), "6": (7, 4, 7, 5, 7), "7": (7, 1, 1, 1, 1),
    "8": (7, 5, 7, 5, 7), "9": (7, 5, 7, 1, 7), ":": (0, 2, 0, 2, 0), "/": (1, 1, 2, 4, 4),
    "-": (0, 0, 7, 0, 0), " ": (0, 0, 0, 0, 0),
}  # fmt: skip
CAR_COLOURS = np.array(
    [[229, 57, 53], [253, 216, 53], [30, 136, 229], [245, 245, 245], [67, 160, 71]],
    dtype=np.uint8,
)


def frame(camera: str, moment: datetime) -> np.ndarray:
    """The camera's view at `moment`: same camera and time, same picture."""
    local = moment.astimezone(LOCAL_TZ)
    rng = np.random.default_rng(zlib.crc32(camera.encode()))
    night = local.hour < 6 or local.hour >= 18
    image = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    rows = np.linspace(0.0, 1.0, 100)[:, None]
    top, bottom = (
        (np.array([11, 21, 38]), np.array([36, 52, 77]))
        if night
        else (np.array([142, 197, 255]), np.array([220, 239, 255]))
    )
    image[:100] = (top + (bottom - top) * rows)[:, None, :].astype(np.uint8)
    image[100:] = (38, 50, 56) if night else (96, 125, 80)
    _buildings(image, rng, night)
    image[120:168] = (55, 60, 66)  # the road
    seconds = moment.timestamp()
    offset = int(seconds * 40) % 40
    for x in range(-offset, WIDTH, 40):
        image[142:146, max(x, 0) : max(x + 20, 0)] = (240, 240, 240)  # lane dashes
    _vehicles(image, rng, seconds)
    _text(image, f"{local:%d/%m/%Y %H:%M:%S}", 6, 6, 2)
    blink = int(seconds * FPS) % 2 == 0
    if blink:
        image[7:15, WIDTH - 16 : WIDTH - 8] = (229, 57, 53)  # the recording dot
    return image


def _buildings(image: np.ndarray, rng: np.random.Generator, night: bool) -> None:
    x = 0
    while x < WIDTH:
        width, height = int(rng.integers(20, 46)), int(rng.integers(25, 75))
        shade = int(rng.integers(90, 170)) // (3 if night else 1)
        image[100 - height : 100, x : x + width - 2] = (shade, shade, shade + 10)
        if night:
            image[104 - height : 100 : 8, x + 3 : x + width - 5 : 6] = (255, 214, 120)
        x += width


def _vehicles(image: np.ndarray, rng: np.random.Generator, seconds: float) -> None:
    for lane, (top, direction) in enumerate(((124, 1), (148, -1))):
        for n in range(3):
            speed = float(rng.uniform(25, 60))
            start = float(rng.uniform(0, WIDTH + 60))
            x = int((start + direction * speed * seconds) % (WIDTH + 60)) - 40
            colour = CAR_COLOURS[(lane * 3 + n + int(start)) % len(CAR_COLOURS)]
            image[top : top + 14, max(x, 0) : max(x + 34, 0)] = colour
            image[top + 2 : top + 7, max(x + 8, 0) : max(x + 26, 0)] = (170, 205, 230)


def _text(image: np.ndarray, text: str, left: int, top: int, scale: int) -> None:
    width = len(text) * 4 * scale + scale
    image[top - scale : top + 6 * scale, left - scale : left + width] //= 3  # dark backing
    for i, char in enumerate(text):
        for row, bits in enumerate(GLYPHS.get(char, GLYPHS[" "])):
            for col in range(3):
                if bits & (4 >> col):
                    y, x = top + row * scale, left + (i * 4 + col) * scale
                    image[y : y + scale, x : x + scale] = 255


def stream(
    camera: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
    frames: int | None = None,
) -> Iterator[bytes]:
    """An endless multipart/x-mixed-replace body of JPEG frames at FPS."""
    sent = 0
    while frames is None or sent < frames:
        yield part(encode(frame(camera, clock()), quality=70))
        sent += 1
        sleep(1 / FPS)


CONTENT_TYPE = f"multipart/x-mixed-replace; boundary={BOUNDARY}"

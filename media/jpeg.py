"""JPEG encoding of frames drawn in numpy, by Pillow (no hand-written codec)."""

from __future__ import annotations

from io import BytesIO

import numpy as np
from PIL import Image


def encode(rgb: np.ndarray, quality: int = 75) -> bytes:
    """Encode an (H, W, 3) uint8 image as a baseline JPEG."""
    buffer = BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB").save(
        buffer, "JPEG", quality=min(max(quality, 1), 95)
    )
    return buffer.getvalue()

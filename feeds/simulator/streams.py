"""Hash-free random streams: the same (seed, name, day or key) always draws the same numbers."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from datetime import date

import numpy as np

_MASK_64 = (1 << 64) - 1


def _entropy(seed: int, name: str) -> list[int]:
    return [seed & _MASK_64, zlib.crc32(name.encode("utf-8"))]


def day_rng(seed: int, name: str, day: date) -> np.random.Generator:
    """The random stream of one model (`name`) for one calendar day."""
    return np.random.default_rng([*_entropy(seed, name), day.toordinal()])


def static_rng(seed: int, name: str) -> np.random.Generator:
    """A random stream that does not depend on the day (profiles, fixed installations)."""
    return np.random.default_rng(_entropy(seed, name))


def stable_uniform(seed: int, name: str, key: str) -> float:
    """A uniform number in [0, 1) tied to one key (an area code, an asset id), order-free."""
    digest = hashlib.blake2b(f"{seed}|{name}|{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def stable_uniforms(seed: int, name: str, keys: Iterable[str]) -> np.ndarray:
    """`stable_uniform` for many keys, as an array in the keys' order."""
    return np.array([stable_uniform(seed, name, key) for key in keys], dtype=float)


def between(u: np.ndarray | float, low: float, high: float) -> np.ndarray | float:
    """Map uniform draws in [0, 1) onto [low, high)."""
    return low + (high - low) * u

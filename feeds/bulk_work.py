"""Fewer garbage collections while a feed run builds large batches.

A 100,000-row report becomes some 300,000 container objects (rows, records, tuples) that
stay alive until the batch is written; with CPython's default first-generation threshold
(700 allocations) the collector walks that growing heap hundreds of times, which was more
than half the time of reading a large CSV. While at least one run is going, the first
threshold is raised to BULK_THRESHOLD and the second to MIDDLE (collections still happen,
some 14× less often; reference counting frees everything else as before; nothing is frozen,
so a process where runs always overlap still collects its cycles) and both are put back
when the last run ends. Runs in several threads share one count: restored exactly once."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 10_000
MIDDLE = 50

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def bulk_work() -> Iterator[None]:
    """Raise the collector's thresholds for the duration (nesting and threads safe)."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            first, middle, oldest = _saved
            gc.set_threshold(max(first, BULK_THRESHOLD), max(middle, MIDDLE), oldest)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None

"""When a long first load is worth a log line: every tenth of the way, and at least every 10 s."""

from __future__ import annotations

from dataclasses import dataclass, field

LOG_EVERY_SHARE = 0.1
LOG_EVERY_S = 10.0


@dataclass
class ProgressLog:
    """Says whether progress `done` of `total` at monotonic time `now` should be logged: the
    first step (the first numbers are on screen), each further tenth of the total, the end,
    and whatever step comes at least `every_s` after the last logged one."""

    total: int
    started: float
    every_share: float = LOG_EVERY_SHARE
    every_s: float = LOG_EVERY_S
    _last_done: int = field(default=0, init=False)
    _last_at: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._last_at = self.started

    def due(self, done: int, now: float) -> bool:
        if done <= self._last_done or self.total <= 0:
            return False
        step = max(1, round(self.total * self.every_share))
        first = self._last_done == 0
        crossed = done // step > self._last_done // step
        overdue = now - self._last_at >= self.every_s
        if first or crossed or done >= self.total or overdue:
            self._last_done, self._last_at = done, now
            return True
        return False

"""The store: the database behind the dashboard (models, migrations, the only SQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from store.db import guarded_engine
from store.feed_defs import FeedDefinitions
from store.guard import DatabaseGuard, Timeouts
from store.migrate import prepare
from store.queries import Queries
from store.writer import Writer


@dataclass(frozen=True, slots=True)
class Store:
    """The wiring point: one engine, one writer, one reader, the engine's guard, and the
    feed definitions the console edits and the scheduler runs."""

    engine: Engine
    writer: Writer
    queries: Queries
    guard: DatabaseGuard
    feed_defs: FeedDefinitions

    @classmethod
    def open(
        cls,
        url: str,
        timeouts: Timeouts | None = None,
        preflight: Callable[[Engine], None] | None = None,
        **engine_options: Any,
    ) -> Store:
        """Connect, check (`preflight`), migrate, load reference data; the ready store."""
        engine, guard = guarded_engine(url, timeouts or Timeouts(), **engine_options)
        if preflight is not None:
            preflight(engine)
        writer = prepare(engine)
        guard.arm()
        return cls(engine, writer, Queries(engine), guard, FeedDefinitions(engine))

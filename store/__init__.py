"""The store: the database behind the dashboard (models, migrations, the only SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from store.db import make_engine
from store.migrate import prepare
from store.queries import Queries
from store.writer import Writer


@dataclass(frozen=True, slots=True)
class Store:
    """The wiring point: one engine, one writer, one reader."""

    engine: Engine
    writer: Writer
    queries: Queries

    @classmethod
    def open(cls, url: str, **engine_options: Any) -> Store:
        """Connect, migrate, load reference data, and return the ready store."""
        engine = make_engine(url, **engine_options)
        writer = prepare(engine)
        return cls(engine, writer, Queries(engine))

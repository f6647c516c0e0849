"""Bring a database to the current schema and load the reference data (areas, metrics)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from geo.hierarchy import DEFAULT_UNITS_FILE, load_admin_units
from store.catalog import METRICS
from store.writer import Writer

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
MIGRATION_TIMEOUT_S = 3600  # an index over years of observations may take minutes


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending Alembic migration (safe to call on every start)."""
    config = alembic_config()
    with engine.begin() as conn:
        conn = conn.execution_options(statement_timeout_s=MIGRATION_TIMEOUT_S)
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {MIGRATION_TIMEOUT_S * 1000}")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def prepare(engine: Engine, units_file: Path = DEFAULT_UNITS_FILE) -> Writer:
    """Migrate, then upsert areas and the metric catalog; returns a ready writer."""
    upgrade(engine)
    writer = Writer(engine)
    units = load_admin_units(units_file)
    writer.sync_areas(units)
    writer.sync_metrics(METRICS)
    log.info("store ready: %d areas, %d metrics", len(units), len(METRICS))
    return writer

"""SQL expressions written per database where the portable form would be slow."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, cast, extract, func, literal_column

ATTRIBUTE_KEY = re.compile(r"[a-z_][a-z0-9_]*")  # attribute names written into SQL as literals
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def attribute_text(dialect: str, column: Any, key: str) -> Any:
    """A JSON attribute as text. On SQLite the path is written inline, as the index on the
    expression has it (migration 0014_event_end_index), so the index answers the read instead
    of each row's JSON being parsed; elsewhere it is a bound parameter."""
    if dialect != "sqlite":
        return column[key].as_string()
    if not ATTRIBUTE_KEY.fullmatch(key):
        raise ValueError(f"attribute name {key!r} is not a plain identifier")
    return func.json_extract(column, literal_column(f"'$.\"{key}\"'"))


def without_key(dialect: str, column: Any, key: str) -> Any:
    """A JSON column with one top-level key left out (to compare the rest)."""
    if not ATTRIBUTE_KEY.fullmatch(key):
        raise ValueError(f"attribute name {key!r} is not a plain identifier")
    if dialect == "sqlite":
        return func.json_remove(column, literal_column(f"'$.\"{key}\"'"))
    return column.op("-")(literal_column(f"'{key}'"))


def epoch_seconds(dialect: str, column: Any) -> Any:
    """A UTC datetime column as seconds since 1970 (a float the driver need not parse)."""
    if dialect == "sqlite":
        return (func.julianday(column) - UNIX_EPOCH_JULIAN_DAY) * 86400.0
    return cast(extract("epoch", column), Float)  # numeric otherwise: a Decimal per row


def iso_seconds(text: str) -> float | None:
    """Seconds since 1970 of an ISO 8601 time as a source wrote it (UTC when it names no
    zone); None when it is not one, so that one bad value does not break the read."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()

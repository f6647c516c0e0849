"""The only writing SQL: idempotent upserts of reference data and records, and feed runs."""

from __future__ import annotations

from store.housekeeping import Housekeeping
from store.record_writes import RecordWrites
from store.reference_writes import ReferenceWrites
from store.run_writes import RunWrites


class Writer(ReferenceWrites, RecordWrites, RunWrites, Housekeeping):
    """Writes to the store; every write is an upsert on a natural key, so re-runs change nothing."""

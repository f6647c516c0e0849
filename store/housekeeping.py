"""Housekeeping: forgetting old runs and refreshing the planner's statistics."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, text

from store.models import FeedRunRow, RejectedRecordRow
from store.write_base import WriterBase

RETENTION = timedelta(days=30)


class Housekeeping(WriterBase):
    """Upkeep of the store that no feed's data depend on."""

    def refresh_statistics(self) -> None:
        """Let the query planner see the table as it is now (after a large backfill)."""
        statement = (
            "ANALYZE observations"
            if self.engine.dialect.name == "postgresql"
            else ("PRAGMA optimize")
        )
        with self.engine.begin() as conn:
            conn.execute(text(statement))

    def prune_runs(self, older_than: datetime) -> int:
        """Forget runs (and their rejected records) older than the retention horizon."""
        old = select(FeedRunRow.id).where(FeedRunRow.started_at < older_than)
        with self.engine.begin() as conn:
            conn.execute(delete(RejectedRecordRow).where(RejectedRecordRow.run_id.in_(old)))
            return (
                conn.execute(delete(FeedRunRow).where(FeedRunRow.started_at < older_than)).rowcount
                or 0
            )

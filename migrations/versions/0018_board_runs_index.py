"""a covering index for the feed board's week of runs

Revision ID: 0018_board_runs_index
Revises: 0017_feed_imports
Create Date: 2026-12-02
"""

from alembic import op

revision = "0018_board_runs_index"
down_revision = "0017_feed_imports"
branch_labels = None
depends_on = None

# The board groups the last 7 days of every feed's runs by feed, local day and status and
# sums what they stored and rejected (store.feed_board): with these columns in one index the
# read is a range scan of the index, never of the table.
COLUMNS = ["started_at", "feed_id", "status", "accepted", "rejected"]


def upgrade() -> None:
    op.create_index("ix_feed_runs_started_cover", "feed_runs", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_feed_runs_started_cover", "feed_runs")

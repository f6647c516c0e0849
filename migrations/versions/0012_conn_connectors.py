"""connectors: source priority and checkpoint per feed, kept raw payloads, data warnings,
the source's update time of an observation

Revision ID: 0012_conn
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0012_conn"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Who wins when two feeds write one observation key; the demo simulator ranks lowest.
    op.add_column("feeds", sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
    # An incremental source's cursor, moved only after the rows it covers are committed.
    op.add_column("feeds", sa.Column("checkpoint", sa.Text(), nullable=True))
    # A rejected record or a data-quality warning on a stored one.
    op.add_column(
        "rejected_records",
        sa.Column("kind", sa.String(10), nullable=False, server_default="rejected"),
    )
    # The source system's own update time of an observation, when it gives one.
    op.add_column(
        "observations",
        sa.Column("source_time", store.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "feed_payloads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("feed_runs.id"), nullable=False),
        sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.id"), nullable=False),
        sa.Column("captured_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
    )
    op.create_index("ix_feed_payloads_feed", "feed_payloads", ["feed_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_feed_payloads_feed", table_name="feed_payloads")
    op.drop_table("feed_payloads")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("source_time")
    with op.batch_alter_table("rejected_records") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("checkpoint")
        batch.drop_column("priority")

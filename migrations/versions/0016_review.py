"""the review queue: rejected records' review state and family, corrections, faults, actions

Revision ID: 0016_review
Revises: 0015_console_feeds
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from store.types import UTCDateTime

revision = "0016_review"
down_revision = "0015_console_feeds"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("rejected_records") as batch:
        batch.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="open"))
        batch.add_column(sa.Column("family", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reviewed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("reviewed_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_rejected_records_family", ["family"])
    op.create_table(
        "review_corrections",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "rejected_id",
            sa.Integer(),
            sa.ForeignKey("rejected_records.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.id"), nullable=False),
        sa.Column("metric_id", sa.Integer(), sa.ForeignKey("metrics.id"), nullable=False),
        sa.Column("area_code", sa.String(8), sa.ForeignKey("areas.code"), nullable=False),
        sa.Column("dim", sa.String(40), nullable=False),
        sa.Column("period_kind", sa.String(5), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("original_reason", sa.Text(), nullable=False),
        sa.Column("original_excerpt", sa.Text(), nullable=False),
        sa.Column("previous", Json, nullable=True),
        sa.Column("corrected_by", sa.String(64), nullable=False),
        sa.Column("corrected_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_by", sa.String(64), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_review_corrections_key",
        "review_corrections",
        ["metric_id", "area_code", "dim", "period_kind", "period_start"],
    )
    op.create_index("ix_review_corrections_rejected_id", "review_corrections", ["rejected_id"])
    op.create_table(
        "feed_faults",
        sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.id"), primary_key=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("marked_by", sa.String(64), nullable=False),
        sa.Column("marked_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column(
            "rejected_id",
            sa.Integer(),
            sa.ForeignKey("rejected_records.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("feed_id", sa.String(64), sa.ForeignKey("feeds.id"), nullable=False),
        sa.Column(
            "correction_id",
            sa.Integer(),
            sa.ForeignKey("review_corrections.id"),
            nullable=True,
        ),
        sa.Column("before", Json, nullable=False),
        sa.Column("after", Json, nullable=False),
        sa.Column("undone_by", sa.String(64), nullable=True),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_review_actions_feed", "review_actions", ["feed_id", "id"])
    op.create_index("ix_review_actions_rejected_id", "review_actions", ["rejected_id"])


def downgrade() -> None:
    op.drop_table("review_actions")
    op.drop_table("feed_faults")
    op.drop_table("review_corrections")
    with op.batch_alter_table("rejected_records") as batch:
        batch.drop_index("ix_rejected_records_family")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by")
        batch.drop_column("family")
        batch.drop_column("status")

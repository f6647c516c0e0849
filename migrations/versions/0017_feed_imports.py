"""files uploaded for a manual import into a tabular feed, with the import's progress

Revision ID: 0017_feed_imports
Revises: 0016_review
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0017_feed_imports"
# Branch review adds 0016_review on 0015_console_feeds: where both are merged this revises
# "0016_review" instead (one head).
down_revision = "0016_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_imports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("feed_id", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("uploaded_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=True),
        sa.Column("started_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("items_done", sa.Integer(), nullable=False),
        sa.Column("items_total", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("run_status", sa.String(length=10), nullable=True),
        sa.Column("accepted", sa.Integer(), nullable=True),
        sa.Column("rejected", sa.Integer(), nullable=True),
        sa.Column("changed", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("error_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["feed_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feed_imports_feed", "feed_imports", ["feed_id", "uploaded_at"])
    op.create_index("ix_feed_imports_sha256", "feed_imports", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_feed_imports_sha256", table_name="feed_imports")
    op.drop_index("ix_feed_imports_feed", table_name="feed_imports")
    op.drop_table("feed_imports")

"""feed definitions edited in the operator console, and run-now requests

Revision ID: 0015_console_feeds
Revises: 0014_event_end_index
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import store.types

revision = "0015_console_feeds"
down_revision = "0014_event_end_index"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "feed_definitions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("file_config", JSON, nullable=True),
        sa.Column("override", JSON, nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "feed_run_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("feed_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["feed_id"], ["feed_definitions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_feed_run_requests_open", "feed_run_requests", ["claimed_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_feed_run_requests_open", table_name="feed_run_requests")
    op.drop_table("feed_run_requests")
    op.drop_table("feed_definitions")

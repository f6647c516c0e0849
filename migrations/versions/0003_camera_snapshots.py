"""the newest still image of each camera

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("camera", sa.String(length=120), nullable=False),
        sa.Column("taken_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("feed_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"]),
        sa.PrimaryKeyConstraint("camera"),
    )


def downgrade() -> None:
    op.drop_table("snapshots")

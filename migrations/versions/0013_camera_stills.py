"""the last few still images of each camera

Revision ID: 0013_camera_stills
Revises: 0012_conn
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0013_camera_stills"
down_revision = "0012_conn"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "camera_stills",
        sa.Column("camera", sa.String(length=120), nullable=False),
        sa.Column("taken_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("feed_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"]),
        sa.PrimaryKeyConstraint("camera", "taken_at"),
    )


def downgrade() -> None:
    op.drop_table("camera_stills")

"""a feed's first-load progress on its health row

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Days committed and days planned while a feed's first backfill runs; NULL otherwise.
    op.add_column("feeds", sa.Column("load_done", sa.Integer(), nullable=True))
    op.add_column("feeds", sa.Column("load_total", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("load_total")
        batch.drop_column("load_done")

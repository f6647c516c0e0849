"""a covering index for the median resolution time's read of the reports (SQLite)

Revision ID: 0014_event_end_index
Revises: 0013_camera_stills
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_event_end_index"
down_revision = "0013_camera_stills"
branch_labels = None
depends_on = None

# The expression exactly as store.asset_reads.AssetReads.durations writes it for SQLite, so that
# SQLite reads the value from the index instead of parsing each event's JSON.
RESOLVED_AT = "json_extract(attributes, '$.\"resolved_at\"')"


def upgrade() -> None:
    # PostgreSQL reads the JSONB value cheaply, and cannot scan an expression index only.
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_index(
        "ix_events_resolved_at",
        "events",
        ["domain", "kind", "occurred_at", "area_code", sa.text(RESOLVED_AT)],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_events_resolved_at", "events")

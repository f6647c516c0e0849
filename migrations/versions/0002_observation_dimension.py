"""observations split by a dimension (agency, portal, station, category)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COPY = (
    "INSERT INTO {target} (metric_id, area_code, dim, period_kind, period_start, value, feed_id,"
    " ingested_at) SELECT metric_id, area_code, {dim}, period_kind, period_start, value, feed_id,"
    " ingested_at FROM {source}"
)


def _table(name: str, with_dim: bool) -> None:
    """The observation table; the dimension joins the primary key after the area."""
    dim = [sa.Column("dim", sa.String(length=40), nullable=False)] if with_dim else []
    key = ["metric_id", "area_code", *(["dim"] if with_dim else []), "period_kind", "period_start"]
    op.create_table(
        name,
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=8), nullable=False),
        *dim,
        sa.Column("period_kind", sa.String(length=5), nullable=False),
        sa.Column("period_start", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("feed_id", sa.String(length=64), nullable=False),
        sa.Column("ingested_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"]),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"]),
        sa.ForeignKeyConstraint(["metric_id"], ["metrics.id"]),
        sa.PrimaryKeyConstraint(*key, name=f"pk_{name}"),
        sqlite_with_rowid=False,
    )


def _swap(with_dim: bool, dim_expr: str) -> None:
    _table("observations_next", with_dim)
    op.execute(
        COPY.format(target="observations_next", source="observations", dim=dim_expr)
        if with_dim
        else COPY.replace("dim, ", "")
        .replace("{dim}, ", "")
        .format(target="observations_next", source="observations WHERE dim = ''")
    )
    op.drop_table("observations")
    op.rename_table("observations_next", "observations")


def upgrade() -> None:
    _swap(with_dim=True, dim_expr="''")


def downgrade() -> None:
    _swap(with_dim=False, dim_expr="")

"""users, display tokens, sign-in throttling and the audit log

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("area_code", sa.String(length=8), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sso_subject", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'operator', 'leader', 'district')", name="ck_users_role"
        ),
        sa.CheckConstraint(
            "(role = 'district') = (area_code IS NOT NULL)", name="ck_users_district_area"
        ),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
        sa.UniqueConstraint("sso_subject"),
    )
    op.create_table(
        "display_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("playlist", sa.String(length=40), nullable=False),
        sa.Column("area_code", sa.String(length=8), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "signin_throttle",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "key"),
    )
    op.create_index("ix_signin_throttle_expiry", "signin_throttle", ["window_started_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_at", "audit_log", ["at"])
    op.create_index("ix_audit_actor_at", "audit_log", ["actor", "at"])
    op.create_index("ix_audit_action_at", "audit_log", ["action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_action_at", table_name="audit_log")
    op.drop_index("ix_audit_actor_at", table_name="audit_log")
    op.drop_index("ix_audit_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_signin_throttle_expiry", table_name="signin_throttle")
    op.drop_table("signin_throttle")
    op.drop_table("display_tokens")
    op.drop_table("users")

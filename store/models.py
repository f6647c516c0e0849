"""Typed SQLAlchemy 2 models: the schema of the IOC store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.types import UTCDateTime

# JSONB on PostgreSQL: plain json has no equality operator, which idempotent upserts compare.
Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class Area(Base):
    """An administrative unit: the province, a district or a commune."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    name_vi: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    short_name_vi: Mapped[str] = mapped_column(String(80))
    short_name_en: Mapped[str] = mapped_column(String(80))
    type_vi: Mapped[str] = mapped_column(String(20))
    population: Mapped[int | None] = mapped_column(Integer)
    area_km2: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class MetricRow(Base):
    """The catalog of metrics (synced from store.catalog at start-up)."""

    __tablename__ = "metrics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    domain: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    unit_vi: Mapped[str] = mapped_column(String(30))
    unit_en: Mapped[str] = mapped_column(String(30))
    aggregation: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(10))
    warn: Mapped[float | None] = mapped_column(Float)
    critical: Mapped[float | None] = mapped_column(Float)
    targets: Mapped[dict[str, float]] = mapped_column(Json, default=dict)
    target_source: Mapped[str] = mapped_column(String(200), default="")
    numerator: Mapped[str | None] = mapped_column(String(80))
    denominator: Mapped[str | None] = mapped_column(String(80))


class ObservationRow(Base):
    """A metric's value for one area and period; the natural key makes ingest idempotent."""

    __tablename__ = "observations"
    # Every read names its areas, so the primary key (metric, area, kind, period) serves them all;
    # a second index only slowed ingest and, without statistics, misled PostgreSQL's planner.
    __table_args__ = ({"sqlite_with_rowid": False},)

    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    dim: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    period_kind: Mapped[str] = mapped_column(String(5), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_time: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the source's update time


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_domain_time", "domain", "occurred_at"),
        Index("uq_events_source", "domain", "kind", "source_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    domain: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(120))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssetRow(Base):
    __tablename__ = "assets"
    __table_args__ = (
        Index("uq_assets_source", "domain", "kind", "source_id", unique=True),
        Index("ix_assets_domain_area", "domain", "area_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    domain: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))
    attributes: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))


class SnapshotRow(Base):
    """The newest still image per camera, as the feed delivered it."""

    __tablename__ = "snapshots"

    camera: Mapped[str] = mapped_column(String(120), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))


class StillRow(Base):
    """The last few still images of a camera (its feed says how many), newest one included."""

    __tablename__ = "camera_stills"

    camera: Mapped[str] = mapped_column(String(120), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))


class FeedRow(Base):
    """A configured feed and its health state (last run, last success, last error)."""

    __tablename__ = "feeds"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    interval_s: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool]
    demo: Mapped[bool] = mapped_column(default=False)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(10))
    last_error_kind: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    data_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # cache version
    # While the first backfill runs: days committed of days planned (NULL otherwise), so
    # pages can say "first load in progress: 212/731 days" instead of silently climbing.
    load_done: Mapped[int | None] = mapped_column(Integer)
    load_total: Mapped[int | None] = mapped_column(Integer)
    # Of two feeds writing one observation key, the higher priority owns it (ties: the first).
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # An incremental source's cursor: moved only after the rows it covers are committed.
    checkpoint: Mapped[str | None] = mapped_column(Text)


class FeedRunRow(Base):
    __tablename__ = "feed_runs"
    __table_args__ = (
        Index("ix_feed_runs_feed_started", "feed_id", "started_at"),
        # the feed board's week of runs of every feed, read from the index alone
        Index(
            "ix_feed_runs_started_cover", "started_at", "feed_id", "status", "accepted", "rejected"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))  # running | ok | partial | failed
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    error_kind: Mapped[str | None] = mapped_column(String(20))
    error_text: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float | None] = mapped_column(Float)


class RejectedRecordRow(Base):
    __tablename__ = "rejected_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("feed_runs.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    raw_excerpt: Mapped[str] = mapped_column(Text)
    # "rejected": not stored; "warning": stored, with a data-quality warning to show
    kind: Mapped[str] = mapped_column(String(10), default="rejected", server_default="rejected")
    # The review queue's state of the record: open | accepted | discarded (store.review).
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    # The reason with its numbers and quoted values masked, so that "row 12: …" and "row 13: …"
    # are one family; NULL until store.review classifies the record (the writer cannot).
    family: Mapped[str | None] = mapped_column(String(200), index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CorrectionRow(Base):
    """A rejected record corrected by an operator and stored as an observation of its feed:
    what was written, by whom, and what the observation held before (to withdraw it)."""

    __tablename__ = "review_corrections"
    __table_args__ = (
        Index(
            "ix_review_corrections_key",
            "metric_id",
            "area_code",
            "dim",
            "period_kind",
            "period_start",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # SET NULL: the correction (and the observation it wrote) outlive the pruned record
    rejected_id: Mapped[int | None] = mapped_column(
        ForeignKey("rejected_records.id", ondelete="SET NULL"), index=True
    )
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    dim: Mapped[str] = mapped_column(String(40), default="")
    period_kind: Mapped[str] = mapped_column(String(5))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float] = mapped_column(Float)
    original_reason: Mapped[str] = mapped_column(Text)
    original_excerpt: Mapped[str] = mapped_column(Text)
    # The observation row this correction replaced ({value, feed_id, ingested_at,
    # source_time}), or NULL when there was none: what withdrawing it puts back.
    previous: Mapped[dict[str, Any] | None] = mapped_column(Json)
    corrected_by: Mapped[str] = mapped_column(String(64))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedFaultRow(Base):
    """A source marked at fault by an operator (shown on the feed board), with a note."""

    __tablename__ = "feed_faults"

    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"), primary_key=True)
    note: Mapped[str] = mapped_column(Text, default="")
    marked_by: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewActionRow(Base):
    """One operator action of the review queue with the state before and after it, so that
    it can be undone (and the undo is recorded on the same row)."""

    __tablename__ = "review_actions"
    __table_args__ = (Index("ix_review_actions_feed", "feed_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))  # accept | discard | fault | unfault
    rejected_id: Mapped[int | None] = mapped_column(
        ForeignKey("rejected_records.id", ondelete="SET NULL"), index=True
    )
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("review_corrections.id"))
    before: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    undone_by: Mapped[str | None] = mapped_column(String(64))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedPayloadRow(Base):
    """The raw payload of a failed or partial run, redacted and bounded, for inspection."""

    __tablename__ = "feed_payloads"
    __table_args__ = (Index("ix_feed_payloads_feed", "feed_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("feed_runs.id"))
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id"))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    size: Mapped[int] = mapped_column(Integer)  # bytes of the payload as received
    truncated: Mapped[bool]
    content: Mapped[str] = mapped_column(Text)


class FeedImportRow(Base):
    """A file an operator uploaded for a tabular feed: its test, then its import as a run.
    Progress lives here (not in a worker's memory) so any web worker can show it."""

    __tablename__ = "feed_imports"
    __table_args__ = (Index("ix_feed_imports_feed", "feed_id", "uploaded_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # also the spooled file's name
    # No foreign key: a web worker may take an upload before any runner has written the
    # feed's row (the import's run writes it).
    feed_id: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))  # as the user named it: shown, never a path
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))  # uploaded | running | done | failed
    imported_by: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last progress written
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    items_total: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("feed_runs.id"))
    run_status: Mapped[str | None] = mapped_column(String(10))
    accepted: Mapped[int | None] = mapped_column(Integer)
    rejected: Mapped[int | None] = mapped_column(Integer)
    changed: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    error_text: Mapped[str | None] = mapped_column(Text)


class UserRow(Base):
    """A person who may sign in: a role, and for a district user the one district they see."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'operator', 'leader', 'district')", name="ck_users_role"
        ),
        # A district user without a district would be a user of nothing or, worse, of everything.
        CheckConstraint(
            "(role = 'district') = (area_code IS NOT NULL)", name="ck_users_district_area"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: signs in by SSO only
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic concurrency


class DisplayTokenRow(Base):
    """A wall screen's credential, bound to one playlist and area; only its SHA-256 is kept."""

    __tablename__ = "display_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    playlist: Mapped[str] = mapped_column(String(40))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))  # None: province
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SigninThrottleRow(Base):
    """Failed sign-ins counted per account and per IP, shared by every worker, and lock-outs."""

    __tablename__ = "signin_throttle"
    __table_args__ = (Index("ix_signin_throttle_expiry", "window_started_at"),)

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # account | ip
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Who did what, from where, to what, and whether it was allowed: appended, never changed."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_actor_at", "actor", "at"),
        Index("ix_audit_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(10))  # success | failure | denied


class FeedDefinitionRow(Base):
    """A feed's definition as the scheduler runs it: provisioned from config.yaml (origin
    "file", its entry in `file_config`) or created in the console; a console edit is kept in
    `override`, which wins over the file until it is reverted."""

    __tablename__ = "feed_definitions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    origin: Mapped[str] = mapped_column(String(10))  # file | console
    file_config: Mapped[dict[str, Any] | None] = mapped_column(Json)
    override: Mapped[dict[str, Any] | None] = mapped_column(Json)
    paused: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock: +1 per change
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class FeedRunRequestRow(Base):
    """A "run now" asked for in a web process, claimed once by the scheduler process."""

    __tablename__ = "feed_run_requests"
    __table_args__ = (Index("ix_feed_run_requests_open", "claimed_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feed_definitions.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""The ten domain pages as data: KPIs, trend, map layers and tables, rendered by shared builders."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.catalog import DOMAINS_BY_KEY, Domain


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: a record attribute (or metric key for area/dimension tables)."""

    field: str
    name_vi: str
    name_en: str
    kind: str = "text"  # text | number | percent | datetime | status | sparkline | thumbnail
    decimals: int = 0


@dataclass(frozen=True, slots=True)
class Table:
    """One detail table. `source` says where its rows come from:
    areas  — the scope's child areas, a column per metric in `metrics`;
    dims   — the members of `dimension` inside the scope's area, a column per metric;
    assets — the domain's assets of `kinds` in the scope, with `columns` of attributes;
    events — the domain's events of `kinds` in the scope and window, newest first;
    plans  — each metric of `metrics` against its yearly plan (`<key>_plan`), year to date.
    """

    key: str
    title_vi: str
    title_en: str
    source: str
    metrics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    dimension: str = ""


@dataclass(frozen=True, slots=True)
class PointLayer:
    source: str  # assets | events
    kinds: tuple[str, ...]
    name_vi: str
    name_en: str
    statuses: tuple[str, ...] = ()  # listed in the map legend with their colours


@dataclass(frozen=True, slots=True)
class EventMedian:
    """A tile of the median time from the domain's events (`kinds`) to the time each holds in
    `end_attribute`, over the events of the scope that ended in the window (as the stored mean
    counts them); medians cannot be built from daily means, so they come from the events."""

    key: str  # the tile's data-kpi; named like a metric, `metric.<key>.name|unit`
    kinds: tuple[str, ...]
    end_attribute: str
    seconds_per_unit: float
    feed_metric: str  # whose feed the tile's freshness follows
    max_age_days: int  # no event lasts longer: how far before the window to look
    decimals: int = 1


@dataclass(frozen=True, slots=True)
class PageSpec:
    domain_key: str
    kpis: tuple[str, ...]
    trend: tuple[str, ...]
    map_metric: str
    tables: tuple[Table, ...]
    points: PointLayer | None = None
    epidemic_line: tuple[str, ...] = field(default_factory=tuple)  # trend metrics with one
    snapshots: bool = False  # a grid of the cameras' latest still images
    medians: tuple[EventMedian, ...] = ()  # tiles computed from the events (after the KPIs)
    seasonality: str | None = None  # a metric shown per calendar month, this year vs last

    @property
    def domain(self) -> Domain:
        return DOMAINS_BY_KEY[self.domain_key]


def _text(name: str, vi: str, en: str) -> Column:
    return Column(name, vi, en)


def _num(name: str, vi: str, en: str, decimals: int = 0) -> Column:
    return Column(name, vi, en, "number", decimals)


NAME = _text("name", "Tên", "Name")
AREA = _text("area_name", "Địa bàn", "Area")
STATUS = Column("status", "Trạng thái", "Status", "status")
TIME = Column("time", "Thời gian", "Time", "datetime")
TITLE = _text("name", "Nội dung", "Subject")

PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "health",
        (
            "health.outpatient_visits",
            "health.inpatients",
            "health.bed_occupancy",
            "health.digital_id_rate",
            "health.disease_cases",
            "health.vaccination_rate",
        ),
        (
            "health.outpatient_visits",
            "health.disease_cases",
            "health.bed_occupancy",
            "health.digital_id_rate",
            "health.vaccination_rate",
        ),
        "health.outpatient_visits",
        (
            Table(
                "areas",
                "Chỉ tiêu theo địa bàn",
                "Indicators by area",
                "areas",
                metrics=(
                    "health.outpatient_visits",
                    "health.digital_id_rate",
                    "health.disease_cases",
                    "health.vaccination_rate",
                ),
            ),
            Table(
                "facilities",
                "Cơ sở y tế",
                "Health facilities",
                "assets",
                kinds=("hospital", "district_health_centre", "commune_station"),
                columns=(NAME, _text("kind_name", "Loại", "Type"), AREA, STATUS),
            ),
        ),
        PointLayer(
            "assets",
            ("hospital", "district_health_centre", "commune_station"),
            "Cơ sở y tế",
            "Health facilities",
        ),
        epidemic_line=("health.disease_cases",),
    ),
    PageSpec(
        "education",
        (
            "education.enrolled",
            "education.teachers",
            "education.pupil_teacher_ratio",
            "education.attendance_rate",
            "education.admitted",
            "education.exam_pass_rate",
        ),
        ("education.attendance_rate", "education.admitted", "education.enrolled"),
        "education.attendance_rate",
        (
            Table(
                "areas",
                "Chỉ tiêu theo địa bàn",
                "Indicators by area",
                "areas",
                metrics=(
                    "education.enrolled",
                    "education.teachers",
                    "education.pupil_teacher_ratio",
                    "education.attendance_rate",
                ),
            ),
            Table(
                "schools",
                "Trường học",
                "Schools",
                "assets",
                kinds=("school",),
                columns=(
                    NAME,
                    _text("level", "Cấp học", "Level"),
                    _num("pupils", "Học sinh", "Pupils"),
                    AREA,
                ),
            ),
        ),
        PointLayer("assets", ("school",), "Trường học", "Schools"),
    ),
    PageSpec(
        "public_services",
        (
            "public_services.received",
            "public_services.resolved",
            "public_services.resolved_late",
            "public_services.pending",
            "public_services.on_time_rate",
            "public_services.online_rate",
            "public_services.online_payment_rate",
        ),
        (
            "public_services.received",
            "public_services.on_time_rate",
            "public_services.online_rate",
            "public_services.online_payment_rate",
        ),
        "public_services.on_time_rate",
        (
            Table(
                "agencies",
                "Theo cơ quan (cấp tỉnh)",
                "By agency (province)",
                "dims",
                metrics=(
                    "public_services.received",
                    "public_services.resolved",
                    "public_services.resolved_late",
                    "public_services.on_time_rate",
                ),
                dimension="agency",
            ),
            Table(
                "areas",
                "Theo địa bàn",
                "By area",
                "areas",
                metrics=(
                    "public_services.received",
                    "public_services.on_time_rate",
                    "public_services.online_rate",
                    "public_services.pending",
                ),
            ),
            Table(
                "late",
                "Hồ sơ trễ hạn",
                "Late dossiers",
                "events",
                kinds=("late_dossier",),
                columns=(
                    TIME,
                    TITLE,
                    _text("agency_name", "Cơ quan", "Agency"),
                    _num("days_late", "Số ngày trễ", "Days late"),
                    AREA,
                    STATUS,
                ),
            ),
        ),
    ),
    PageSpec(
        "portals",
        (
            "portals.up",
            "portals.uptime_rate",
            "portals.response_ms",
            "portals.stale_content",
            "portals.tls_expiring",
        ),
        ("portals.uptime_rate", "portals.response_ms"),
        "portals.uptime_rate",
        (
            Table(
                "portals",
                "Trạng thái 32 cổng thông tin",
                "Status of the 32 portals",
                "assets",
                kinds=("portal",),
                columns=(
                    NAME,
                    Column("up", "Hoạt động", "Up", "status"),
                    _num("response_ms", "Phản hồi (ms)", "Response (ms)"),
                    Column(
                        "response_trend",
                        "Diễn biến phản hồi (ms)",
                        "Response trend (ms)",
                        "sparkline",
                    ),
                    Column("uptime", "Tỷ lệ hoạt động (%)", "Uptime (%)", "percent", 2),
                    _num("tls_days_left", "Chứng thư còn (ngày)", "TLS days left"),
                    _num("post_age_days", "Tin bài mới nhất (ngày)", "Latest post (days)", 1),
                    _text("url", "Địa chỉ", "Address"),
                ),
            ),
        ),
    ),
    PageSpec(
        "documents",
        (
            "documents.incoming",
            "documents.outgoing",
            "documents.signed_rate",
            "documents.work_online_rate",
            "documents.tasks_assigned",
            "documents.tasks_on_time_rate",
            "documents.tasks_overdue",
        ),
        ("documents.signed_rate", "documents.outgoing", "documents.tasks_on_time_rate"),
        "documents.signed_rate",
        (
            Table(
                "levels",
                "Văn bản theo cấp",
                "Documents by level",
                "dims",
                metrics=("documents.outgoing", "documents.signed", "documents.signed_rate"),
                dimension="level",
            ),
            Table(
                "tasks",
                "Nhiệm vụ theo cơ quan",
                "Tasks by agency",
                "dims",
                metrics=(
                    "documents.tasks_assigned",
                    "documents.tasks_on_time_rate",
                    "documents.tasks_overdue",
                ),
                dimension="agency",
            ),
            Table(
                "overdue",
                "Nhiệm vụ UBND giao",
                "Tasks assigned by the People's Committee",
                "events",
                kinds=("task",),
                columns=(
                    TIME,
                    TITLE,
                    _text("agency_name", "Cơ quan", "Agency"),
                    Column("due_at", "Hạn", "Due", "datetime"),
                    STATUS,
                ),
            ),
        ),
    ),
    PageSpec(
        "environment",
        (
            "environment.salinity_max",
            "environment.water_level_max",
            "environment.rainfall",
            "environment.aqi_max",
            "environment.exceedances",
            "environment.land_dossiers",
        ),
        (
            "environment.salinity_max",
            "environment.water_level_max",
            "environment.aqi_max",
            "environment.rainfall",
        ),
        "environment.salinity_max",
        (
            Table(
                "stations",
                "Trạm quan trắc",
                "Monitoring stations",
                "assets",
                kinds=("salinity_station", "air_station", "water_station"),
                columns=(
                    NAME,
                    _text("kind_name", "Loại", "Type"),
                    _num("salinity_permille", "Độ mặn (‰)", "Salinity (‰)", 2),
                    _num("water_level_cm", "Mực nước (cm)", "Water level (cm)"),
                    _num("aqi", "VN_AQI", "VN_AQI"),
                    _num("pm25", "PM2.5 (µg/m³)", "PM2.5 (µg/m³)", 1),
                    _num("do", "DO (mg/l)", "DO (mg/l)", 2),
                    _num("ph", "pH", "pH", 2),
                    AREA,
                    STATUS,
                ),
            ),
            Table(
                "exceedances",
                "Vượt ngưỡng",
                "Exceedances",
                "events",
                columns=(TIME, TITLE, Column("severity", "Mức", "Level", "status"), AREA),
            ),
        ),
        PointLayer(
            "assets",
            ("salinity_station", "air_station", "water_station"),
            "Trạm quan trắc",
            "Stations",
        ),
    ),
    PageSpec(
        "tourism",
        (
            "tourism.visitors",
            "tourism.visitors_international",
            "tourism.revenue",
            "tourism.occupancy_rate",
        ),
        ("tourism.visitors", "tourism.revenue", "tourism.occupancy_rate"),
        "tourism.visitors",
        (
            Table(
                "areas",
                "Theo địa bàn",
                "By area",
                "areas",
                metrics=(
                    "tourism.visitors",
                    "tourism.visitors_international",
                    "tourism.revenue",
                    "tourism.occupancy_rate",
                ),
            ),
            Table(
                "attractions",
                "Điểm du lịch và lễ hội",
                "Attractions and festivals",
                "assets",
                kinds=("attraction", "festival"),
                columns=(NAME, AREA),
            ),
        ),
        PointLayer("assets", ("attraction", "festival"), "Điểm du lịch", "Attractions"),
        seasonality="tourism.visitors",
    ),
    PageSpec(
        "socio_economic",
        (
            "socio_economic.budget_revenue",
            "socio_economic.budget_spending",
            "socio_economic.exports",
            "socio_economic.investment",
            "socio_economic.grdp_growth",
        ),
        (
            "socio_economic.budget_revenue",
            "socio_economic.budget_spending",
            "socio_economic.exports",
            "socio_economic.investment",
        ),
        "socio_economic.budget_revenue",
        (
            Table(
                "plans",
                "Thực hiện so với kế hoạch năm",
                "Actual against the yearly plan",
                "plans",
                metrics=("socio_economic.budget_revenue", "socio_economic.budget_spending"),
            ),
            Table(
                "sectors",
                "Tăng trưởng và cơ cấu GRDP theo khu vực",
                "GRDP growth and structure by sector",
                "dims",
                metrics=("socio_economic.grdp_growth", "socio_economic.grdp_share"),
                dimension="sector",
            ),
            Table("targets", "Mục tiêu chuyển đổi số", "Digital-transformation targets", "targets"),
        ),
    ),
    PageSpec(
        "feedback",
        (
            "feedback.received",
            "feedback.in_progress",
            "feedback.resolved",
            "feedback.overdue",
            "feedback.on_time_rate",
            "feedback.mean_resolution_days",
            "feedback.satisfaction_rate",
        ),
        ("feedback.received", "feedback.on_time_rate", "feedback.satisfaction_rate"),
        "feedback.received",
        (
            Table(
                "reports",
                "Phản ánh mới nhất",
                "Newest reports",
                "events",
                kinds=("report",),
                columns=(
                    TIME,
                    TITLE,
                    _text("category_name", "Lĩnh vực", "Category"),
                    _text("channel_name", "Kênh", "Channel"),
                    AREA,
                    STATUS,
                ),
            ),
            Table(
                "categories",
                "Theo lĩnh vực và kênh",
                "By category and channel",
                "dims",
                metrics=("feedback.received",),
                dimension="category",
            ),
        ),
        PointLayer(
            "events",
            ("report",),
            "Phản ánh",
            "Reports",
            statuses=("received", "in_progress", "overdue", "resolved"),
        ),
        medians=(
            EventMedian(
                "feedback.median_resolution_days",
                ("report",),
                "resolved_at",
                86400.0,
                "feedback.resolved",
                max_age_days=60,  # reports are resolved within 50 days
            ),
        ),
    ),
    PageSpec(
        "cameras",
        ("cameras.total", "cameras.online_rate", "cameras.offline", "cameras.analytics_events"),
        ("cameras.online_rate", "cameras.analytics_events"),
        "cameras.online_rate",
        (
            Table(
                "cameras",
                "Camera",
                "Cameras",
                "assets",
                kinds=("camera",),
                columns=(
                    NAME,
                    AREA,
                    STATUS,
                    Column("last_online_at", "Trực tuyến lần cuối", "Last online", "datetime"),
                ),
            ),
            Table(
                "analytics",
                "Sự kiện phân tích hình ảnh",
                "Video analytics events",
                "events",
                kinds=("analytics",),
                columns=(Column("thumbnail", "Ảnh", "Image", "thumbnail"), TIME, TITLE, AREA),
            ),
        ),
        PointLayer("assets", ("camera",), "Camera", "Cameras"),
        snapshots=True,
    ),
)

PAGES_BY_DOMAIN = {spec.domain_key: spec for spec in PAGES}

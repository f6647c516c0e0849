"""The domain list and metric catalog: declared once, synced to the database, read by all."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Aggregation(StrEnum):
    SUM = "sum"  # counts: add the daily values
    MEAN = "mean"  # levels: average of the daily values
    MAX = "max"  # peaks: the highest daily value
    LAST = "last"  # stocks: the latest value in the window
    RATIO = "ratio"  # rates: sum(numerator) / sum(denominator) * scale


class Direction(StrEnum):
    UP = "up"  # higher is better
    DOWN = "down"  # lower is better
    NEUTRAL = "neutral"  # no better or worse


ALL_LEVELS = ("province", "district", "commune")
UPPER_LEVELS = ("province", "district")
# Counts of problems grow with the area: a province of 11 districts and 109 communes has more
# overdue tasks, overdue reports and offline cameras on a normal day than one commune.
# (warn, critical) per level; the metric's own warn/critical apply where a level is absent.
# Set above the usual day of each level (the simulator's 60 days: province ≈95 overdue tasks,
# ≈8 overdue reports, ≈9 cameras offline of 325; a district ≈7 tasks, 0-2 reports and cameras).
COUNT_LIMITS: dict[str, dict[str, tuple[float, float]]] = {
    "documents.tasks_overdue": {"province": (110, 150), "district": (12, 20), "commune": (3, 6)},
    "feedback.overdue": {"province": (12, 25), "district": (3, 6), "commune": (2, 4)},
    "cameras.offline": {"province": (16, 33), "district": (3, 6), "commune": (2, 4)},  # ≈5%, 10%
}


@dataclass(frozen=True, slots=True)
class Domain:
    key: str
    slug: str
    name_vi: str
    name_en: str
    system_vi: str
    icon: str
    headline: str


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    aggregation: Aggregation
    direction: Direction = Direction.NEUTRAL
    warn: float | None = None
    critical: float | None = None
    targets: dict[str, float] = field(default_factory=dict)  # by area level
    target_source: str = ""
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    decimals: int = 0
    levels: tuple[str, ...] = ALL_LEVELS
    period_kind: str = "day"
    # How often the source publishes a new value: day | week | month | quarter | year |
    # school_year. Freshness is judged against it and a tile shows the latest period of a
    # metric slower than the selected window.
    cadence: str = "day"
    public: bool = True  # False: shown only to users whose permitted area holds it
    tile: bool = True  # False: a component only, not shown as a KPI tile of its own
    dimension: str | None = None  # what observations' `dim` splits it by, if it is split
    # (warn, critical) by area level where counts grow with the area; else warn/critical above
    limits_by_level: dict[str, tuple[float, float]] = field(default_factory=dict)

    def limits(self, level: str | None) -> tuple[float | None, float | None]:
        """The warn and critical thresholds that apply to a value of an area at `level`."""
        if level is not None and level in self.limits_by_level:
            return self.limits_by_level[level]
        return self.warn, self.critical

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def components(self) -> tuple[str, ...]:
        """The stored metrics this one is computed from (itself unless it is a ratio)."""
        if self.aggregation is Aggregation.RATIO:
            assert self.numerator and self.denominator
            return (self.numerator, self.denominator)
        return (self.key,)


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "health",
        "y-te",
        "Y tế",
        "Health",
        "Hệ thống điều hành lĩnh vực y tế",
        "bi-heart-pulse",
        "health.outpatient_visits",
    ),
    Domain(
        "education",
        "giao-duc",
        "Giáo dục",
        "Education",
        "Hệ thống điều hành lĩnh vực giáo dục",
        "bi-mortarboard",
        "education.attendance_rate",
    ),
    Domain(
        "public_services",
        "hanh-chinh-cong",
        "Hành chính công",
        "Public services",
        "Hệ thống giám sát hành chính công",
        "bi-building-check",
        "public_services.on_time_rate",
    ),
    Domain(
        "portals",
        "cong-thong-tin",
        "Cổng thông tin điện tử",
        "Web portals",
        "Hệ thống giám sát Cổng thông tin điện tử",
        "bi-globe2",
        "portals.uptime_rate",
    ),
    Domain(
        "documents",
        "van-ban-dieu-hanh",
        "Quản lý văn bản và điều hành",
        "Documents & direction",
        "Hệ thống Quản lý văn bản và điều hành",
        "bi-file-earmark-text",
        "documents.signed_rate",
    ),
    Domain(
        "environment",
        "tai-nguyen-moi-truong",
        "Tài nguyên và Môi trường",
        "Natural resources & environment",
        "Hệ thống thông tin Tài nguyên và Môi trường",
        "bi-water",
        "environment.salinity_max",
    ),
    Domain(
        "tourism",
        "du-lich",
        "Du lịch",
        "Tourism",
        "Hệ thống du lịch",
        "bi-signpost-2",
        "tourism.visitors",
    ),
    Domain(
        "socio_economic",
        "kinh-te-xa-hoi",
        "Chỉ tiêu kinh tế – xã hội",
        "Socio-economic indicators",
        "Hệ thống điều hành chỉ tiêu kinh tế xã hội",
        "bi-graph-up-arrow",
        "socio_economic.budget_revenue",
    ),
    Domain(
        "feedback",
        "phan-anh-kien-nghi",
        "Phản ánh kiến nghị",
        "Citizen feedback",
        "Hệ thống phản ánh kiến nghị",
        "bi-chat-left-dots",
        "feedback.on_time_rate",
    ),
    Domain(
        "cameras",
        "camera",
        "Camera giám sát",
        "Surveillance cameras",
        "Hệ thống camera giám sát",
        "bi-camera-video",
        "cameras.online_rate",
    ),
)

_S, _M, _X, _L, _R = (
    Aggregation.SUM,
    Aggregation.MEAN,
    Aggregation.MAX,
    Aggregation.LAST,
    Aggregation.RATIO,
)
_UP, _DOWN = Direction.UP, Direction.DOWN

METRICS: tuple[Metric, ...] = (
    # 1. Health
    Metric(
        "health.outpatient_visits", "Lượt khám ngoại trú", "Outpatient visits", "lượt", "visits", _S
    ),
    Metric(
        "health.digital_id_visits",
        "Lượt khám dùng VssID/CCCD",
        "Visits using VssID/CCCD",
        "lượt",
        "visits",
        _S,
        tile=False,
    ),
    Metric(
        "health.digital_id_rate",
        "Tỷ lệ khám BHYT bằng VssID/CCCD",
        "Insured visits using VssID/CCCD",
        "%",
        "%",
        _R,
        _UP,
        warn=50,
        critical=30,
        numerator="health.digital_id_visits",
        denominator="health.outpatient_visits",
        scale=100,
        decimals=1,
    ),
    Metric(
        "health.inpatients",
        "Người bệnh nội trú",
        "Inpatients",
        "người",
        "patients",
        _M,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "health.beds",
        "Giường bệnh kế hoạch",
        "Planned beds",
        "giường",
        "beds",
        _M,
        levels=UPPER_LEVELS,
        tile=False,
    ),
    Metric(
        "health.bed_occupancy",
        "Công suất sử dụng giường",
        "Bed occupancy",
        "%",
        "%",
        _R,
        _DOWN,
        warn=90,
        critical=100,
        numerator="health.inpatients",
        denominator="health.beds",
        scale=100,
        decimals=1,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "health.disease_cases",
        "Ca bệnh truyền nhiễm",
        "Notifiable disease cases",
        "ca",
        "cases",
        _S,
        _DOWN,
    ),
    # 2. Education
    Metric("education.enrolled", "Học sinh", "Pupils", "học sinh", "pupils", _L),
    Metric(
        "education.present",
        "Học sinh có mặt",
        "Pupils present",
        "lượt",
        "pupil-days",
        _S,
        tile=False,
    ),
    Metric(
        "education.attendance_rate",
        "Tỷ lệ chuyên cần",
        "Attendance rate",
        "%",
        "%",
        _R,
        _UP,
        warn=95,
        critical=90,
        numerator="education.present",
        denominator="education.enrolled",
        scale=100,
        decimals=1,
    ),
    Metric("education.teachers", "Giáo viên", "Teachers", "giáo viên", "teachers", _L),
    # 3. Public administrative services
    Metric(
        "public_services.received", "Hồ sơ tiếp nhận", "Dossiers received", "hồ sơ", "dossiers", _S
    ),
    Metric(
        "public_services.resolved",
        "Hồ sơ đã giải quyết",
        "Dossiers resolved",
        "hồ sơ",
        "dossiers",
        _S,
    ),
    Metric(
        "public_services.resolved_on_time",
        "Hồ sơ giải quyết đúng hạn",
        "Dossiers resolved on time",
        "hồ sơ",
        "dossiers",
        _S,
        tile=False,
    ),
    Metric(
        "public_services.on_time_rate",
        "Tỷ lệ giải quyết đúng hạn",
        "On-time rate",
        "%",
        "%",
        _R,
        _UP,
        warn=98,
        critical=95,
        numerator="public_services.resolved_on_time",
        denominator="public_services.resolved",
        scale=100,
        decimals=2,
        target_source="2021: 99,71% (Đề án 03/ĐA-UBND)",
    ),
    Metric(
        "public_services.online_received",
        "Hồ sơ trực tuyến",
        "Online dossiers",
        "hồ sơ",
        "dossiers",
        _S,
        tile=False,
    ),
    Metric(
        "public_services.online_rate",
        "Tỷ lệ hồ sơ trực tuyến",
        "Online share",
        "%",
        "%",
        _R,
        _UP,
        numerator="public_services.online_received",
        denominator="public_services.received",
        scale=100,
        decimals=1,
        target_source="2021: 8,64% (Đề án 03/ĐA-UBND)",
    ),
    Metric(
        "public_services.pending",
        "Hồ sơ đang giải quyết",
        "Dossiers pending",
        "hồ sơ",
        "dossiers",
        _L,
    ),
    # 4. Web portals
    Metric(
        "portals.checks",
        "Lượt kiểm tra",
        "Checks",
        "lượt",
        "checks",
        _S,
        levels=UPPER_LEVELS,
        tile=False,
    ),
    Metric(
        "portals.checks_up",
        "Lượt hoạt động",
        "Checks up",
        "lượt",
        "checks",
        _S,
        levels=UPPER_LEVELS,
        tile=False,
    ),
    Metric(
        "portals.uptime_rate",
        "Tỷ lệ hoạt động",
        "Uptime",
        "%",
        "%",
        _R,
        _UP,
        warn=99,
        critical=95,
        numerator="portals.checks_up",
        denominator="portals.checks",
        scale=100,
        decimals=2,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "portals.response_ms",
        "Thời gian phản hồi",
        "Response time",
        "ms",
        "ms",
        _M,
        _DOWN,
        warn=2000,
        critical=5000,
        levels=UPPER_LEVELS,
    ),
    # 5. Documents and direction
    Metric("documents.incoming", "Văn bản đến", "Incoming documents", "văn bản", "documents", _S),
    Metric("documents.outgoing", "Văn bản đi", "Outgoing documents", "văn bản", "documents", _S),
    Metric(
        "documents.signed",
        "Văn bản ký số",
        "Digitally signed documents",
        "văn bản",
        "documents",
        _S,
        tile=False,
    ),
    Metric(
        "documents.signed_rate",
        "Tỷ lệ văn bản ký số",
        "Digitally signed share",
        "%",
        "%",
        _R,
        _UP,
        warn=90,
        critical=80,
        numerator="documents.signed",
        denominator="documents.outgoing",
        scale=100,
        decimals=2,
        target_source="2021: 90,27% (Đề án 03/ĐA-UBND)",
    ),
    Metric(
        "documents.work_online",
        "Hồ sơ công việc xử lý trên mạng",
        "Work dossiers handled online",
        "hồ sơ",
        "dossiers",
        _S,
        tile=False,
    ),
    Metric(
        "documents.work_total",
        "Hồ sơ công việc",
        "Work dossiers",
        "hồ sơ",
        "dossiers",
        _S,
        tile=False,
    ),
    Metric(
        "documents.work_online_rate",
        "Tỷ lệ hồ sơ công việc trên mạng",
        "Work dossiers handled online",
        "%",
        "%",
        _R,
        _UP,
        targets={"province": 90, "district": 80, "commune": 60},
        target_source="Mục tiêu 2025, Đề án 03/ĐA-UBND",
        numerator="documents.work_online",
        denominator="documents.work_total",
        scale=100,
        decimals=1,
    ),
    # 6. Natural resources and environment
    Metric(
        "environment.salinity_max",
        "Độ mặn cao nhất",
        "Peak salinity",
        "‰",
        "‰",
        _X,
        _DOWN,
        warn=1,
        critical=4,
        decimals=2,
    ),
    Metric("environment.rainfall", "Lượng mưa", "Rainfall", "mm", "mm", _S, decimals=1),
    # 7. Tourism
    Metric(
        "tourism.visitors",
        "Lượt khách du lịch",
        "Visitors",
        "lượt",
        "visitors",
        _S,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "tourism.visitors_international",
        "Khách quốc tế",
        "International visitors",
        "lượt",
        "visitors",
        _S,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "tourism.revenue",
        "Doanh thu du lịch",
        "Tourism revenue",
        "triệu đồng",
        "million VND",
        _S,
        levels=UPPER_LEVELS,
    ),
    # 8. Socio-economic indicators
    Metric(
        "socio_economic.budget_revenue",
        "Thu ngân sách",
        "Budget revenue",
        "tỷ đồng",
        "billion VND",
        _S,
        decimals=1,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "socio_economic.budget_spending",
        "Chi thường xuyên",
        "Recurrent spending",
        "tỷ đồng",
        "billion VND",
        _S,
        decimals=1,
        levels=UPPER_LEVELS,
    ),
    # 9. Citizen feedback
    Metric(
        "feedback.received", "Phản ánh tiếp nhận", "Reports received", "phản ánh", "reports", _S
    ),
    Metric("feedback.resolved", "Phản ánh đã xử lý", "Reports resolved", "phản ánh", "reports", _S),
    Metric(
        "feedback.resolved_on_time",
        "Phản ánh xử lý đúng hạn",
        "Reports resolved on time",
        "phản ánh",
        "reports",
        _S,
        tile=False,
    ),
    Metric(
        "feedback.on_time_rate",
        "Tỷ lệ xử lý đúng hạn",
        "Resolved on time",
        "%",
        "%",
        _R,
        _UP,
        warn=90,
        critical=80,
        numerator="feedback.resolved_on_time",
        denominator="feedback.resolved",
        scale=100,
        decimals=1,
    ),
    Metric(
        "feedback.overdue",
        "Phản ánh quá hạn",
        "Overdue reports",
        "phản ánh",
        "reports",
        _L,
        _DOWN,
        warn=5,
        critical=20,
        limits_by_level=COUNT_LIMITS["feedback.overdue"],
    ),
    # 10. Surveillance cameras
    Metric("cameras.total", "Camera", "Cameras", "camera", "cameras", _L),
    Metric(
        "cameras.online", "Camera trực tuyến", "Cameras online", "camera", "cameras", _L, tile=False
    ),
    Metric(
        "cameras.online_rate",
        "Tỷ lệ camera trực tuyến",
        "Cameras online",
        "%",
        "%",
        _R,
        _UP,
        warn=95,
        critical=85,
        numerator="cameras.online",
        denominator="cameras.total",
        scale=100,
        decimals=1,
    ),
)

_PCT: dict[str, Any] = {"unit_vi": "%", "unit_en": "%", "scale": 100, "decimals": 1}

# Issue 4: the rest of each domain page. Dimensions: see DIMENSIONS below.
METRICS = (
    *METRICS,
    # 1. Health
    Metric(
        "health.vaccinated",
        "Trẻ tiêm chủng đầy đủ",
        "Children fully vaccinated",
        "trẻ",
        "children",
        _S,
        tile=False,
    ),
    Metric(
        "health.vaccination_due",
        "Trẻ trong diện tiêm chủng",
        "Children due",
        "trẻ",
        "children",
        _S,
        tile=False,
    ),
    Metric(
        "health.vaccination_rate",
        "Tỷ lệ tiêm chủng đầy đủ",
        "Full vaccination coverage",
        aggregation=_R,
        direction=_UP,
        warn=90,
        critical=80,
        numerator="health.vaccinated",
        denominator="health.vaccination_due",
        **_PCT,
    ),
    # 2. Education
    Metric(
        "education.pupil_teacher_ratio",
        "Học sinh / giáo viên",
        "Pupils per teacher",
        "HS/GV",
        "pupils/teacher",
        _R,
        Direction.DOWN,
        warn=25,
        critical=30,
        numerator="education.enrolled",
        denominator="education.teachers",
        decimals=1,
    ),
    Metric("education.admitted", "Tuyển sinh đầu cấp", "New enrolments", "học sinh", "pupils", _S),
    Metric(
        "education.exam_candidates",
        "Thí sinh dự thi",
        "Exam candidates",
        "thí sinh",
        "candidates",
        _S,
        tile=False,
        period_kind="year",  # one row per school year, from 1 September
        cadence="school_year",
    ),
    Metric(
        "education.exam_passed",
        "Thí sinh đỗ",
        "Candidates passed",
        "thí sinh",
        "candidates",
        _S,
        tile=False,
        period_kind="year",  # one row per school year, from 1 September
        cadence="school_year",
    ),
    Metric(
        "education.exam_pass_rate",
        "Tỷ lệ đỗ tốt nghiệp",
        "Exam pass rate",
        aggregation=_R,
        direction=_UP,
        warn=95,
        critical=90,
        numerator="education.exam_passed",
        denominator="education.exam_candidates",
        period_kind="year",
        cadence="school_year",
        **_PCT,
    ),
    # 3. Public administrative services (received/resolved/on time also split by agency)
    Metric(
        "public_services.resolved_late",
        "Hồ sơ giải quyết trễ hạn",
        "Dossiers resolved late",
        "hồ sơ",
        "dossiers",
        _S,
        Direction.DOWN,
        dimension="agency",
    ),
    Metric(
        "public_services.payments",
        "Giao dịch thanh toán phí",
        "Fee payments",
        "giao dịch",
        "payments",
        _S,
        tile=False,
    ),
    Metric(
        "public_services.payments_online",
        "Thanh toán trực tuyến",
        "Online payments",
        "giao dịch",
        "payments",
        _S,
        tile=False,
    ),
    Metric(
        "public_services.online_payment_rate",
        "Tỷ lệ thanh toán trực tuyến",
        "Online payment share",
        aggregation=_R,
        direction=_UP,
        numerator="public_services.payments_online",
        denominator="public_services.payments",
        **_PCT,
    ),
    # 4. Web portals (checks, checks_up, response_ms also split by portal)
    Metric(
        "portals.total",
        "Cổng thông tin",
        "Portals",
        "cổng",
        "portals",
        _L,
        tile=False,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "portals.up",
        "Cổng đang hoạt động",
        "Portals up",
        "cổng",
        "portals",
        _L,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "portals.stale_content",
        "Cổng chậm cập nhật tin bài",
        "Portals with stale news",
        "cổng",
        "portals",
        _L,
        Direction.DOWN,
        warn=1,
        critical=5,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "portals.tls_expiring",
        "Chứng thư số sắp hết hạn",
        "TLS certificates expiring",
        "cổng",
        "portals",
        _L,
        Direction.DOWN,
        warn=1,
        critical=3,
        levels=UPPER_LEVELS,
    ),
    # 5. Documents and direction (outgoing/signed also split by government level)
    Metric(
        "documents.tasks_assigned",
        "Nhiệm vụ được giao",
        "Tasks assigned",
        "nhiệm vụ",
        "tasks",
        _S,
        dimension="agency",
    ),
    Metric(
        "documents.tasks_done",
        "Nhiệm vụ hoàn thành",
        "Tasks completed",
        "nhiệm vụ",
        "tasks",
        _S,
        tile=False,
        dimension="agency",
    ),
    Metric(
        "documents.tasks_done_on_time",
        "Nhiệm vụ hoàn thành đúng hạn",
        "Tasks completed on time",
        "nhiệm vụ",
        "tasks",
        _S,
        tile=False,
        dimension="agency",
    ),
    Metric(
        "documents.tasks_on_time_rate",
        "Tỷ lệ nhiệm vụ đúng hạn",
        "Tasks done on time",
        aggregation=_R,
        direction=_UP,
        warn=90,
        critical=75,
        numerator="documents.tasks_done_on_time",
        denominator="documents.tasks_done",
        dimension="agency",
        **_PCT,
    ),
    Metric(
        "documents.tasks_overdue",
        "Nhiệm vụ quá hạn",
        "Overdue tasks",
        "nhiệm vụ",
        "tasks",
        _L,
        Direction.DOWN,
        warn=5,
        critical=15,
        dimension="agency",
        limits_by_level=COUNT_LIMITS["documents.tasks_overdue"],
    ),
    # 6. Natural resources and environment (station readings split by station)
    Metric(
        "environment.water_level_max",
        "Mực nước cao nhất",
        "Peak water level",
        "cm",
        "cm",
        _X,
        Direction.DOWN,
        warn=160,
        critical=180,
        dimension="station",
    ),
    Metric(
        "environment.aqi_max",
        "Chỉ số chất lượng không khí (VN_AQI)",
        "Air quality (VN_AQI)",
        "",
        "",
        _X,
        Direction.DOWN,
        warn=101,
        critical=151,
        dimension="station",
    ),
    Metric(
        "environment.pm25",
        "Bụi PM2,5",
        "PM2.5",
        "µg/m³",
        "µg/m³",
        _M,
        Direction.DOWN,
        tile=False,
        dimension="station",
        decimals=1,
    ),
    Metric(
        "environment.pm10",
        "Bụi PM10",
        "PM10",
        "µg/m³",
        "µg/m³",
        _M,
        Direction.DOWN,
        tile=False,
        dimension="station",
        decimals=1,
    ),
    Metric(
        "environment.no2",
        "NO₂",
        "NO₂",
        "µg/m³",
        "µg/m³",
        _M,
        Direction.DOWN,
        tile=False,
        dimension="station",
        decimals=1,
    ),
    Metric(
        "environment.so2",
        "SO₂",
        "SO₂",
        "µg/m³",
        "µg/m³",
        _M,
        Direction.DOWN,
        tile=False,
        dimension="station",
        decimals=1,
    ),
    Metric(
        "environment.co",
        "CO",
        "CO",
        "µg/m³",
        "µg/m³",
        _M,
        Direction.DOWN,
        tile=False,
        dimension="station",
    ),
    Metric(
        "environment.o3",
        "O₃",
        "O₃",
        "µg/m³",
        "µg/m³",
        _M,
        Direction.DOWN,
        tile=False,
        dimension="station",
        decimals=1,
    ),
    Metric(
        "environment.do",
        "Oxy hòa tan (DO)",
        "Dissolved oxygen (DO)",
        "mg/l",
        "mg/l",
        _M,
        _UP,
        warn=5,
        critical=4,
        tile=False,
        dimension="station",
        decimals=2,
    ),
    Metric(
        "environment.ph",
        "pH nước mặt",
        "Surface-water pH",
        "",
        "",
        _M,
        tile=False,
        dimension="station",
        decimals=2,
    ),
    Metric(
        "environment.exceedances",
        "Lượt vượt ngưỡng",
        "Threshold exceedances",
        "lượt",
        "events",
        _S,
        Direction.DOWN,
        warn=1,
        critical=10,
    ),
    Metric(
        "environment.land_dossiers",
        "Hồ sơ đất đai tiếp nhận",
        "Land-record dossiers",
        "hồ sơ",
        "dossiers",
        _S,
        levels=UPPER_LEVELS,
    ),
    # 7. Tourism
    Metric(
        "tourism.rooms_occupied",
        "Phòng có khách",
        "Rooms occupied",
        "phòng-đêm",
        "room-nights",
        _S,
        tile=False,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "tourism.rooms_available",
        "Phòng sẵn sàng",
        "Rooms available",
        "phòng-đêm",
        "room-nights",
        _S,
        tile=False,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "tourism.occupancy_rate",
        "Công suất buồng phòng",
        "Room occupancy",
        aggregation=_R,
        numerator="tourism.rooms_occupied",
        denominator="tourism.rooms_available",
        levels=UPPER_LEVELS,
        **_PCT,
    ),
    # 8. Socio-economic indicators (plans are yearly observations of their own metrics)
    Metric(
        "socio_economic.budget_revenue_plan",
        "Dự toán thu ngân sách năm",
        "Budget revenue estimate",
        "tỷ đồng",
        "billion VND",
        _L,
        tile=False,
        decimals=1,
        levels=UPPER_LEVELS,
        period_kind="year",
        cadence="year",
    ),
    Metric(
        "socio_economic.budget_spending_plan",
        "Dự toán chi thường xuyên năm",
        "Recurrent spending estimate",
        "tỷ đồng",
        "billion VND",
        _L,
        tile=False,
        decimals=1,
        levels=UPPER_LEVELS,
        period_kind="year",
        cadence="year",
    ),
    Metric(
        "socio_economic.exports",
        "Kim ngạch xuất khẩu",
        "Exports",
        "triệu USD",
        "million USD",
        _S,
        decimals=1,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "socio_economic.investment",
        "Vốn đầu tư thực hiện",
        "Investment realised",
        "tỷ đồng",
        "billion VND",
        _S,
        decimals=1,
        levels=UPPER_LEVELS,
    ),
    Metric(
        "socio_economic.grdp_growth",
        "Tăng trưởng GRDP",
        "GRDP growth",
        "%",
        "%",
        _L,
        _UP,
        decimals=2,
        levels=("province",),
        period_kind="year",
        cadence="year",
        dimension="sector",
    ),
    Metric(
        "socio_economic.grdp_share",
        "Cơ cấu GRDP",
        "GRDP structure",
        "%",
        "%",
        _L,
        decimals=2,
        levels=("province",),
        period_kind="year",
        cadence="year",
        tile=False,
        dimension="sector",  # each sector's share; the undivided value is the whole, 100%
    ),
    # 9. Citizen feedback (received also split by category and by channel: "category:x")
    Metric(
        "feedback.in_progress",
        "Phản ánh đang xử lý",
        "Reports in progress",
        "phản ánh",
        "reports",
        _L,
    ),
    Metric("feedback.rated", "Lượt đánh giá", "Ratings", "lượt", "ratings", _S, tile=False),
    Metric(
        "feedback.satisfied",
        "Lượt hài lòng",
        "Satisfied ratings",
        "lượt",
        "ratings",
        _S,
        tile=False,
    ),
    Metric(
        "feedback.satisfaction_rate",
        "Mức độ hài lòng",
        "Satisfaction",
        aggregation=_R,
        direction=_UP,
        warn=80,
        critical=70,
        numerator="feedback.satisfied",
        denominator="feedback.rated",
        **_PCT,
    ),
    Metric(
        "feedback.resolution_hours",
        "Thời gian xử lý (tổng giờ)",
        "Resolution time (hours)",
        "giờ",
        "hours",
        _S,
        tile=False,
    ),
    Metric(
        "feedback.mean_resolution_days",
        "Thời gian xử lý trung bình",
        "Mean resolution time",
        "ngày",
        "days",
        _R,
        Direction.DOWN,
        warn=7,
        critical=15,
        numerator="feedback.resolution_hours",
        denominator="feedback.resolved",
        scale=1 / 24,
        decimals=1,
    ),
    # 10. Surveillance cameras
    Metric(
        "cameras.offline",
        "Camera mất kết nối",
        "Cameras offline",
        "camera",
        "cameras",
        _L,
        Direction.DOWN,
        warn=5,
        critical=20,
        limits_by_level=COUNT_LIMITS["cameras.offline"],
    ),
    Metric(
        "cameras.analytics_events",
        "Sự kiện phân tích hình ảnh",
        "Video analytics events",
        "sự kiện",
        "events",
        _S,
    ),
)


# Metrics from issue 3 that feeds also split by a dimension.
SPLITS = {
    "public_services.received": "agency",
    "public_services.resolved": "agency",
    "public_services.resolved_on_time": "agency",
    "public_services.on_time_rate": "agency",
    "portals.checks": "portal",
    "portals.checks_up": "portal",
    "portals.uptime_rate": "portal",
    "portals.response_ms": "portal",
    "documents.outgoing": "level",
    "documents.signed": "level",
    "documents.signed_rate": "level",
    "environment.salinity_max": "station",
    "feedback.received": "category",  # members "category:<code>" and "channel:<code>"
}
METRICS = tuple(replace(m, dimension=SPLITS.get(m.key, m.dimension)) for m in METRICS)

# Members of each dimension that are not assets (assets name their own: agency, portal, station).
DIMENSIONS: dict[str, dict[str, tuple[str, str]]] = {
    "level": {
        "province": ("Cấp tỉnh", "Province"),
        "district": ("Cấp huyện", "District"),
        "commune": ("Cấp xã", "Commune"),
    },
    "sector": {
        "agriculture": ("Nông, lâm, thủy sản", "Agriculture, forestry, fisheries"),
        "industry": ("Công nghiệp – xây dựng", "Industry and construction"),
        "services": ("Dịch vụ", "Services"),
        "taxes": ("Thuế sản phẩm trừ trợ cấp sản phẩm", "Product taxes less subsidies"),
        "total": ("Toàn nền kinh tế", "Economy"),
    },
    "category": {
        "lighting": ("Chiếu sáng công cộng", "Street lighting"),
        "waste": ("Vệ sinh môi trường", "Waste and sanitation"),
        "roads": ("Giao thông", "Roads and traffic"),
        "urban_order": ("Trật tự đô thị", "Urban order"),
        "public_services": ("Thủ tục hành chính", "Administrative procedures"),
        "flooding": ("Thoát nước", "Drainage and flooding"),
        "water": ("Cấp nước", "Water supply"),
        "noise": ("Tiếng ồn", "Noise"),
        "power": ("Điện", "Electricity"),
        "security": ("An ninh trật tự", "Public security"),
        "trees": ("Cây xanh", "Trees"),
        "pollution": ("Ô nhiễm môi trường", "Pollution"),
    },
    "channel": {
        "hotline": ("Tổng đài 1022", "Hotline 1022"),
        "zalo": ("Zalo", "Zalo"),
        "portal": ("Cổng dịch vụ công", "Public-service portal"),
        "direct": ("Trực tiếp", "In person"),
    },
}

METRICS_BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}
DOMAINS_BY_KEY: dict[str, Domain] = {d.key: d for d in DOMAINS}


def domain_metrics(domain: str) -> tuple[Metric, ...]:
    return tuple(m for m in METRICS if m.domain == domain)


def tile_metrics(domain: str) -> tuple[Metric, ...]:
    """The metrics of a domain shown as KPI tiles (components hidden)."""
    return tuple(m for m in domain_metrics(domain) if m.tile)


def stored_metrics() -> tuple[Metric, ...]:
    """Metrics that hold observations (ratios are computed from their components)."""
    return tuple(m for m in METRICS if m.aggregation is not Aggregation.RATIO)

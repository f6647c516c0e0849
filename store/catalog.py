"""The domain list and metric catalog: declared once, synced to the database, read by all."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
    tile: bool = True  # False: a component only, not shown as a KPI tile of its own

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

"""Digital-transformation targets the leadership tracks (DOMAIN.md §6), with their sources.

Where the source documents disagree, each value is kept with its own source: the UI shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEME = "Đề án 03/ĐA-UBND (002)"
IR40 = "KH CMCN 4.0 (000)"
PROGRAMME = "CTr Ban Thường vụ (003)"


@dataclass(frozen=True, slots=True)
class Target:
    name_vi: str
    name_en: str
    by_2025: str
    by_2030: str
    source: str
    metric: str | None = None  # a catalogued metric measuring progress, when one exists


TARGETS: tuple[Target, ...] = (
    Target(
        "Hồ sơ công việc xử lý trên môi trường mạng (tỉnh / huyện / xã)",
        "Work dossiers handled online (province / district / commune)",
        "90 / 80 / 60%",
        "100 / 90 / 70%",
        f"{SCHEME} :231, :245",
        "documents.work_online_rate",
    ),
    Target(
        "Chế độ báo cáo, chỉ tiêu KT-XH trên hệ thống báo cáo",
        "Reporting regimes on the reporting systems",
        "100%",
        "—",
        f"{SCHEME} :233",
    ),
    Target(
        "CSDL dùng chung trong kho dữ liệu tỉnh",
        "Shared databases in the data warehouse",
        "100%",
        "toàn bộ CSDL ngành, địa phương",
        f"{SCHEME} :235, :247",
    ),
    Target(
        "Hoạt động kiểm tra qua hệ thống số",
        "Inspections through digital systems",
        "50%",
        "70%",
        f"{SCHEME} :237, :249",
    ),
    Target(
        "Kinh tế số trong GRDP", "Digital economy share of GRDP", "20%", "30%", f"{SCHEME} :251"
    ),
    Target(
        "Kinh tế số trong GRDP",
        "Digital economy share of GRDP",
        "20%",
        "≥ 20%",
        f"{IR40} :129–132; {PROGRAMME} :40",
    ),
    Target(
        "Tỷ trọng kinh tế số trong từng ngành",
        "Digital economy share in each sector",
        "≥ 10%",
        "≥ 20%",
        f"{SCHEME} :239; {IR40} :130",
    ),
    Target(
        "Tăng năng suất lao động",
        "Labour-productivity growth",
        "≥ 7%/năm",
        "≥ 8%/năm",
        f"{SCHEME} :239; {IR40} :129",
    ),
    Target(
        "Hộ gia đình có cáp quang", "Households with fibre", "80%", "100%", f"{SCHEME} :241, :253"
    ),
    Target(
        "Người từ 15 tuổi có tài khoản thanh toán điện tử",
        "People 15+ with an e-payment account",
        "≥ 50%",
        "80%",
        f"{SCHEME} :241, :253",
    ),
    Target("Phủ sóng 4G/5G", "4G/5G service", "toàn tỉnh", "—", f"{SCHEME} :241"),
    Target(
        "Phủ sóng 5G", "5G coverage", "100% xã, 80% hộ", "—", f"{IR40} :106–108; {PROGRAMME} :35"
    ),
    Target(
        "TP Sóc Trăng đô thị thông minh",
        "TP Sóc Trăng smart city",
        "đạt tiêu chí cơ bản",
        "hoàn thiện",
        f"{IR40} :404–409; {SCHEME} :227",
    ),
)

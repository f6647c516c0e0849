"""The provincial agencies that receive dossiers and are given tasks, and their habits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name_vi: str
    dossier_share: float  # of the dossiers filed with provincial agencies
    on_time: float  # usual probability a dossier is resolved on time
    task_share: float  # of the tasks the provincial People's Committee assigns
    task_on_time: float  # usual probability a task is done by its deadline
    procedures: tuple[str, ...]


AGENCIES = (
    Agency("so-tnmt", "Sở Tài nguyên và Môi trường", 0.16, 0.985, 0.12, 0.80, (
        "Đăng ký biến động quyền sử dụng đất",
        "Cấp giấy chứng nhận quyền sử dụng đất",
        "Cấp giấy phép khai thác nước dưới đất",
    )),
    Agency("so-khdt", "Sở Kế hoạch và Đầu tư", 0.09, 0.998, 0.14, 0.86, (
        "Đăng ký thành lập doanh nghiệp",
        "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
        "Quyết định chủ trương đầu tư",
    )),
    Agency("so-xd", "Sở Xây dựng", 0.04, 0.992, 0.08, 0.82, (
        "Cấp giấy phép xây dựng",
        "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở",
        "Cấp chứng chỉ hành nghề hoạt động xây dựng",
    )),
    Agency("so-gtvt", "Sở Giao thông vận tải", 0.16, 0.998, 0.07, 0.88, (
        "Đổi giấy phép lái xe",
        "Cấp phù hiệu xe kinh doanh vận tải",
        "Cấp giấy phép lái xe quốc tế",
    )),
    Agency("so-yte", "Sở Y tế", 0.06, 0.997, 0.08, 0.90, (
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "Cấp giấy phép hoạt động cơ sở khám bệnh, chữa bệnh",
    )),
    Agency("so-gddt", "Sở Giáo dục và Đào tạo", 0.03, 0.999, 0.06, 0.93, (
        "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "Cho phép trung tâm ngoại ngữ, tin học hoạt động",
        "Chỉnh sửa nội dung văn bằng, chứng chỉ",
    )),
    Agency("so-ldtbxh", "Sở Lao động – Thương binh và Xã hội", 0.07, 0.997, 0.06, 0.89, (
        "Giải quyết hưởng trợ cấp thất nghiệp",
        "Cấp giấy phép lao động cho người nước ngoài",
        "Giải quyết chế độ ưu đãi người có công",
    )),
    Agency("so-tp", "Sở Tư pháp", 0.12, 0.998, 0.05, 0.94, (
        "Cấp phiếu lý lịch tư pháp",
        "Đăng ký hoạt động văn phòng công chứng",
        "Cấp thẻ công chứng viên",
    )),
    Agency("so-ct", "Sở Công Thương", 0.05, 0.998, 0.06, 0.90, (
        "Cấp giấy phép bán lẻ sản phẩm rượu",
        "Cấp giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
        "Cấp giấy phép bán lẻ sản phẩm thuốc lá",
    )),
    Agency("so-nnptnt", "Sở Nông nghiệp và Phát triển nông thôn", 0.05, 0.997, 0.10, 0.84, (
        "Cấp giấy chứng nhận cơ sở đủ điều kiện nuôi trồng thủy sản",
        "Cấp giấy phép khai thác thủy sản",
        "Kiểm dịch động vật vận chuyển ra khỏi địa bàn tỉnh",
    )),
    Agency("so-tc", "Sở Tài chính", 0.03, 0.995, 0.12, 0.83, (
        "Thẩm định giá đất cụ thể",
        "Cấp mã số đơn vị có quan hệ với ngân sách",
        "Thẩm tra quyết toán dự án hoàn thành",
    )),
    Agency("cong-an", "Công an tỉnh", 0.14, 0.999, 0.06, 0.92, (
        "Cấp hộ chiếu phổ thông",
        "Thẩm duyệt thiết kế về phòng cháy và chữa cháy",
        "Đăng ký, cấp biển số xe",
    )),
)  # fmt: skip
COMMUNE_PROCEDURES = (
    "Chứng thực bản sao từ bản chính",
    "Đăng ký khai sinh",
    "Đăng ký kết hôn",
    "Xác nhận tình trạng hôn nhân",
    "Chứng thực hợp đồng, giao dịch",
    "Đăng ký khai tử",
)
AGENCY_CODES = tuple(a.code for a in AGENCIES)


def dossier_shares() -> np.ndarray:
    shares = np.array([a.dossier_share for a in AGENCIES])
    return shares / shares.sum()


def task_shares() -> np.ndarray:
    shares = np.array([a.task_share for a in AGENCIES])
    return shares / shares.sum()

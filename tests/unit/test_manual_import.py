"""What an upload is refused for, before any parser reads it; the size a request can carry;
restricted pages matched through their path templates."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from access.roles import Capability
from access.web.permissions import Restrictions
from feeds.manual_import import (
    ENVELOPE_BYTES,
    Problem,
    check_upload,
    decode_upload,
    shown_name,
    upload_limit,
)

LIMIT = 100_000


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


WORKBOOK = b"<workbook/>"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("BAO-CAO.CSV", "STT;Đơn vị\r\n1;TP. Sóc Trăng\r\n".encode()),
        ("bao cao.txt", codecs.BOM_UTF16_LE + "STT\tĐơn vị\r\n".encode("utf-16-le")),
        ("bao-cao.xlsx", _zip({"xl/workbook.xml": WORKBOOK, "xl/s.xml": b"<a/>" * 500})),
    ],
)
def test_readable_files_pass(name: str, data: bytes) -> None:
    assert check_upload(name, data, LIMIT) is None


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("bao-cao", b"a;b", Problem.WRONG_TYPE),
        ("anh.png", b"\x89PNG", Problem.WRONG_TYPE),
        ("nhi-phan.csv", b"a;b\x00\x01\x02", Problem.WRONG_TYPE),
        ("trong.csv", b"\xef\xbb\xbf \r\n", Problem.EMPTY),
        ("lon.csv", b"1" * (LIMIT + 1), Problem.TOO_BIG),
        ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, Problem.OLD_EXCEL),
        ("trang.xls", b"\xef\xbb\xbf<!DOCTYPE html><table>", Problem.HTML),
        ("hong.xlsx", b"PK\x03\x04 cut short", Problem.CORRUPT),
        ("khong-zip.xlsx", b"STT;Don vi", Problem.CORRUPT),
        ("nen.xlsx", _zip({"readme.txt": b"x"}), Problem.NOT_WORKBOOK),
        (
            "bom.xlsx",
            _zip({"xl/workbook.xml": WORKBOOK, "xl/s.xml": b"\0" * 5_000_000}),
            Problem.ZIP_BOMB,
        ),
    ],
)
def test_each_bad_file_has_its_reason(name: str, data: bytes, problem: Problem) -> None:
    refusal = check_upload(name, data, LIMIT)
    assert refusal is not None and refusal.problem is problem


def test_the_limit_is_what_one_request_carries_and_what_the_feed_takes() -> None:
    assert upload_limit(1024 * 1024, 20 * 1024 * 1024) == (1024 * 1024 - ENVELOPE_BYTES) * 3 // 4
    assert upload_limit(64 * 1024 * 1024, 2048) == 2048


def test_data_urls_and_names() -> None:
    assert decode_upload("data:text/csv;base64,YTtiDQo=") == b"a;b\r\n"
    assert decode_upload("data:") == b""  # an empty file, as Chromium reads it
    assert not isinstance(decode_upload("data:text/csv;base64,@@"), bytes)
    assert not isinstance(decode_upload("data:text/csv,a;b"), bytes)  # not base64
    assert shown_name("C:\\Users\\vt\\Báo cáo.csv") == "Báo cáo.csv"
    assert shown_name("../../etc/passwd\n") == "passwd"


def test_restricted_pages_match_their_path_templates() -> None:
    rules = Restrictions(
        pages={"/nguon-du-lieu": Capability.OPERATE_FEEDS},
        page_templates={"/nguon-du-lieu/nhap/<feed_id>": Capability.OPERATE_FEEDS},
    )
    assert rules.page_rule("/nguon-du-lieu") is Capability.OPERATE_FEEDS
    assert rules.page_rule("/nguon-du-lieu/nhap/bao_cao") is Capability.OPERATE_FEEDS
    # Dash gives a variable the rest of the path, slashes included: so does the rule.
    assert rules.page_rule("/nguon-du-lieu/nhap/a/b") is Capability.OPERATE_FEEDS
    assert rules.page_rule("/nguon-du-lieu/nhap") is None
    assert rules.page_rule("/y-te") is None

"""The provider's claims in IOC terms: role mapping, district codes, admission, return paths."""

from __future__ import annotations

from typing import Any

import pytest

import i18n
from access import oidc
from access.oidc import (
    AccountDisabled,
    Admission,
    AmbiguousRole,
    Claims,
    InvalidDistrict,
    InvalidUsername,
    JitRoleRefused,
    KnownAccount,
    MissingClaim,
    SsoError,
    UnknownRole,
    UnknownUser,
    UnsafeNext,
    admit,
    check_next,
    map_claims,
)
from settings.sso import SsoConfig

pytestmark = pytest.mark.unit

MAPPING = {
    "ioc-quan-tri": "admin",
    "van-hanh": "operator",
    "lanh-dao": "leader",
    "huyen": "district",
}
CONFIG = SsoConfig(
    role_mapping=MAPPING
)  # the default claims: preferred_username, ioc_role, ioc_area


def claims(**values: Any) -> dict[str, Any]:
    return {"sub": "u1", "preferred_username": "nguoidung", **values}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (claims(ioc_role="ioc-quan-tri"), ("nguoidung", "admin", None)),
        (claims(ioc_role="van-hanh"), ("nguoidung", "operator", None)),
        (claims(ioc_role="lanh-dao", ioc_area="941"), ("nguoidung", "leader", None)),
        (claims(ioc_role="huyen", ioc_area="941"), ("nguoidung", "district", "941")),
        (claims(ioc_role="huyen", ioc_area="949"), ("nguoidung", "district", "949")),
        (
            claims(ioc_role=["staff", "huyen", "everyone"], ioc_area="942"),
            ("nguoidung", "district", "942"),
        ),
        (claims(ioc_role=["lanh-dao", "lanh-dao"]), ("nguoidung", "leader", None)),
    ],
)
def test_claims_map_through_the_table(raw: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert map_claims(CONFIG, raw) == expected


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (claims(ioc_role="root"), UnknownRole),
        (claims(ioc_role="admin"), UnknownRole),  # IOC names count only when the table maps them
        (claims(ioc_role=["staff"]), UnknownRole),
        (claims(ioc_role=7), UnknownRole),
        (claims(ioc_role=["lanh-dao", "ioc-quan-tri"]), AmbiguousRole),
        (claims(), MissingClaim),
        (claims(ioc_role=""), MissingClaim),
        (claims(ioc_role="huyen"), MissingClaim),  # a district user needs a district
        (claims(ioc_role="huyen", ioc_area="94"), InvalidDistrict),  # the province
        (claims(ioc_role="huyen", ioc_area="31498"), InvalidDistrict),  # a commune of 941
        (claims(ioc_role="huyen", ioc_area="941 "), InvalidDistrict),
        (claims(ioc_role="huyen", ioc_area=941), InvalidDistrict),
        (claims(ioc_role="huyen", ioc_area="000"), InvalidDistrict),
        ({"sub": "u1", "ioc_role": "lanh-dao"}, MissingClaim),
        (claims(ioc_role="lanh-dao", preferred_username="tên có dấu"), InvalidUsername),
        (claims(ioc_role="lanh-dao", preferred_username="a" * 65), InvalidUsername),
        (claims(ioc_role="lanh-dao", preferred_username=["a"]), InvalidUsername),
    ],
)
def test_claims_that_do_not_map_are_refused(raw: dict[str, Any], error: type[SsoError]) -> None:
    with pytest.raises(error):
        map_claims(CONFIG, raw)


def test_the_claim_names_are_configurable() -> None:
    config = SsoConfig(
        username_claim="email", role_claim="groups", area_claim="ma_huyen", role_mapping=MAPPING
    )
    raw = {"email": "a@soctrang.gov.vn", "groups": ["huyen"], "ma_huyen": "943"}
    assert map_claims(config, raw) == ("a@soctrang.gov.vn", "district", "943")


def test_without_a_role_claim_the_role_is_left_to_the_ioc() -> None:
    config = SsoConfig(role_claim=None)
    assert map_claims(config, claims(ioc_role="anything", ioc_area="941")) == (
        "nguoidung",
        None,
        "941",
    )
    assert map_claims(config, claims()) == ("nguoidung", None, None)


def identity(role: Any, area: str | None = None) -> Claims:
    return Claims(subject="u1", username="nguoidung", role=role, area=area, next_url="/")


@pytest.mark.parametrize(
    ("config", "who", "account", "expected"),
    [
        (
            CONFIG,
            identity("leader"),
            KnownAccount(role="district", area="941"),
            Admission(username="nguoidung", role="leader", area=None, create=False),
        ),
        (
            SsoConfig(role_claim=None),
            identity(None),
            KnownAccount(role="operator", area=None),
            Admission(username="nguoidung", role="operator", area=None, create=False),
        ),
        (
            SsoConfig(allow_jit_users=True),
            identity("district", "941"),
            None,
            Admission(username="nguoidung", role="district", area="941", create=True),
        ),
        (
            SsoConfig(allow_jit_users=True, role_claim=None),
            identity(None, "941"),
            None,
            Admission(username="nguoidung", role="leader", area=None, create=True),
        ),
        (
            SsoConfig(allow_jit_users=True, role_claim=None, jit_default_role="district"),
            identity(None, "942"),
            None,
            Admission(username="nguoidung", role="district", area="942", create=True),
        ),
    ],
)
def test_admission(
    config: SsoConfig, who: Claims, account: KnownAccount | None, expected: Admission
) -> None:
    assert admit(config, who, account) == expected


@pytest.mark.parametrize(
    ("config", "who", "account", "error"),
    [
        (CONFIG, identity("leader"), None, UnknownUser),
        (SsoConfig(allow_jit_users=True), identity("admin"), None, JitRoleRefused),
        (SsoConfig(allow_jit_users=True), identity("operator"), None, JitRoleRefused),
        (
            SsoConfig(allow_jit_users=True, role_claim=None, jit_default_role="district"),
            identity(None),
            None,
            MissingClaim,
        ),
        (
            CONFIG,
            identity("leader"),
            KnownAccount(role="leader", area=None, active=False),
            AccountDisabled,
        ),
        (
            SsoConfig(role_claim=None),
            identity(None),
            KnownAccount(role="district", area=None),
            MissingClaim,
        ),
    ],
)
def test_admission_refusals(
    config: SsoConfig, who: Claims, account: KnownAccount | None, error: type[SsoError]
) -> None:
    with pytest.raises(error):
        admit(config, who, account)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil",
        "/\\evil",
        "\\\\evil",
        "javascript:alert(1)",
        "http:/evil",
        "/\tevil",
        "/x\r\nLocation: https://evil.example",
        "evil",
        "///evil",
    ],
)
def test_next_addresses_that_could_leave_the_site_are_refused(next_url: str) -> None:
    with pytest.raises(UnsafeNext):
        check_next(next_url)


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [
        ("/y-te?area=941", "/y-te?area=941"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("/huyen/941#map", "/huyen/941#map"),
    ],
)
def test_local_next_addresses_are_kept(next_url: str | None, kept: str) -> None:
    assert check_next(next_url) == kept


def all_errors() -> list[type[SsoError]]:
    found: list[type[SsoError]] = [SsoError]
    for cls in found:
        found += cls.__subclasses__()
    return found


def test_every_sso_error_has_its_own_code_and_text_in_both_languages() -> None:
    errors = [e for e in all_errors() if e.__module__.startswith(oidc.__name__)]
    codes = [e.code for e in errors]
    assert len(codes) == len(set(codes)) and len(codes) > 25
    for error in errors:
        key = error("x").message_key
        for lang in i18n.LANGUAGES:
            assert key in i18n.catalog_keys(lang), (key, lang)

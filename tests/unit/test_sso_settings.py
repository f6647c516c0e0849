"""The `sso:` section of config.yaml: each bad value is one problem line naming its YAML path."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from settings import ConfigError, load_settings

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
SSO_KEYS = (
    "enabled, issuer, base_url, client_id, client_secret, scopes, redirect_path, username_claim, "
    "role_claim, area_claim, userinfo, role_mapping, allow_jit_users, jit_default_role, timeout, "
    "clock_skew, discovery_lifetime, login_lifetime"
)
ENABLED = """\
  enabled: true
  issuer: "https://sso.soctrang.gov.vn/realms/ioc"
  base_url: "https://ioc.soctrang.gov.vn"
  client_id: ioc-dashboard
"""


def problems(tmp_path: Path, sso_body: str, env: dict[str, str] | None = None) -> list[str]:
    path = tmp_path / "config.yaml"
    path.write_text(f"version: 1\nsso:\n{sso_body}", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path, env=env or {})
    return error.value.problems


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("  colour: red\n", f"sso.colour: unknown key (allowed: {SSO_KEYS})"),
        ("  enabled: true\n", "sso.issuer: required when enabled is true"),
        (
            ENABLED + "  client_secret: hunter2\n",
            "sso.client_secret: secrets must come from the environment: write ${VAR}",
        ),
        (
            ENABLED + '  client_secret: "${IOC_SSO_SECRET}"\n',
            "sso.client_secret: environment variable IOC_SSO_SECRET is not set",
        ),
        (
            '  issuer: "http://sso.example.gov.vn"\n',
            "sso.issuer: the issuer must use https:// (http only on 127.0.0.1), got "
            "'http://sso.example.gov.vn'",
        ),
        (
            '  issuer: "ftp://sso.example.gov.vn"\n',
            "sso.issuer: the issuer must be an https:// URL, got 'ftp://sso.example.gov.vn'",
        ),
        (
            '  base_url: "https://ioc.example.gov.vn/app"\n',
            "sso.base_url: base_url must be scheme://host[:port] without a path",
        ),
        ("  scopes: [profile, email]\n", "sso.scopes: must include openid"),
        (
            '  redirect_path: "//evil.example/cb"\n',
            "sso.redirect_path: must be a path on this site such as /dang-nhap/sso, got "
            "'//evil.example/cb'",
        ),
        (
            "  role_mapping: {ioc-quan-tri: root}\n",
            "sso.role_mapping.ioc-quan-tri: must be one of: admin, operator, leader, district",
        ),
        (
            "  role_mapping: {}\n",
            "sso.role_mapping: must map at least one provider value to an IOC role",
        ),
        ("  jit_default_role: admin\n", "sso.jit_default_role: must be one of: leader, district"),
        ("  allow_jit_users: maybe\n", "sso.allow_jit_users: must be true or false, got 'maybe'"),
        ("  timeout: 0\n", "sso.timeout: must be at least 1 s"),
        ("  clock_skew: 1h\n", "sso.clock_skew: must be at most 10 min"),
        ("  discovery_lifetime: 10s\n", "sso.discovery_lifetime: must be at least 1 min"),
    ],
)
def test_a_bad_sso_value_names_its_yaml_path(tmp_path: Path, body: str, expected: str) -> None:
    assert expected in problems(tmp_path, body)


def test_enabled_without_provider_details_lists_each_missing_key(tmp_path: Path) -> None:
    assert problems(tmp_path, "  enabled: true\n") == [
        "sso.issuer: required when enabled is true",
        "sso.base_url: required when enabled is true",
        "sso.client_id: required when enabled is true",
    ]


def test_a_literal_secret_is_not_echoed(tmp_path: Path) -> None:
    lines = problems(tmp_path, ENABLED + "  client_secret: hunter2\n")
    assert not any("hunter2" in line for line in lines)


def test_the_default_is_off_with_conservative_choices() -> None:
    sso = load_settings(REPO_ROOT / "config.yaml", env={}).sso
    assert not sso.enabled and not sso.allow_jit_users and sso.jit_default_role == "leader"
    assert sso.role_mapping == {r: r for r in ("admin", "operator", "leader", "district")}


def test_the_documented_example_in_config_yaml_is_valid(tmp_path: Path) -> None:
    """The commented example, uncommented, loads as written (the file is the documentation)."""
    text = (REPO_ROOT / "config.yaml").read_text(encoding="utf-8")
    block = re.search(r"^# sso:\n(?:^#   .*\n)+", text, re.MULTILINE)
    assert block is not None
    example = "".join(line[2:] + "\n" for line in block.group(0).splitlines())
    example = example.replace("enabled: false", "enabled: true")
    path = tmp_path / "config.yaml"
    path.write_text("version: 1\n" + textwrap.dedent(example), encoding="utf-8")

    sso = load_settings(path, env={"IOC_SSO_CLIENT_SECRET": "from-the-environment"}).sso

    assert sso.enabled and sso.client_secret == "from-the-environment"
    assert sso.redirect_uri == "https://ioc.soctrang.gov.vn/dang-nhap/sso"
    assert sso.discovery_url == (
        "https://sso.soctrang.gov.vn/realms/ioc/.well-known/openid-configuration"
    )
    assert sso.role_mapping["huyen"] == "district"
    assert (sso.discovery_lifetime, sso.login_lifetime) == (3600, 600)

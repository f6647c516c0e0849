"""Table-driven tests of config.yaml loading: each bad file gives exact one-line problems."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

import pytest
from pydantic import BaseModel, ConfigDict

from feeds import registry
from feeds.base import FeedOptions
from settings import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    Settings,
    load_settings,
    load_settings_or_exit,
    parse_duration,
)

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
HEADER = "Cấu hình không hợp lệ / invalid configuration"
SIMULATOR = "  - {id: simulator, type: simulator, interval: 60}\n"
TOP_KEYS = (
    "version, province, database, geography, ui, cache, scheduler, wall, sso, session, cameras,"
    " feeds"
)
FEED_KEYS = "id, type, interval, enabled, timeout, retries, options"


# --- stand-ins for the feed types, used until the real ones import --------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _FakeSimulatorOptions(FeedOptions):
    seed: int = 94
    backfill_days: int = 730


class _FakeFields(_Strict):
    metric: str
    area: str
    period_start: str
    value: str


class _FakeAuth(_Strict):
    type: Literal["bearer", "api_key"]
    header: str = "Authorization"
    token: str


class _FakeHttpJsonOptions(FeedOptions):
    url: str
    records_path: str = ""
    fields: _FakeFields
    auth: _FakeAuth | None = None


class _FakeSimulator:
    type: ClassVar[str] = "simulator"
    Options: ClassVar[type[FeedOptions]] = _FakeSimulatorOptions


class _FakeHttpJson:
    type: ClassVar[str] = "http_json"
    Options: ClassVar[type[FeedOptions]] = _FakeHttpJsonOptions


@pytest.fixture(autouse=True)
def feed_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real feed types when they import, else two small fakes with the same options."""
    try:
        registry.feed_types()
    except ImportError:
        fakes = {cls.type: cls for cls in (_FakeSimulator, _FakeHttpJson)}
        monkeypatch.setattr(registry, "feed_types", lambda: fakes)


# --- the table of bad configs ----------------------------------------------------------------


def http_json_feed(feed_id: str, token: str) -> str:
    """An http_json feed entry (complete apart from what the case breaks)."""
    return textwrap.indent(
        textwrap.dedent(f"""\
            - id: {feed_id}
              type: http_json
              interval: 5m
              options:
                url: "https://lgsp.example.gov.vn/api/v1/indicators"
                records_path: data.items
                fields: {{metric: indicator, area: area_code, period_start: date, value: value}}
                auth: {{type: bearer, token: "{token}"}}
            """),
        "  ",
    )


@dataclass(frozen=True)
class Case:
    text: str
    expected: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    exact: bool = True  # False: other lines may follow (they depend on a feed type's options)


CASES = {
    "unknown-top-level-key": Case(
        "version: 1\nfoo: 1\n", (f"foo: unknown key (allowed: {TOP_KEYS})",)
    ),
    "unknown-nested-key": Case(
        "version: 1\nui:\n  colour: red\n",
        ("ui.colour: unknown key (allowed: language, refresh_interval, default_window)",),
    ),
    "unknown-feed-key": Case(
        "version: 1\nfeeds:\n  - {id: a, type: simulator, interval: 60, every: 5}\n",
        (f"feeds[0].every: unknown key (allowed: {FEED_KEYS})",),
    ),
    "config-path-is-not-a-key": Case(
        "version: 1\nconfig_path: /etc/x.yaml\n",
        (f"config_path: unknown key (allowed: {TOP_KEYS})",),
    ),
    "wrong-types": Case(
        textwrap.dedent("""\
            version: 1
            province: [a, b]
            geography: {simplify_tolerance: abc}
            ui: {language: fr}
            feeds:
              - {id: a, type: simulator, interval: 60, enabled: maybe, retries: many}
            """),
        (
            "province: must be a mapping of keys, got a list",
            "geography.simplify_tolerance: must be a number, got 'abc'",
            "ui.language: must be one of: vi, en",
            "feeds[0].enabled: must be true or false, got 'maybe'",
            "feeds[0].retries: must be a whole number, got 'many'",
        ),
    ),
    "out-of-range-number": Case(
        "version: 1\ngeography: {simplify_tolerance: 0.5}\nfeeds:\n"
        "  - {id: a, type: simulator, interval: 60, retries: 9}\n",
        (
            "geography.simplify_tolerance: must be at most 0.05",
            "feeds[0].retries: must be at most 5",
        ),
    ),
    "wrong-option-type": Case(
        "version: 1\nfeeds:\n  - {id: a, type: simulator, interval: 60, options: {seed: abc}}\n",
        ("feeds[0].options.seed: must be a whole number, got 'abc'",),
    ),
    "missing-feed-keys": Case(
        "version: 1\nfeeds:\n  - {id: a}\n",
        ("feeds[0].type: required", "feeds[0].interval: required"),
    ),
    "missing-feed-options": Case(
        "version: 1\nfeeds:\n  - {id: a, type: http_json, interval: 60}\n",
        ("feeds[0].options.url: required",),
        exact=False,
    ),
    "interval-too-short": Case(
        "version: 1\nfeeds:\n"
        + SIMULATOR
        + "  - {id: b, type: simulator, interval: 1m}\n"
        + "  - {id: c, type: simulator, interval: 5}\n",
        ("feeds[2].interval: must be at least 10 s",),
    ),
    "interval-too-long": Case(
        "version: 1\nfeeds:\n  - {id: a, type: simulator, interval: 2d}\n",
        ("feeds[0].interval: must be at most 1 d",),
    ),
    "interval-unparsable": Case(
        "version: 1\nfeeds:\n  - {id: a, type: simulator, interval: soon}\n",
        ("feeds[0].interval: must be seconds or a duration like 30s, 5m, 1h, got 'soon'",),
    ),
    "refresh-interval-bounds": Case(
        "version: 1\nui: {refresh_interval: 2h}\ncache: {default_timeout: 0}\n",
        ("ui.refresh_interval: must be at most 1 h", "cache.default_timeout: must be at least 1 s"),
    ),
    "bad-feed-id": Case(
        "version: 1\nfeeds:\n  - {id: Trạm 1, type: simulator, interval: 60}\n",
        (
            "feeds[0].id: must be 1-64 lowercase letters, digits, '_' or '-', starting with a "
            "letter or digit, got 'Trạm 1'",
        ),
    ),
    "unknown-feed-type": Case(
        "version: 1\nfeeds:\n" + SIMULATOR + "  - {id: lgsp, type: ftp, interval: 60}\n",
        ("feeds[1].type: unknown feed type 'ftp' (known: http_json, simulator)",),
    ),
    "duplicate-ids": Case(
        "version: 1\nfeeds:\n" + SIMULATOR + SIMULATOR,
        ("feeds[1].id: duplicate feed id 'simulator' (first at feeds[0])",),
    ),
    "duplicate-ids-beside-other-errors": Case(
        "version: 1\nfeeds:\n" + SIMULATOR + SIMULATOR + "  - {id: c, type: simulator}\n",
        (
            "feeds[1].id: duplicate feed id 'simulator' (first at feeds[0])",
            "feeds[2].interval: required",
        ),
    ),
    "wrong-version": Case("version: 2\n", ("version: must be 1, got 2",)),
    "missing-version": Case("ui: {language: en}\n", ("version: required",)),
    "empty-file": Case("", ("version: required",)),
    "not-a-mapping": Case(
        "- version: 1\n", ("config.yaml: must be a mapping of settings, got list",)
    ),
    "malformed-yaml": Case(
        "version: 1\nui:\n  language: vi\n   refresh_interval: 30\n",
        ("config.yaml:4:20: invalid YAML: mapping values are not allowed here",),
    ),
    "duplicate-yaml-key": Case(
        "version: 1\nui:\n  language: vi\n  language: en\n",
        ("config.yaml:4:3: invalid YAML: duplicate key 'language'",),
    ),
    "unset-variable": Case(
        "version: 1\nfeeds:\n" + SIMULATOR + http_json_feed("lgsp", "${LGSP_TOKEN}"),
        ("feeds[1].options.auth.token: environment variable LGSP_TOKEN is not set",),
        exact=False,
    ),
    "unset-variable-hides-its-type-error": Case(
        "version: 1\nfeeds:\n  - {id: a, type: simulator, interval: 60,\n"
        "     options: {seed: '${SEED}'}}\n",
        ("feeds[0].options.seed: environment variable SEED is not set",),
    ),
    "literal-secret": Case(
        "version: 1\nfeeds:\n" + http_json_feed("lgsp", "abc123"),
        ("feeds[0].options.auth.token: secrets must come from the environment: write ${VAR}",),
        env={"LGSP_TOKEN": "abc123"},
        exact=False,
    ),
    "literal-password-anywhere": Case(
        "version: 1\ndatabase: {url: 'sqlite:///x.db', Password: hunter2}\n",
        (
            "database.Password: secrets must come from the environment: write ${VAR}",
            "database.Password: unknown key (allowed: url)",
        ),
    ),
    "alias-bomb": Case(
        'version: 1\na: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
        ("config.yaml:3:8: invalid YAML: aliases (*a) are not allowed in this config",),
    ),
    "merge-key-alias": Case(
        "version: 1\nx: &ui {language: en}\nui:\n  <<: *ui\n",
        ("config.yaml:4:7: invalid YAML: aliases (*ui) are not allowed in this config",),
    ),
    "nested-too-deep": Case(
        "version: 1\nprovince: " + "[" * 25 + "]" * 25 + "\n",
        ("config.yaml:2:30: invalid YAML: nested deeper than 20 levels",),
    ),
    "nested-mappings-too-deep": Case(
        "version: 1\nwall:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(25)),
        ("config.yaml:21:39: invalid YAML: nested deeper than 20 levels",),
    ),
    "file-too-large": Case(
        "version: 1\n" + "# padding to make the file large\n" * 40_000,
        ("config.yaml: config file is larger than 1 MiB",),
    ),
    "string-too-long": Case(
        "version: 1\nprovince:\n  name_vi: " + "x" * 5000 + "\n",
        ("province.name_vi: longer than 4096 characters",),
    ),
    "key-too-long": Case(
        "version: 1\nprovince:\n  ? " + "k" * 5000 + "\n  : 1\n",
        ("province: a key is longer than 4096 characters",),
    ),
    "string-too-long-from-environment": Case(
        "version: 1\ndatabase: {url: '${DB_URL}'}\n",
        ("database.url: longer than 4096 characters",),
        env={"DB_URL": "sqlite:///" + "a" * 5000},
    ),
}


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", [pytest.param(c, id=name) for name, c in CASES.items()])
def test_bad_config_gives_exact_problem_lines(tmp_path: Path, case: Case) -> None:
    path = write_config(tmp_path, case.text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=case.env)
    problems = caught.value.problems
    if case.exact:
        assert problems == list(case.expected)
    else:
        assert [line for line in case.expected if line not in problems] == []
    assert all("\n" not in line and "Input should" not in line for line in problems)
    assert str(caught.value) == "\n".join(problems)


@pytest.mark.parametrize("case", [pytest.param(c, id=name) for name, c in CASES.items()])
def test_bad_config_exits_2_without_traceback(
    tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, case.text)
    with pytest.raises(SystemExit) as caught:
        load_settings_or_exit(path, env=case.env)
    assert caught.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith(f"{HEADER} ({path}):\n")
    assert all(f"\n{line}\n" in stderr for line in case.expected)
    assert "Traceback" not in stderr


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert caught.value.problems == [f"{path}: config file not found"]
    assert caught.value.path == path


def test_bad_path_in_subprocess_exits_2_without_traceback() -> None:
    code = "from settings import load_settings_or_exit; load_settings_or_exit('BAD')"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert f"{REPO_ROOT / 'BAD'}: config file not found" in done.stderr
    assert "Traceback" not in done.stderr


def test_settings_import_and_a_feedless_config_do_not_import_feeds(tmp_path: Path) -> None:
    path = write_config(tmp_path, "version: 1\n")
    code = (
        "import sys; from settings import load_settings; "
        f"load_settings({str(path)!r}, env={{}}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'feeds'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


# --- valid configs ---------------------------------------------------------------------------


def test_shipped_config_is_valid_without_environment() -> None:
    settings = load_settings(DEFAULT_CONFIG_PATH, env={})
    assert settings.config_path == DEFAULT_CONFIG_PATH
    assert [feed.id for feed in settings.enabled_feeds] == ["simulator"]
    simulator = settings.feed("simulator")
    assert (simulator.type, simulator.interval, simulator.timeout) == ("simulator", 60, 600)
    assert simulator.options.model_dump() == {"seed": 94, "backfill_days": 730}
    assert settings.database.url == f"sqlite:///{REPO_ROOT / 'var' / 'ioc.db'}"
    assert settings.geography.directory == (REPO_ROOT.parent / "shared" / "geo").resolve()


def test_minimal_config_has_defaults_and_no_feeds(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, "version: 1\n"), env={})
    assert settings.feeds == ()
    assert settings.enabled_feeds == ()
    assert settings.config_path == tmp_path.resolve() / "config.yaml"
    assert (settings.ui.language, settings.ui.refresh_interval) == ("vi", 30)
    assert settings.cache.redis_url is None
    assert settings.scheduler.embedded is True
    with pytest.raises(KeyError):
        settings.feed("simulator")


def test_settings_built_in_code_resolve_against_the_repo() -> None:
    settings = Settings(version=1)
    assert settings.config_path == DEFAULT_CONFIG_PATH
    assert settings.database.url == f"sqlite:///{REPO_ROOT / 'var' / 'ioc.db'}"
    assert settings.geography.districts_path == (
        (REPO_ROOT.parent / "shared" / "geo" / "districts.geojson").resolve()
    )


def test_geography_directory_may_be_null(tmp_path: Path) -> None:
    path = write_config(tmp_path, "version: 1\ngeography: {directory: null}\n")
    geography = load_settings(path, env={}).geography
    assert geography.directory is None
    assert geography.districts_path is None
    assert geography.communes_path is None


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write_config(tmp_path, "version: 1\nui: {language: en}\n")
    assert load_settings(env={"IOC_CONFIG": str(path)}).ui.language == "en"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("sqlite:///var/ioc.db", "sqlite:///{base}/var/ioc.db", id="relative"),
        pytest.param(
            "sqlite:///../data/x.db?timeout=5", "sqlite:///{parent}/data/x.db?timeout=5", id="up"
        ),
        pytest.param("sqlite:////srv/ioc.db", "sqlite:////srv/ioc.db", id="absolute"),
        pytest.param("sqlite://", "sqlite://", id="memory"),
        pytest.param("sqlite:///:memory:", "sqlite:///:memory:", id="memory-named"),
        pytest.param("postgresql+psycopg://ioc@db/ioc", "postgresql+psycopg://ioc@db/ioc", id="pg"),
    ],
)
def test_sqlite_paths_resolve_against_config_directory(
    tmp_path: Path, url: str, expected: str
) -> None:
    base = tmp_path.resolve()
    path = write_config(tmp_path, f"version: 1\ndatabase: {{url: '{url}'}}\n")
    settings = load_settings(path, env={})
    assert settings.database.url == expected.format(base=base, parent=base.parent)


def test_database_url_from_environment_overrides_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "version: 1\ndatabase: {url: 'sqlite:///x.db'}\n")
    env = {"IOC_DATABASE_URL": "postgresql+psycopg://ioc:pw@127.0.0.1/ioc"}
    assert load_settings(path, env=env).database.url == env["IOC_DATABASE_URL"]
    assert (
        load_settings(write_config(tmp_path, "version: 1\n"), env=env).database.url
        == (env["IOC_DATABASE_URL"])
    )


@pytest.mark.parametrize(
    ("written", "seconds"),
    [(45, 45), ("45", 45), ("30s", 30), ("5m", 300), ("1h", 3600), ("1d", 86400), ("2 m", 120)],
)
def test_duration_strings(tmp_path: Path, written: object, seconds: int) -> None:
    assert parse_duration(written) == seconds
    text = f"version: 1\nfeeds:\n  - {{id: a, type: simulator, interval: {written}}}\n"
    assert load_settings(write_config(tmp_path, text), env={}).feed("a").interval == seconds


def test_environment_references_are_substituted(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        version: 1
        province: {name_en: "${NAME:-Soc Trang} Province"}
        cache: {redis_url: "${IOC_REDIS_URL:-}"}
        feeds:
          - {id: a, type: simulator, interval: "${EVERY}", options: {seed: "${SEED:-7}"}}
        """)
    settings = load_settings(write_config(tmp_path, text), env={"EVERY": "2m"})
    assert settings.province.name_en == "Soc Trang Province"
    assert settings.cache.redis_url is None
    assert settings.feed("a").interval == 120
    assert settings.feed("a").options.model_dump()["seed"] == 7


def test_secret_from_environment_is_accepted(tmp_path: Path) -> None:
    text = "version: 1\nfeeds:\n" + http_json_feed("lgsp", "${LGSP_TOKEN}")
    settings = load_settings(write_config(tmp_path, text), env={"LGSP_TOKEN": "s3cret"})
    token = settings.feed("lgsp").options.model_dump()["auth"]["token"]
    assert getattr(token, "get_secret_value", lambda: token)() == "s3cret"


def test_disabled_feeds_are_not_enabled(tmp_path: Path) -> None:
    text = "version: 1\nfeeds:\n" + SIMULATOR + "  - {id: b, type: simulator, interval: 60, "
    text += "enabled: false}\n"
    settings = load_settings(write_config(tmp_path, text), env={})
    assert [feed.id for feed in settings.feeds] == ["simulator", "b"]
    assert [feed.id for feed in settings.enabled_feeds] == ["simulator"]


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, "version: 1\n"), env={})
    with pytest.raises(ValueError, match="frozen"):
        settings.ui.language = "en"  # type: ignore[misc]
    assert isinstance(settings, Settings)

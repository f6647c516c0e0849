"""`python -m feeds types` and `python -m feeds test` as the console calls them: real
processes, a real loopback source and a real report file; nothing is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from feeds.registry import feed_types
from tests.fixtures.http_server import Route, serve
from tests.fixtures.reports import ONE_STOP_ROWS, csv_text, to_cp1258

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration
TOKEN = "d0nt-sh0w-me-123"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("IOC_DATABASE_URL", "IOC_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "feeds", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
        check=False,
    )


def write_config(tmp_path: Path, url: str, report: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""version: 1
database: {{url: "sqlite:///{tmp_path / "ioc.db"}"}}
feeds:
  - id: dvc
    type: http_json
    interval: 1h
    options:
      url: "{url}"
      auth: {{type: bearer, token: "${{DVC_TOKEN}}"}}
      mapping:
        records: data
        area: {{code: ma}}
        period: {{field: ngay, format: dd/mm/yyyy}}
        observations: [{{metric: tourism.visitors, field: khach}}]
  - id: bao_cao
    type: tabular_file
    interval: 1h
    options:
      path: "{report}"
      mapping:
        document: {{ky: {{row_starting: "Kỳ báo cáo"}}}}
        area: {{name: "Đơn vị", level: district}}
        period: {{field: ky, format: mm/yyyy}}
        observations:
          - {{metric: public_services.resolved_late, field: "Đã giải quyết / Quá hạn", dim: ""}}
""",
        encoding="utf-8",
    )
    return config


def test_types_lists_every_registered_type_with_its_options_schema() -> None:
    result = run("types", "--json")
    assert result.returncode == 0, result.stderr
    described = {entry["type"]: entry for entry in json.loads(result.stdout)}
    assert set(described) == set(feed_types())
    for name in ("http_json", "sql_query", "tabular_file"):
        schema = described[name]["options_schema"]
        assert schema["type"] == "object" and "mapping" in schema["properties"]
        assert described[name]["description"]
    assert "oauth2_client_credentials" in json.dumps(described["http_json"]["options_schema"])
    plain = run("types")
    assert plain.returncode == 0 and "tabular_file:" in plain.stdout


def test_a_dry_run_prints_records_and_rejections_and_writes_nothing(tmp_path: Path) -> None:
    report = tmp_path / "bao-cao.csv"
    report.write_bytes(to_cp1258(csv_text(ONE_STOP_ROWS)))
    body = {
        "data": [
            {"ma": "941", "ngay": "19/11/2026", "khach": "1.250"},
            {"ma": "99999", "ngay": "19/11/2026", "khach": "3"},
            {"ma": "942", "ngay": "19/11/2026", "khach": "-"},
        ]
    }
    with serve({"/api": Route.json(body)}) as server:
        config = write_config(tmp_path, server.url("/api"), report)
        result = run("test", "dvc", "--config", str(config), "--json", DVC_TOKEN=TOKEN)
        assert server.last_headers("/api")["authorization"] == f"Bearer {TOKEN}"
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    assert out["error"] is None
    assert [(r["metric"], r["area"], r["value"]) for r in out["records"]] == [
        ("tourism.visitors", "941", 1250.0)
    ]
    assert out["rejected"] == [
        {
            "reason": "record 2: unknown area code '99999'",
            "raw": '{"ma": "99999", "ngay": "19/11/2026", "khach": "3"}',
        }
    ]
    assert not (tmp_path / "ioc.db").exists()  # nothing written, not even a database

    table = run("test", "bao_cao", "--config", str(config), "--limit", "1", DVC_TOKEN=TOKEN)
    assert table.returncode == 0, table.stderr
    assert "2 records would be stored, 0 rejected" in table.stdout
    assert table.stdout.count('"metric"') == 1  # --limit 1


def test_dry_run_exit_codes(tmp_path: Path) -> None:
    report = tmp_path / "missing.csv"
    with serve({"/api": Route(401, f'{{"error": "{TOKEN} expired"}}')}) as server:
        config = write_config(tmp_path, server.url("/api"), report)
        failed = run("test", "dvc", "--config", str(config), "--json", DVC_TOKEN=TOKEN)
    assert failed.returncode == 1
    error = json.loads(failed.stdout)["error"]
    assert error["kind"] == "auth" and TOKEN not in failed.stdout
    unknown = run("test", "nope", "--config", str(config), DVC_TOKEN=TOKEN)
    assert unknown.returncode == 2 and "unknown feed 'nope'" in unknown.stderr
    unset = run("test", "dvc", "--config", str(config))  # ${DVC_TOKEN} unset: a bad config
    assert unset.returncode == 2
    gone = run("test", "bao_cao", "--config", str(config), "--json", DVC_TOKEN=TOKEN)
    assert gone.returncode == 1 and json.loads(gone.stdout)["error"]["kind"] == "unavailable"

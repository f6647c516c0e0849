"""The README's sample connector configuration is valid as written."""

from __future__ import annotations

import re
from pathlib import Path

from settings import load_settings

README = Path(__file__).resolve().parents[2] / "README.md"
ENV = {
    "DVC_API_KEY": "k",
    "LGSP_CLIENT_SECRET": "s",
    "BAOCAO_DB_PASSWORD": "p",
}


def test_the_sample_connectors_validate(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    sample = next(b for b in blocks if "type: sql_query" in b)
    config = tmp_path / "config.yaml"
    config.write_text("version: 1\n" + sample, encoding="utf-8")
    settings = load_settings(config, env=ENV)
    assert {f.id: f.type for f in settings.feeds} == {
        "dvc-thong-ke": "http_json",
        "lgsp-ho-so": "http_json",
        "csdl-bao-cao": "sql_query",
        "so-du-lich": "tabular_file",
    }

"""The feed form generated from the options schema, read back into an entry, its secret rule,
and pydantic's errors translated into Vietnamese and English on the right field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from dashboards.feed_form import collect, initial_values, literal_secrets, walk
from dashboards.feed_trial import check, form_spec
from dashboards.form_errors import FORM_LEVEL, place, translate
from settings import FeedConfig

MAPPING = (
    "records: data\narea: {code: ma}\nperiod: {field: ngay}\n"
    "observations: [{metric_field: m, field: v}]\n"
)
ENV = {"API_TOKEN": "s3cr3t-token"}


def _spec(feed_type: str) -> Any:
    spec = form_spec(feed_type)
    assert spec is not None
    return spec


def _by_path(feed_type: str) -> dict[str, Any]:
    spec = _spec(feed_type)
    variants = {f.path: next(iter(f.variants)) for f in spec.options if f.kind == "union"}
    return {f.path: f for f in walk(spec.fields, variants)}


def test_schema_kinds_become_controls() -> None:
    fields = _by_path("http_json")
    assert fields["options.url"].kind == "text" and fields["options.url"].required
    assert fields["options.method"].kind == "select"
    assert fields["options.method"].choices == ("GET", "POST")
    assert fields["options.timeout_s"].kind == "number"
    assert (fields["options.timeout_s"].minimum, fields["options.timeout_s"].maximum) == (0.5, 300)
    assert fields["options.max_bytes"].kind == "integer"
    assert fields["options.verify_tls"].kind == "scalar"  # bool | a CA bundle path
    assert fields["options.mapping"].kind == "yaml"  # the mapping language: a text area
    assert fields["options.headers"].kind == "yaml"
    assert fields["options.pagination.type"].kind == "select"  # a nested object: a fieldset
    assert fields["options.auth.type"].choices == (
        "api_key",
        "bearer",
        "basic",
        "oauth2_client_credentials",
    )
    assert fields["options.auth.token"].secret
    assert fields["enabled"].kind == "bool" and fields["interval"].kind == "duration"
    assert [f.name for f in _spec("http_json").common] == [
        "id",
        "interval",
        "enabled",
        "timeout",
        "retries",
        "priority",
    ]


def test_secret_names_and_secret_types() -> None:
    spec = _spec("http_json")
    oauth = next(f for f in spec.options if f.kind == "union").variants["oauth2_client_credentials"]
    secret = {f.name: f.secret for f in oauth}
    assert secret["client_secret"] and not secret["token_url"] and not secret["client_id"]
    mqtt = _by_path("mqtt")
    assert mqtt["options.password"].secret and not mqtt["options.username"].secret
    assert mqtt["options.topics"].kind == "yaml"  # a list of mappings


def test_form_values_make_the_entry_and_back() -> None:
    spec = _spec("http_json")
    values = {
        "id": "lgsp",
        "interval": "300",
        "enabled": True,  # the default: left out
        "retries": 1,
        "options.url": " https://x.gov.vn/api ",
        "options.verify_tls": "false",
        "options.mapping": MAPPING,
        "options.pagination.size": None,  # an optional fieldset left empty is left out
        "options.auth.type": "bearer",
        "options.auth.token": "${API_TOKEN}",
        "options.auth.header": "",
    }
    config, problems = collect("http_json", spec.fields, values)
    assert not problems
    assert config == {
        "type": "http_json",
        "id": "lgsp",
        "interval": 300,
        "retries": 1,
        "options": {
            "url": "https://x.gov.vn/api",
            "verify_tls": False,
            "auth": {"type": "bearer", "token": "${API_TOKEN}"},
            "mapping": {
                "records": "data",
                "area": {"code": "ma"},
                "period": {"field": "ngay"},
                "observations": [{"metric_field": "m", "field": "v"}],
            },
        },
    }
    shown = initial_values(spec.fields, config)
    assert shown["options.auth.type"] == "bearer" and shown["options.auth.token"] == "${API_TOKEN}"
    assert shown["interval"] == "300" and shown["options.verify_tls"] == "false"
    assert "observations:" in shown["options.mapping"]
    again, _ = collect("http_json", spec.fields, shown)
    assert again == config


def test_yaml_that_does_not_parse_names_its_line() -> None:
    spec = _spec("http_json")
    _config, problems = collect("http_json", spec.fields, {"options.mapping": "a: 1\nb: [\n"})
    assert [(p.path, p.key) for p in problems] == [("options.mapping", "form.problem.yaml")]
    assert problems[0].params["line"] == 3
    aliases = collect("http_json", spec.fields, {"options.mapping": "a: &x 1\nb: *x\n"})[1]
    assert aliases and aliases[0].key == "form.problem.yaml"  # no alias bombs


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"options.auth.type": "bearer", "options.auth.token": "plain"}, "options.auth.token"),
        ({"options.headers": "Authorization: Bearer abc\n"}, "options.headers"),
        ({"options.mapping": "password: hunter2\n"}, "options.mapping"),
    ],
)
def test_literal_secrets_are_refused(values: dict[str, Any], where: str) -> None:
    spec = _spec("http_json")
    config, _ = collect("http_json", spec.fields, values)
    assert [p.path for p in literal_secrets(spec.options, config)] == [where]
    checked = check(spec, {"id": "x", "interval": "60", **values}, "en", env=ENV)
    assert any("${ENV_NAME}" in m for m in checked.messages[where])


def test_references_are_taken() -> None:
    spec = _spec("http_json")
    values = {
        "options.headers": "X-Key: ${API_TOKEN}\n",
        "options.auth.type": "bearer",
        "options.auth.token": "${API_TOKEN}",
    }
    config, _ = collect("http_json", spec.fields, values)
    assert literal_secrets(spec.options, config) == []


def _errors(entry: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationError) as caught:
        FeedConfig.model_validate(entry)
    return caught.value.errors()


def test_errors_are_translated_in_both_languages() -> None:
    errors = _errors(
        {
            "id": "A b",
            "type": "http_json",
            "interval": "3",
            "retries": 9,
            "priority": -1,
            "options": {"url": "ftp://x", "method": "PUT", "mapping": {}},
        }
    )
    by_loc = {tuple(e["loc"]): e for e in errors}
    assert translate(by_loc[("retries",)], "vi") == "Tối đa là 5"
    assert translate(by_loc[("retries",)], "en") == "Must be at most 5"
    assert translate(by_loc[("priority",)], "vi") == "Phải từ 0 trở lên"
    assert translate(by_loc[("options", "method")], "vi") == "Phải là một trong: GET, POST"
    assert translate(by_loc[("options", "url")], "en").startswith("Must be an absolute http://")
    assert translate(by_loc[("interval",)], "vi") == "Phải từ 10 s trở lên"
    assert "Mã nguồn" in translate(by_loc[("id",)], "vi")
    missing = by_loc[("options", "mapping", "area")]
    assert (translate(missing, "vi"), translate(missing, "en")) == (
        "Bắt buộc phải nhập",
        "Required",
    )
    pattern = {
        "type": "string_pattern_mismatch",
        "loc": ("x",),
        "msg": "",
        "ctx": {"pattern": "^a$"},
    }
    assert translate(pattern, "en") == "Does not match the required pattern (^a$)"
    url = {
        "type": "url_parsing",
        "loc": ("x",),
        "msg": "",
        "ctx": {"error": "relative URL without a base"},
    }
    assert translate(url, "vi") == "Địa chỉ URL không hợp lệ: relative URL without a base"
    other = {"type": "value_error", "loc": ("x",), "msg": "Value error, the sky fell", "ctx": {}}
    assert translate(other, "vi") == "Giá trị không hợp lệ: the sky fell"


def test_errors_are_placed_on_their_field_or_the_area_holding_them() -> None:
    errors = _errors(
        {
            "id": "lgsp",
            "type": "http_json",
            "interval": 60,
            "options": {
                "url": "https://x.gov.vn",
                "auth": {"type": "bearer"},
                "pagination": {"type": "cursor"},
                "mapping": {
                    "records": "d",
                    "area": {"code": "a"},
                    "period": {"field": "p"},
                    "observations": [{}],
                },
            },
        }
    )
    spec = _spec("http_json")
    paths = [f.path for f in walk(spec.fields, {"options.auth": "bearer"})]
    paths += ["options.pagination", "options.auth"]
    placed = place(errors, paths, spec.unions(), "en")
    assert placed["options.auth.token"] == ["Required"]  # the union's tag is not a field
    assert placed["options.pagination"] == ["Cursor pagination needs next_cursor_path"]
    assert placed["options.mapping"] == ["observations[0].field: Required"]
    assert FORM_LEVEL not in placed

"""Every option of every feed type has a Vietnamese and an English label in the feed form,
word-like option values have names, and the form shows every property the schema allows."""

from __future__ import annotations

from typing import Any

import pytest

from dashboards.feed_form import COMMON, FormField
from dashboards.feed_trial import _all, feed_type_names, form_spec
from dashboards.form_labels import (
    choice_label,
    field_help,
    field_label,
    label_key,
    schema_properties,
    type_label,
    unlabelled,
)
from feeds.registry import describe_types
from i18n import LANGUAGES, catalog_keys, t
from settings import FeedConfig

pytestmark = pytest.mark.unit

TYPES = [d["type"] for d in describe_types()]
SCHEMAS = {d["type"]: d["options_schema"] for d in describe_types()}


def _shown(fields: tuple[FormField, ...]) -> set[str]:
    """Every path the form shows: controls, fieldsets, union tags and YAML areas' keys."""
    paths: set[str] = set()
    for form_field in fields:
        paths.add(form_field.path)
        if form_field.kind == "union":
            paths.add(f"{form_field.path}.{form_field.discriminator}")
        paths |= _shown(form_field.keys)
    return paths


@pytest.mark.parametrize("feed_type", TYPES)
def test_every_option_has_a_label_in_both_languages(feed_type: str) -> None:
    assert unlabelled(feed_type, SCHEMAS[feed_type]) == []
    for path, _ in schema_properties(SCHEMAS[feed_type]):
        key = label_key(feed_type, path)
        assert key is not None
        for lang in LANGUAGES:
            assert key in catalog_keys(lang), (key, lang)
            assert t(key, lang).strip(), (key, lang)


def test_the_common_fields_have_labels() -> None:
    schema = FeedConfig.model_json_schema()
    assert unlabelled("simulator", schema, "") == []
    spec = form_spec("simulator")
    assert spec is not None and tuple(f.name for f in spec.common) == COMMON
    assert field_label("simulator", spec.common[0], "vi") == "Mã nguồn"
    assert field_label("simulator", spec.common[0], "en") == "Feed id"


def test_a_new_unlabelled_option_is_caught() -> None:
    schema = {
        "properties": {
            "brand_new_option": {"type": "integer"},
            "method": {"enum": ["GET", "brand_new_kind"]},
        }
    }
    assert unlabelled("http_json", schema) == [
        "options.brand_new_option",
        "options.method=brand_new_kind",
    ]


@pytest.mark.parametrize("feed_type", TYPES)
def test_the_form_shows_every_property(feed_type: str) -> None:
    """Fields, fieldsets and the key reference of YAML areas reach every schema property, so
    each label above is seen by someone."""
    spec = form_spec(feed_type)
    assert spec is not None
    shown = {p for f in _all(spec.options) for p in _shown((f,))}
    assert {p for p, _ in schema_properties(SCHEMAS[feed_type])} <= shown


def _by_path(feed_type: str) -> dict[str, FormField]:
    spec = form_spec(feed_type)
    assert spec is not None
    found: dict[str, FormField] = {}

    def add(fields: tuple[FormField, ...]) -> None:
        for form_field in fields:
            found[form_field.path] = form_field
            add(form_field.keys)

    add(tuple(_all(spec.fields)))
    return found


def test_labels_are_words_not_property_names() -> None:
    fields = _by_path("http_json")
    incremental = {
        name: field_label("http_json", fields[f"options.incremental.{name}"], "vi")
        for name in ("param", "field", "format", "initial")
    }
    assert incremental == {
        "param": "Tham số mốc",
        "field": "Trường làm mốc",
        "format": "Định dạng mốc",
        "initial": "Mốc ban đầu",
    }
    # the schema's own titles ("Param", "Timeout S") never reach the Vietnamese form
    for feed_type in TYPES:
        for path, form_field in _by_path(feed_type).items():
            title = form_field.title or form_field.name
            assert field_label(feed_type, form_field, "vi") != title, (feed_type, path)


def test_help_texts_name_units_and_json_paths() -> None:
    fields = _by_path("http_json")
    assert "giây" in (field_help("http_json", fields["options.timeout_s"], "vi") or "")
    assert "byte" in (field_help("http_json", fields["options.max_bytes"], "vi") or "")
    assert "seconds" in (field_help("http_json", fields["options.timeout_s"], "en") or "")
    total = field_help("http_json", fields["options.pagination.total_path"], "vi") or ""
    assert "JSON" in total and "dấu chấm" in total
    camera = _by_path("camera")
    assert "byte" in (field_help("camera", camera["options.max_snapshot_bytes"], "en") or "")


@pytest.mark.parametrize(
    ("path", "value", "vi", "en"),
    [
        ("options.pagination.type", "cursor", "Theo con trỏ (cursor)", "By cursor (cursor)"),
        ("options.auth.type", "api_key", "Khoá API (api_key)", "API key (api_key)"),
        (
            "options.mapping.locale",
            "strict",
            "Nghiêm ngặt: chỉ 1234.5 (strict)",
            "Strict: 1234.5 only (strict)",
        ),
        ("options.method", "GET", "GET", "GET"),
        ("options.incremental.format", "dd/mm/yyyy", "dd/mm/yyyy", "dd/mm/yyyy"),
    ],
)
def test_option_values_get_names_and_keep_their_code(
    path: str, value: str, vi: str, en: str | None
) -> None:
    assert choice_label("http_json", path, value, "vi") == vi
    if en is not None:
        assert choice_label("http_json", path, value, "en") == en


def test_a_tab_delimiter_is_visible() -> None:
    assert choice_label("tabular_file", "options.delimiter", "\t", "vi") == "Ký tự tab (\\t)"
    assert choice_label("tabular_file", "options.delimiter", ";", "en") == "Semicolon (;)"


@pytest.mark.parametrize("feed_type", TYPES)
def test_type_names_and_descriptions(feed_type: str) -> None:
    for lang in LANGUAGES:
        for key in (f"form.type_name.{feed_type}", f"form.type.{feed_type}"):
            assert key in catalog_keys(lang), (key, lang)
    shown: Any = type_label(feed_type, "vi")
    assert f"({feed_type})" in shown and t(f"form.type.{feed_type}", "vi") in shown
    assert feed_type in feed_type_names()

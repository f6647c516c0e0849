"""The feed form's drawing: the component ids of its controls, the fieldsets and fields built
from a feed type's options schema (groups, union variants, YAML areas with their keys) and the
view of a test's result; dashboards/pages/feed_form_page.py lays them out and wires the
callbacks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboards.feed_form import MISSING, FormField, shown
from dashboards.feed_trial import FormSpec, Trial
from dashboards.form_errors import FORM_LEVEL
from dashboards.form_labels import choice_label, field_help, field_label
from dashboards.guard import MAX_STRING
from i18n import t
from i18n.formatting import format_number


def field_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-field", "path": path}


def union_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-union", "path": path}


def variant_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-variant", "path": path}


def message_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-msg", "path": path}


def test_attrs(name: str) -> dict[str, str]:
    return {"data-testid": name}


def tagged_alert(children: Any, color: str, testid: str) -> html.Div:
    """An alert tests can find (Bootstrap's components take no data-* attributes)."""
    return html.Div(dbc.Alert(children, color=color), **test_attrs(testid))


# --- the form from the schema ------------------------------------------------------------------


def render_form(
    spec: FormSpec, values: Mapping[str, Any], lang: str, *, fixed_id: bool = False
) -> list[Any]:
    """The common fieldset, then the type's options, then the form-level messages."""
    kind = spec.feed_type
    return [
        html.Fieldset(
            [
                html.Legend(t("form.common", lang), className="h6"),
                *(
                    render_field(kind, f, values, lang, fixed=fixed_id and f.name == "id")
                    for f in spec.common
                ),
            ],
            className="feed-form-common mb-3",
        ),
        html.Fieldset(
            [
                html.Legend(t("form.options", lang), className="h6"),
                *(render_field(kind, f, values, lang) for f in spec.options),
            ],
            className="feed-form-options",
        ),
        _message(FORM_LEVEL),
    ]


def render_field(
    feed_type: str,
    form_field: FormField,
    values: Mapping[str, Any],
    lang: str,
    *,
    fixed: bool = False,
) -> Any:
    if form_field.kind == "group":
        return html.Fieldset(
            [
                _legend(feed_type, form_field, lang),
                _help(feed_type, form_field, lang),
                None
                if form_field.required
                else html.Div(t("form.optional_group", lang), className="form-text"),
                *(render_field(feed_type, c, values, lang) for c in form_field.children),
                _message(form_field.path),
            ],
            className="feed-form-group border rounded p-2 mb-2",
            **{"data-field": form_field.path},
        )
    if form_field.kind == "union":
        return _union(feed_type, form_field, values, lang)
    control = _control(feed_type, form_field, values.get(form_field.path), lang, fixed)
    return html.Div(
        [
            html.Label(
                [
                    html.Span(field_label(feed_type, form_field, lang), className="feed-form-name"),
                    _required(form_field, lang),
                    _technical(form_field),
                ],
                className="form-label small mb-0 feed-form-label",
            ),
            control,
            _help(feed_type, form_field, lang),
            _hint(form_field, lang),
            _keys(feed_type, form_field, lang),
            _message(form_field.path),
        ],
        className="feed-form-field mb-2",
        **{"data-field": form_field.path},
    )


def _legend(feed_type: str, form_field: FormField, lang: str) -> html.Legend:
    return html.Legend(
        [
            html.Span(field_label(feed_type, form_field, lang), className="feed-form-name"),
            _technical(form_field),
        ],
        className="h6 small feed-form-label",
    )


def _technical(form_field: FormField) -> html.Code:
    """The property's name as config.yaml writes it, for operators comparing the two."""
    return html.Code(form_field.name, className="feed-form-key ms-2")


def _union(
    feed_type: str, form_field: FormField, values: Mapping[str, Any], lang: str
) -> html.Fieldset:
    tag = f"{form_field.path}.{form_field.discriminator}"
    chosen = values.get(tag)
    chosen = chosen if chosen in form_field.variants else None
    options = [{"label": t("form.variant_none", lang), "value": ""}]
    options += [
        {"label": choice_label(feed_type, tag, name, lang), "value": name}
        for name in form_field.variants
    ]
    variant = form_field.variants.get(chosen or "", ())
    return html.Fieldset(
        [
            _legend(feed_type, form_field, lang),
            dcc.Dropdown(
                id=union_id(form_field.path),
                options=options,
                value=chosen or "",
                clearable=False,
                className="feed-form-union",
            ),
            _help(feed_type, form_field, lang),
            html.Div(
                [render_field(feed_type, f, values, lang) for f in variant],
                id=variant_id(form_field.path),
            ),
            _message(form_field.path),
        ],
        className="feed-form-group border rounded p-2 mb-2",
        **{"data-field": form_field.path},
    )


def _control(feed_type: str, form_field: FormField, value: Any, lang: str, fixed: bool) -> Any:
    ident = field_id(form_field.path)
    default = form_field.default
    placeholder = (
        "" if default is MISSING or default is None else str(shown(form_field, default)).strip()
    )
    if form_field.secret:
        placeholder = "${API_TOKEN}"
    if form_field.kind == "bool":
        on = value if isinstance(value, bool) else default is True
        return dbc.Switch(id=ident, value=on, className="feed-form-switch")
    if form_field.kind == "select":
        options = [
            {"label": choice_label(feed_type, form_field.path, c, lang), "value": c}
            for c in form_field.choices
        ]
        if placeholder:
            placeholder = choice_label(feed_type, form_field.path, default, lang)
        return dcc.Dropdown(
            id=ident,
            options=options,
            value=value,
            clearable=not form_field.required,
            placeholder=placeholder,
            className="feed-form-select",
        )
    if form_field.kind == "yaml":
        return dbc.Textarea(
            id=ident,
            value=value or "",
            rows=8 if form_field.required else 3,
            maxLength=MAX_STRING,
            placeholder=placeholder,
            className="font-monospace feed-form-yaml",
            spellCheck=False,
        )
    kind = "number" if form_field.kind in ("integer", "number") else "text"
    extra: dict[str, Any] = {}
    if kind == "number":
        extra = {"step": 1 if form_field.kind == "integer" else "any"}
        if form_field.minimum is not None:
            extra["min"] = form_field.minimum
        if form_field.maximum is not None:
            extra["max"] = form_field.maximum
    return dbc.Input(
        id=ident,
        type=kind,
        value=value,
        placeholder=placeholder,
        maxLength=MAX_STRING,
        disabled=fixed,
        autoComplete="off",
        **extra,
    )


def _required(form_field: FormField, lang: str) -> Any:
    if not form_field.required:
        return None
    return html.Span(f" ({t('form.required', lang)})", className="text-danger")


def _help(feed_type: str, form_field: FormField, lang: str) -> Any:
    text = field_help(feed_type, form_field, lang)
    return html.Div(text, className="form-text feed-form-help") if text else None


def _hint(form_field: FormField, lang: str) -> Any:
    if form_field.secret:
        return html.Div(t("form.secret_hint", lang), className="form-text")
    if form_field.name == "headers":
        return html.Div(t("form.headers_hint", lang), className="form-text")
    if form_field.kind == "yaml":
        return html.Div(t("form.yaml_hint", lang), className="form-text")
    return None


def _keys(feed_type: str, form_field: FormField, lang: str) -> Any:
    """What a YAML area may hold: each key with its name, meaning and values, folded away."""
    if not form_field.keys:
        return None
    return html.Details(
        [
            html.Summary(t("form.keys", lang), className="small"),
            _key_list(feed_type, form_field.keys, lang),
        ],
        className="feed-form-keys",
    )


def _key_list(feed_type: str, keys: tuple[FormField, ...], lang: str) -> html.Ul:
    items = []
    for key in keys:
        text = field_help(feed_type, key, lang)
        values = ", ".join(choice_label(feed_type, key.path, c, lang) for c in key.choices)
        items.append(
            html.Li(
                [
                    html.Code(key.name, className="feed-form-key me-2"),
                    html.Span(field_label(feed_type, key, lang), className="feed-form-name"),
                    _required(key, lang),
                    html.Span(f" — {text}", className="text-muted") if text else None,
                    html.Div(t("form.key_values", lang, values=values), className="text-muted")
                    if values
                    else None,
                    _key_list(feed_type, key.keys, lang) if key.keys else None,
                ],
                **{"data-key": key.path},
            )
        )
    return html.Ul(items, className="feed-form-key-list small")


def _message(path: str) -> html.Div:
    return html.Div(id=message_id(path), className="invalid-feedback d-block feed-form-message")


# --- the test's result -------------------------------------------------------------------------

RECORD_COLUMNS = ("record", "metric", "area", "period", "value", "dim")


def trial_view(result: Trial, lang: str) -> Any:
    """The summary, the first records as stored, and the rejected ones with their reasons."""
    seconds = format_number(result.seconds, lang, decimals=2)
    if result.error is not None:
        kind, text = result.error.get("kind", ""), result.error.get("text", "")
        head = tagged_alert(
            t("form.test_failed", lang, kind=kind, text=text), "danger", "feed-test-error"
        )
    else:
        text = t(
            "form.test_ok",
            lang,
            seconds=seconds,
            records=format_number(result.total_records, lang),
            rejected=format_number(result.total_rejected, lang),
        )
        head = tagged_alert(text, "success" if result.total_records else "warning", "feed-test-ok")
    parts: list[Any] = [head]
    if result.truncated:
        parts.append(dbc.Alert(t("form.test_truncated", lang), color="info"))
    records = _table(
        [t(f"form.col.{c}", lang) for c in RECORD_COLUMNS],
        [[_cell(r.get(c), lang) for c in RECORD_COLUMNS] for r in result.records],
        "feed-test-records",
        lang,
    )
    rejected = _table(
        [t("form.col.reason", lang), t("form.col.raw", lang)],
        [[r.get("reason", ""), r.get("raw", "")] for r in result.rejected],
        "feed-test-rejected",
        lang,
    )
    parts.append(
        dbc.Row(
            [
                dbc.Col([html.H2(t("form.test_records", lang), className="h6"), records], lg=7),
                dbc.Col([html.H2(t("form.test_rejected", lang), className="h6"), rejected], lg=5),
            ]
        )
    )
    if result.warnings:
        warnings = _table(
            [t("form.col.reason", lang), t("form.col.raw", lang)],
            [[w.get("reason", ""), w.get("raw", "")] for w in result.warnings],
            "feed-test-warnings",
            lang,
        )
        parts.append(html.Div([html.H2(t("form.test_warnings", lang), className="h6"), warnings]))
    return parts


def _cell(value: Any, lang: str) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format_number(value, lang, decimals=0 if float(value).is_integer() else 2)
    return "" if value is None else str(value)


def _table(head: list[str], rows: list[list[str]], testid: str, lang: str) -> Any:
    if not rows:
        return html.Div(t("form.none", lang), className="text-muted", **test_attrs(testid))
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        className="table table-sm table-striped feed-test-table",
    )
    return html.Div(table, className="table-responsive", **test_attrs(testid))

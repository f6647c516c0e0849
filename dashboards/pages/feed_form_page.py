"""Create and edit a feed (/nguon-du-lieu/moi, /nguon-du-lieu/sua/<feed_id>): a form built from
the feed type's options schema, tested before it is saved, saved with optimistic locking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from flask import request

from access.audit import AuditLog
from access.current import current_visitor
from dashboards.context import current_lang, services
from dashboards.feed_form import MISSING, FormField, initial_values, shown
from dashboards.feed_trial import FormSpec, Trial, check, feed_type_names, form_spec, trial
from dashboards.form_errors import FORM_LEVEL
from dashboards.form_labels import choice_label, field_help, field_label, type_label
from dashboards.guard import MAX_STRING
from feeds import console
from i18n import t
from i18n.formatting import format_datetime_local, format_number
from store.accounts import Accounts
from store.feed_defs import FeedDefinition
from ui.page import page_header

PAGE = "feedform"
TYPE = "feedform-type"
BODY = "feedform-body"
META = "feedform-meta"  # {"feed_id": str | None, "version": int | None}: what the form edits
TEST = "feedform-test"
SAVE = "feedform-save"
RUN = "feedform-run"
REVERT = "feedform-revert"
RESULT = "feedform-result"
STATUS = "feedform-status"
RUN_STATUS = "feedform-run-status"
GO = "feedform-go"
BOARD = "/nguon-du-lieu"


def field_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-field", "path": path}


def union_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-union", "path": path}


def variant_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-variant", "path": path}


def message_id(path: Any) -> dict[str, Any]:
    return {"type": "feedform-msg", "path": path}


def register(app: Dash) -> None:
    dash.register_page(
        "feed-new",
        path="/nguon-du-lieu/moi",
        name="Thêm nguồn dữ liệu",
        title="Thêm nguồn dữ liệu · IOC",
        layout=new_layout,
        nav=False,
        order=91,
    )
    dash.register_page(
        "feed-edit",
        path_template="/nguon-du-lieu/sua/<feed_id>",
        name="Sửa nguồn dữ liệu",
        title="Sửa nguồn dữ liệu · IOC",
        layout=edit_layout,
        nav=False,
        order=92,
    )
    _register_callbacks(app)


# --- layouts ---------------------------------------------------------------------------------


def new_layout(type: str | None = None, **_: Any) -> html.Div:
    lang = current_lang()
    chosen = type if type in feed_type_names() else None
    spec = form_spec(chosen) if chosen else None
    body = render_form(spec, {}, lang) if spec else html.Div(t("form.type_pick", lang))
    meta = {"feed_id": None, "version": None}
    return _page(t("form.new_title", lang), chosen, body, meta, None, lang)


def edit_layout(feed_id: str | None = None, **_: Any) -> html.Div:
    lang = current_lang()
    definition = services().store.feed_defs.get(feed_id or "")
    if definition is None or definition.deleted:
        text = t("form.unknown_feed", lang, feed=(feed_id or "")[:64])
        return html.Div(dbc.Alert(text, color="warning"), className="feed-form-page")
    feed_type = str(definition.config.get("type", ""))
    spec = form_spec(feed_type)
    if spec is None:
        text = t("form.value.feed_type", lang, got=repr(feed_type[:64]))
        return html.Div(dbc.Alert(text, color="warning"), className="feed-form-page")
    body = render_form(spec, initial_values(spec.fields, definition.config), lang, fixed_id=True)
    meta = {"feed_id": definition.id, "version": definition.version}
    title = t("form.edit_title", lang, feed=definition.id)
    return _page(title, feed_type, body, meta, definition, lang)


def _page(
    title: str,
    feed_type: str | None,
    body: Any,
    meta: dict[str, Any],
    definition: FeedDefinition | None,
    lang: str,
) -> html.Div:
    types = [{"label": type_label(name, lang), "value": name} for name in feed_type_names()]
    picker = html.Div(
        [
            html.Label(t("form.type", lang), htmlFor=TYPE, className="form-label small mb-0"),
            dcc.Dropdown(
                id=TYPE,
                options=types,
                value=feed_type,
                clearable=False,
                disabled=definition is not None,  # a feed's type is what it is
                className="scope-select feed-type-select",
            ),
        ]
    )
    saved = definition is not None
    actions = html.Div(
        [
            _button(t("form.test", lang), TEST, "secondary", "feed-test"),
            _button(t("form.save", lang), SAVE, "primary", "feed-save"),
            _button(t("form.run_now", lang), RUN, "outline-success", "feed-run-now", not saved),
            dcc.Link(t("form.to_board", lang), href=BOARD, className="btn btn-link"),
        ],
        className="feed-form-actions d-flex gap-2 flex-wrap my-3",
    )
    return html.Div(
        [
            page_header(title, t("form.subtitle", lang), picker, lang),
            _origin(definition, lang) if definition else None,
            dcc.Store(id=META, data=meta),
            dcc.Location(id=GO, refresh=True),
            dbc.Card(dbc.CardBody(html.Div(body, id=BODY)), className="panel-card"),
            actions,
            html.Div(id=STATUS, **_testid("feed-form-status")),
            html.Div(id=RUN_STATUS, **_testid("feed-run-status")),
            html.Div(id=RESULT, className="feed-test-result", **_testid("feed-test-result")),
        ],
        className="feed-form-page",
        **_testid("feed-form"),
    )


def _origin(definition: FeedDefinition, lang: str) -> html.Div:
    origin = t("form.origin_file" if definition.origin == "file" else "form.origin_console", lang)
    facts = [
        html.Span(origin, className="badge bg-info me-2", **_testid("feed-origin")),
        html.Span(t("form.version", lang, version=definition.version), className="me-2"),
    ]
    if definition.updated_at is not None:
        when = format_datetime_local(definition.updated_at, lang)
        facts.append(html.Span(t("form.saved_by", lang, time=when, by=definition.updated_by)))
    parts: list[Any] = [html.Div(facts)]
    if definition.overridden:
        parts.append(
            html.Div(
                [
                    html.Span(t("form.overridden", lang), className="me-2"),
                    _button(
                        t("form.revert", lang), REVERT, "outline-warning btn-sm", "feed-revert"
                    ),
                ],
                className="mt-1",
                **_testid("feed-overridden"),
            )
        )
    return html.Div(parts, className="feed-origin mb-3")


def _testid(name: str) -> dict[str, str]:
    return {"data-testid": name}


def _alert(children: Any, color: str, testid: str) -> html.Div:
    """An alert tests can find (Bootstrap's components take no data-* attributes)."""
    return html.Div(dbc.Alert(children, color=color), **_testid(testid))


def _button(text: str, ident: str, style: str, testid: str, disabled: bool = False) -> Any:
    return html.Button(
        text,
        id=ident,
        className=f"btn btn-{style}",
        disabled=disabled,
        n_clicks=0,
        **_testid(testid),
    )


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


# --- callbacks ---------------------------------------------------------------------------------


def _register_callbacks(app: Dash) -> None:
    @app.callback(Output(BODY, "children"), Input(TYPE, "value"), prevent_initial_call=True)
    def pick_type(feed_type: Any) -> Any:
        spec = form_spec(feed_type) if isinstance(feed_type, str) else None
        if spec is None:
            raise PreventUpdate
        return render_form(spec, {}, current_lang())

    @app.callback(
        Output(variant_id(MATCH), "children"),
        Input(union_id(MATCH), "value"),
        State(TYPE, "value"),
        prevent_initial_call=True,
    )
    def pick_variant(chosen: Any, feed_type: Any) -> Any:
        spec = form_spec(feed_type) if isinstance(feed_type, str) else None
        path = (dash.ctx.triggered_id or {}).get("path") if spec else None
        union = spec.find(path) if spec and isinstance(path, str) else None
        if union is None or union.kind != "union":
            raise PreventUpdate
        lang = current_lang()
        variant = union.variants.get(str(chosen), ())
        return [render_field(spec.feed_type, f, {}, lang) for f in variant]

    @app.callback(
        Output(RESULT, "children"),
        Output(STATUS, "children"),
        Output(message_id(ALL), "children"),
        Output(META, "data"),
        Output(RUN, "disabled"),
        Input(TEST, "n_clicks"),
        Input(SAVE, "n_clicks"),
        State(TYPE, "value"),
        State(field_id(ALL), "value"),
        State(union_id(ALL), "value"),
        State(META, "data"),
        prevent_initial_call=True,
    )
    def act(
        _tested: Any, _saved: Any, feed_type: Any, _f: Any, _u: Any, meta: Any
    ) -> tuple[Any, ...]:
        lang = current_lang()
        spec = form_spec(feed_type) if isinstance(feed_type, str) else None
        slots = [o["id"].get("path") for o in dash.ctx.outputs_list[2]]
        feed_id, version = _meta(meta)
        if spec is None:
            return _answer(
                None,
                dbc.Alert(t("form.type_pick", lang), color="warning"),
                slots,
                {},
                meta,
                feed_id is None,
            )
        values = _values(spec, dash.ctx.states_list[1], dash.ctx.states_list[2])
        if feed_id is not None:
            values["id"] = feed_id  # the feed edited, whatever the browser sent
        checked = check(spec, values, lang)
        if not checked.ok or checked.feed is None:
            alert = _alert(t("form.invalid", lang), "danger", "feed-form-invalid")
            return _answer(dash.no_update, alert, slots, checked.messages, meta, feed_id is None)
        if dash.ctx.triggered_id == TEST:
            areas = services().store.queries.areas.by_code
            result = trial(checked.feed, checked.config, areas, lang)
            return _answer(trial_view(result, lang), None, slots, {}, meta, feed_id is None)
        return _save_entry(checked.config, feed_id, version, slots, meta, lang)

    @app.callback(
        Output(RUN_STATUS, "children"),
        Input(RUN, "n_clicks"),
        State(META, "data"),
        prevent_initial_call=True,
    )
    def run_now(_clicks: Any, meta: Any) -> Any:
        lang = current_lang()
        feed_id, _version = _meta(meta)
        if feed_id is None:
            return dbc.Alert(t("form.run_first", lang), color="warning")
        svc = services()
        try:
            console.run_feed_now(svc.store, _audit(), _actor(), feed_id, ip=request.remote_addr)
        except console.UnknownFeed:
            return dbc.Alert(t("form.gone", lang), color="danger")
        text = t("form.run_requested", lang, feed=feed_id)
        link = dcc.Link(t("form.to_board", lang), href=f"{BOARD}?feed={feed_id}", className="ms-2")
        return _alert([text, link], "success", "feed-run-requested")

    @app.callback(
        Output(GO, "href"),
        Output(STATUS, "children", allow_duplicate=True),
        Input(REVERT, "n_clicks"),
        State(META, "data"),
        prevent_initial_call=True,
    )
    def revert(_clicks: Any, meta: Any) -> tuple[Any, Any]:
        lang = current_lang()
        feed_id, version = _meta(meta)
        if feed_id is None or version is None:
            raise PreventUpdate
        svc = services()
        try:
            console.revert_feed(
                svc.store,
                _audit(),
                _actor(),
                feed_id,
                expected_version=version,
                ip=request.remote_addr,
            )
        except console.StaleEdit as exc:
            return dash.no_update, _stale(exc.current, lang)
        except (console.UnknownFeed, console.NothingToRevert):
            return dash.no_update, dbc.Alert(t("form.nothing_to_revert", lang), color="warning")
        return f"/nguon-du-lieu/sua/{feed_id}", None


def _save_entry(
    config: dict[str, Any],
    feed_id: str | None,
    version: int | None,
    slots: list[Any],
    meta: Any,
    lang: str,
) -> tuple[Any, ...]:
    svc = services()
    expected = None if feed_id is None else version
    if feed_id is not None and version is None:
        raise PreventUpdate
    try:
        saved = console.save_feed(
            svc.store, _audit(), _actor(), config, expected_version=expected, ip=request.remote_addr
        )
    except console.StaleEdit as exc:
        return _answer(dash.no_update, _stale(exc.current, lang), slots, {}, meta, False)
    except console.FeedExists:
        messages = {"id": [t("form.exists", lang)]}
        alert = dbc.Alert(t("form.invalid", lang), color="danger")
        return _answer(dash.no_update, alert, slots, messages, meta, True)
    except console.UnknownFeed:
        return _answer(
            dash.no_update, dbc.Alert(t("form.gone", lang), color="danger"), slots, {}, meta, True
        )
    except console.InvalidFeed:  # the entry changed meaning between check and save: unlikely
        return _answer(
            dash.no_update,
            dbc.Alert(t("form.invalid", lang), color="danger"),
            slots,
            {},
            meta,
            True,
        )
    text = t("form.saved", lang, feed=saved.id, version=saved.version)
    link = dcc.Link(t("form.to_board", lang), href=f"{BOARD}?feed={saved.id}", className="ms-2")
    alert = _alert([text, link], "success", "feed-saved")
    new_meta = {"feed_id": saved.id, "version": saved.version}
    return _answer(dash.no_update, alert, slots, {}, new_meta, False)


def _answer(
    result: Any,
    status: Any,
    slots: list[Any],
    messages: Mapping[str, list[str]],
    meta: Any,
    run_disabled: bool,
) -> tuple[Any, ...]:
    shown_messages = [_texts(messages.get(s)) if isinstance(s, str) else None for s in slots]
    return result, status, shown_messages, meta, run_disabled


def _texts(texts: list[str] | None) -> Any:
    if not texts:
        return None
    return [html.Div(text) for text in texts]


def _stale(current: FeedDefinition, lang: str) -> Any:
    when = format_datetime_local(current.updated_at, lang) if current.updated_at else "—"
    text = t("form.stale", lang, by=current.updated_by or "—", time=when, version=current.version)
    reload = html.A(
        t("form.reload", lang), href=f"/nguon-du-lieu/sua/{current.id}", className="ms-2"
    )
    return _alert([text, reload], "warning", "feed-stale")


def _meta(meta: Any) -> tuple[str | None, int | None]:
    """What the form edits, from its store: a feed id and the version it was opened at."""
    if not isinstance(meta, dict):
        return None, None
    feed_id, version = meta.get("feed_id"), meta.get("version")
    feed_id = feed_id if isinstance(feed_id, str) and 0 < len(feed_id) <= 64 else None
    ok_version = isinstance(version, int) and not isinstance(version, bool)
    return feed_id, version if ok_version else None


def _values(spec: FormSpec, fields: Any, unions: Any) -> dict[str, Any]:
    """The controls' values by path; ids that name no field of this type are ignored."""
    values: dict[str, Any] = {}
    for item in fields or ():
        path = item.get("id", {}).get("path") if isinstance(item, dict) else None
        if isinstance(path, str):
            values[path] = item.get("value")
    for item in unions or ():
        path = item.get("id", {}).get("path") if isinstance(item, dict) else None
        union = spec.find(path) if isinstance(path, str) else None
        if union is not None and union.kind == "union":
            values[f"{union.path}.{union.discriminator}"] = item.get("value")
    return values


def _audit() -> AuditLog:
    svc = services()
    return AuditLog(Accounts(svc.store.engine), svc.clock)


def _actor() -> Any:
    visitor = current_visitor()
    if visitor is None:  # the sign-in layer lets no callback through without one
        raise PreventUpdate
    return visitor


# --- the test's result -------------------------------------------------------------------------

RECORD_COLUMNS = ("record", "metric", "area", "period", "value", "dim")


def trial_view(result: Trial, lang: str) -> Any:
    """The summary, the first records as stored, and the rejected ones with their reasons."""
    seconds = format_number(result.seconds, lang, decimals=2)
    if result.error is not None:
        kind, text = result.error.get("kind", ""), result.error.get("text", "")
        head = _alert(
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
        head = _alert(text, "success" if result.total_records else "warning", "feed-test-ok")
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
        return html.Div(t("form.none", lang), className="text-muted", **_testid(testid))
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        className="table table-sm table-striped feed-test-table",
    )
    return html.Div(table, className="table-responsive", **_testid(testid))

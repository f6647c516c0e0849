"""Create and edit a feed (/nguon-du-lieu/moi, /nguon-du-lieu/sua/<feed_id>): a form built from
the feed type's options schema, tested before it is saved, saved with optimistic locking. The
layout and the callbacks live here; dashboards/feed_form_view.py draws the fields and the
test's result."""

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
from dashboards.feed_form import initial_values
from dashboards.feed_form_view import (
    field_id,
    message_id,
    render_field,
    render_form,
    tagged_alert,
    test_attrs,
    trial_view,
    union_id,
    variant_id,
)
from dashboards.feed_trial import FormSpec, check, feed_type_names, form_spec, trial
from dashboards.form_labels import type_label
from feeds import console
from i18n import t
from i18n.formatting import format_datetime_local
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
            html.Div(id=STATUS, **test_attrs("feed-form-status")),
            html.Div(id=RUN_STATUS, **test_attrs("feed-run-status")),
            html.Div(id=RESULT, className="feed-test-result", **test_attrs("feed-test-result")),
        ],
        className="feed-form-page",
        **test_attrs("feed-form"),
    )


def _origin(definition: FeedDefinition, lang: str) -> html.Div:
    origin = t("form.origin_file" if definition.origin == "file" else "form.origin_console", lang)
    facts = [
        html.Span(origin, className="badge bg-info me-2", **test_attrs("feed-origin")),
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
                **test_attrs("feed-overridden"),
            )
        )
    return html.Div(parts, className="feed-origin mb-3")


def _button(text: str, ident: str, style: str, testid: str, disabled: bool = False) -> Any:
    return html.Button(
        text,
        id=ident,
        className=f"btn btn-{style}",
        disabled=disabled,
        n_clicks=0,
        **test_attrs(testid),
    )


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
            alert = tagged_alert(t("form.invalid", lang), "danger", "feed-form-invalid")
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
        return tagged_alert([text, link], "success", "feed-run-requested")

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
    alert = tagged_alert([text, link], "success", "feed-saved")
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
    return tagged_alert([text, reload], "warning", "feed-stale")


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

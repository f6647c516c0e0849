"""Manual import (/nguon-du-lieu/nhap/<feed_id>): upload a CSV or Excel file for a tabular
feed, see what it would store and reject, import it in the background with a progress bar,
then its summary and its rejects file. The layout, the callbacks and the steps live here;
dashboards/import_view.py draws the pieces."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update
from flask import has_request_context, request

from access.audit import Action, AuditLog, Outcome
from access.current import current_visitor
from dashboards.context import current_lang, services
from dashboards.import_view import (
    INTERRUPTED,
    drop_prompt,
    progress_view,
    refused_view,
    test_view,
    too_big_text,
)
from feeds.definitions import InvalidDefinition, config_of
from feeds.manual_import import (
    FEED_TYPE,
    SUFFIXES,
    Refusal,
    Spool,
    check_upload,
    decode_upload,
    shown_name,
    start_import,
    test_file,
    upload_limit,
)
from i18n import t
from settings import FeedConfig
from store.accounts import Accounts
from store.imports import FAILED, RUNNING, FeedImport, Imports
from ui.export import to_csv
from ui.table import GridColumn

PATH = "/nguon-du-lieu/nhap/<feed_id>"
POLL_MS = 500
MAX_FILE_NAME = 255
STALL_GRACE_S = 120  # beyond the run's timeout: a run still "running" then has no process


class ids:
    feed = "import-feed"
    limits = "import-limits"
    upload = "import-upload"
    upload_error = "import-upload-error"
    picked = "import-picked"
    test = "import-test"
    current = "import-current"
    start = "import-start"
    run_area = "import-run"
    progress = "import-progress"
    progress_text = "import-progress-text"
    summary = "import-summary"
    poll = "import-poll"
    rejects = "import-rejects-download"
    download = "import-download"


# Too large a file never leaves the browser: the request would be refused (413) unread.
PICK_JS = """
function(contents, name, limits) {
    const none = window.dash_clientside.no_update;
    if (!contents) { return [none, none, none]; }
    const data = contents.slice(contents.indexOf(',') + 1);
    const pad = data.endsWith('==') ? 2 : (data.endsWith('=') ? 1 : 0);
    const size = Math.floor(data.length * 3 / 4) - pad;
    if (size > limits.max) {
        return [limits.too_big.replace('{name}', name || ''), none, null];
    }
    return ['', {name: name || '', at: Date.now()}, none];
}
"""


def register(app: Dash) -> None:
    dash.register_page(
        "feed_import",
        path_template=PATH,
        name="Nhập tệp",
        name_vi="Nhập tệp",
        name_en="Import a file",
        title="Nhập tệp · IOC",
        layout=layout,
        nav=False,
        order=91,
    )
    _register_callbacks(app)


def feed_config(feed_id: Any) -> FeedConfig | None:
    """The tabular feed `feed_id` names as it runs now (its definition in the store, console
    edits included), or None: unknown, deleted, not valid here, or of another type. A feed
    not provisioned yet (no definition) is read from config.yaml."""
    if not isinstance(feed_id, str):
        return None
    svc = services()
    definition = svc.store.feed_defs.get(feed_id)
    if definition is None:
        config = next((f for f in svc.settings.feeds if f.id == feed_id), None)
    elif definition.deleted:
        return None
    else:
        try:
            config = config_of(definition)
        except InvalidDefinition:
            return None
    return config if config is not None and config.type == FEED_TYPE else None


def spool() -> Spool:
    return Spool(services().settings.config_path.parent / "var" / "spool" / "imports")


def limit_for(config: FeedConfig) -> int:
    max_bytes = getattr(config.options, "max_bytes", 0)
    return upload_limit(services().settings.web.max_request_bytes, max_bytes)


def layout(feed_id: str | None = None, **_: Any) -> html.Div:
    lang = current_lang()
    config = feed_config(feed_id)
    if config is None:
        return html.Div(
            t("import.unknown_feed", lang, feed=str(feed_id)[:64]),
            className="alert alert-warning",
            role="alert",
            **{"data-testid": "import-unknown-feed"},
        )
    limit = limit_for(config)
    return html.Div(
        [
            html.Div(
                [
                    html.H1(t("import.title", lang, feed=config.id), className="page-title"),
                    html.Div(t("import.subtitle", lang), className="page-subtitle"),
                    dcc.Link(
                        t("import.back", lang),
                        href=f"/nguon-du-lieu?feed={config.id}",
                        className="small",
                    ),
                ],
                className="page-header mb-3",
            ),
            dcc.Store(id=ids.feed, data=config.id),
            dcc.Store(id=ids.limits, data={"max": limit, "too_big": too_big_text(limit, lang)}),
            dcc.Store(id=ids.picked),
            dcc.Store(id=ids.current),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2(t("import.step_upload", lang), className="h6"),
                        dcc.Upload(
                            id=ids.upload,
                            children=drop_prompt(limit, lang),
                            accept=",".join(SUFFIXES),
                            multiple=False,
                            className="import-drop",
                            style={
                                "border": "2px dashed var(--bs-border-color)",
                                "borderRadius": "0.5rem",
                                "padding": "1.5rem",
                                "textAlign": "center",
                                "cursor": "pointer",
                            },
                        ),
                        html.Div(
                            id=ids.upload_error,
                            className="text-danger mt-2",
                            role="alert",
                            **{"data-testid": "import-upload-error"},
                        ),
                    ]
                ),
                className="panel-card",
            ),
            dcc.Loading(
                html.Div(id=ids.test, className="mt-3", **{"data-testid": "import-test"}),
                type="default",
            ),
            html.Button(
                t("import.start", lang),
                id=ids.start,
                disabled=True,
                className="btn btn-primary mt-3",
                **{"data-testid": "import-start"},
            ),
            html.Div(
                [
                    html.H2(t("import.step_import", lang), className="h6 mt-3"),
                    html.Div(
                        dbc.Progress(
                            id=ids.progress,
                            value=0,
                            label="0%",
                            striped=True,
                            animated=True,
                            style={"height": "1.5rem"},
                        ),
                        **{"data-testid": "import-progress"},
                    ),
                    html.Div(id=ids.progress_text, className="small text-muted mt-1"),
                    html.Div(id=ids.summary, className="mt-3", **{"data-testid": "import-summary"}),
                    html.Button(
                        t("import.download_rejects", lang),
                        id=ids.rejects,
                        className="btn btn-outline-secondary btn-sm mt-2",
                        style={"display": "none"},
                        **{"data-testid": "import-rejects-download"},
                    ),
                    dcc.Download(id=ids.download),
                    dcc.Interval(id=ids.poll, interval=POLL_MS, disabled=True),
                ],
                id=ids.run_area,
                hidden=True,
            ),
        ],
        className="feed-import",
        **{"data-testid": "feed-import", "data-feed-id": config.id},
    )


def _register_callbacks(app: Dash) -> None:
    app.clientside_callback(
        PICK_JS,
        Output(ids.upload_error, "children"),
        Output(ids.picked, "data"),
        Output(ids.upload, "contents", allow_duplicate=True),
        Input(ids.upload, "contents"),
        State(ids.upload, "filename"),
        State(ids.limits, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.test, "children"),
        Output(ids.current, "data"),
        Output(ids.start, "disabled"),
        Output(ids.upload, "contents"),
        Output(ids.run_area, "hidden"),
        Input(ids.picked, "data"),
        State(ids.upload, "contents"),
        State(ids.upload, "filename"),
        State(ids.feed, "data"),
        prevent_initial_call=True,
    )
    def uploaded(_picked: Any, contents: str | None, name: str | None, feed: Any) -> tuple:
        lang = current_lang()
        config = feed_config(feed)
        if config is None or not contents:
            return no_update, no_update, no_update, no_update, no_update
        panel, import_id = receive(config, str(name or "")[:MAX_FILE_NAME], contents, lang)
        return panel, import_id, import_id is None, None, True

    @app.callback(
        Output(ids.poll, "disabled"),
        Output(ids.start, "disabled", allow_duplicate=True),
        Output(ids.run_area, "hidden", allow_duplicate=True),
        Input(ids.start, "n_clicks"),
        State(ids.current, "data"),
        State(ids.feed, "data"),
        prevent_initial_call=True,
    )
    def start(_clicks: Any, import_id: Any, feed: Any) -> tuple:
        config = feed_config(feed)
        found = _import(import_id, config)
        if config is None or found is None:
            return no_update, True, no_update
        begin(config, found)
        return False, True, False

    @app.callback(
        Output(ids.progress, "value"),
        Output(ids.progress, "label"),
        Output(ids.progress, "color"),
        Output(ids.progress, "animated"),
        Output(ids.progress_text, "children"),
        Output(ids.summary, "children"),
        Output(ids.rejects, "style"),
        Output(ids.poll, "disabled", allow_duplicate=True),
        Input(ids.poll, "n_intervals"),
        State(ids.current, "data"),
        State(ids.feed, "data"),
        prevent_initial_call=True,
    )
    def poll(_tick: Any, import_id: Any, feed: Any) -> tuple:
        config = feed_config(feed)
        found = _import(import_id, config)
        if config is None or found is None:
            return (no_update,) * 7 + (True,)
        found = _unless_stalled(config, found)
        return (*progress_view(found, current_lang()), found.finished)

    @app.callback(
        Output(ids.download, "data"),
        Input(ids.rejects, "n_clicks"),
        State(ids.current, "data"),
        State(ids.feed, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks: Any, import_id: Any, feed: Any) -> Any:
        found = _import(import_id, feed_config(feed))
        if found is None or not found.finished:
            return no_update
        name = f"{found.feed_id}-{Path(found.file_name).stem[:60]}-loai.csv"
        return dcc.send_bytes(rejects_csv(found, current_lang()), name)


# -- steps (plain functions: the integration tests call them in a request context) ----------
def receive(config: FeedConfig, name: str, contents: str, lang: str) -> tuple[Any, str | None]:
    """Check, spool and test an upload: the test panel, and the import's id when the file
    may be imported."""
    name = shown_name(name)
    data = decode_upload(contents)
    refusal = data if isinstance(data, Refusal) else None
    if isinstance(data, bytes):
        refusal = check_upload(name, data, limit_for(config))
    if refusal is not None or not isinstance(data, bytes):
        assert refusal is not None
        _audit(config.id, Outcome.FAILURE, {"file": name, "stage": "upload", **_why(refusal)})
        return refused_view(refusal, name, lang), None
    svc = services()
    files = spool()
    import_id, sha256 = files.save(data)
    imports = Imports(svc.store.engine)
    visitor = current_visitor()
    found = imports.add(
        import_id=import_id,
        feed_id=config.id,
        file_name=name,
        size=len(data),
        sha256=sha256,
        by=visitor.name if visitor else None,
        at=svc.clock(),
    )
    areas = svc.store.queries.areas.by_code
    result = test_file(config, files.upload_path(import_id), name, areas=areas, now=svc.clock)
    _audit(
        config.id,
        Outcome.SUCCESS,
        {
            "file": name,
            "size": len(data),
            "sha256": sha256,
            "stage": "upload",
            "import": import_id,
            "would_store": result.total_records,
            "would_reject": result.total_rejected,
        },
    )
    before = imports.last_import_of(config.id, sha256, before=import_id)
    ok = result.ok and result.total_records + result.total_rejected > 0
    return test_view(found, result, before, lang), import_id if ok else None


def begin(config: FeedConfig, found: FeedImport) -> bool:
    """Claim the upload and import it in the background; False when it was started already."""
    svc = services()
    visitor = current_visitor()
    actor = visitor.name if visitor else None
    ip = request.remote_addr if has_request_context() else None
    if not Imports(svc.store.engine).claim(found.id, by=actor, at=svc.clock()):
        return False
    audit = AuditLog(Accounts(svc.store.engine), svc.clock)

    def done(finished: FeedImport) -> None:
        audit.record(
            Action.FEED_IMPORT,
            outcome=Outcome.FAILURE if finished.status == FAILED else Outcome.SUCCESS,
            actor=actor,
            ip=ip,
            target=config.id,
            detail={
                "file": finished.file_name,
                "size": finished.size,
                "stage": "import",
                "import": finished.id,
                "run_id": finished.run_id,
                "status": finished.run_status,
                "accepted": finished.accepted,
                "rejected": finished.rejected,
                "changed": finished.changed,
                "duration_ms": round(finished.duration_ms or 0),
                "error": finished.error_text,
            },
        )

    start_import(svc.store, config, spool(), found.id, clock=svc.clock, done=done)
    return True


def rejects_csv(found: FeedImport, lang: str) -> bytes:
    """Every rejected record of the import (reason, raw record), formula-safe like exports."""
    columns = [
        GridColumn("reason", t("import.col.reason", lang)),
        GridColumn("raw", t("import.col.raw", lang)),
    ]
    rows = [{"reason": reason, "raw": raw} for reason, raw in spool().rejects(found.id)]
    return to_csv(columns, rows, lang)


def _import(import_id: Any, config: FeedConfig | None) -> FeedImport | None:
    """The import a browser names, if it is one of this feed's."""
    if config is None or not isinstance(import_id, str) or len(import_id) != 32:
        return None
    found = Imports(services().store.engine).get(import_id)
    return found if found is not None and found.feed_id == config.id else None


def _unless_stalled(config: FeedConfig, found: FeedImport) -> FeedImport:
    """An import still marked running long after its run's timeout: the process that ran it
    is gone (restarted, killed). It is marked failed so the page stops waiting."""
    if found.status != RUNNING or found.started_at is None:
        return found
    svc = services()
    now = svc.clock()
    cutoff = now - timedelta(seconds=config.timeout + STALL_GRACE_S)
    imports = Imports(svc.store.engine)
    if imports.abandon(found.id, started_before=cutoff, at=now, why=INTERRUPTED):
        return imports.get(found.id) or found
    return found


def _audit(feed_id: str, outcome: Outcome, detail: dict[str, Any]) -> None:
    svc = services()
    visitor = current_visitor()
    AuditLog(Accounts(svc.store.engine), svc.clock).record(
        Action.FEED_IMPORT,
        outcome=outcome,
        actor=visitor.name if visitor else None,
        ip=request.remote_addr if has_request_context() else None,
        target=feed_id,
        detail=detail,
    )


def _why(refusal: Refusal) -> dict[str, Any]:
    return {"refused": refusal.problem.value, **refusal.params}

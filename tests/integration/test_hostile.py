"""Hostile input against every callback and route the app declares (enumerated from
`app.callback_map` and `app.server.url_map`, so new ones are covered without editing this
file): wrong types, huge and deeply nested values, bad dates, malformed bodies. No answer is a
5xx, nothing logs a traceback, every answer stays within its time and size bound."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dash
import psutil
import pytest

from access.audit import Action, AuditLog
from access.audit import Outcome as AuditOutcome
from dashboards import create_app, payloads
from dashboards.audit_log import PAGE_SIZE as AUDIT_PAGE_SIZE
from dashboards.guard import PROPERTY_KINDS
from dashboards.specs import PAGES
from feeds.runner import FeedRunner
from settings import FeedConfig, load_settings
from store import Store
from store.accounts import Accounts
from tests.conftest import Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TIME_RATIO = 10  # an answer may take this many times its callback's (or route's) floor
SIZE_RATIO = 1.5  # ... and be this much larger than the largest legitimate answer
SIZE_SLACK = 8 * 1024
# The audit export holds every matching entry, and the suite's own refusals add entries: its
# proper answer is measured again right before each case.
GROWS_WITH_AUDIT = ("callback audit-download",)
MAX_LOG_LINE = 400
RETRIES = 2  # a case over its time budget is asked again; its best time is judged
# The pages a MATCH callback may be addressed to; each callback is asked for the first that
# holds its components.
PAGE_KEYS = ["overview", "feeds", *(spec.domain_key for spec in PAGES)]
HOSTILE_VALUES: list[tuple[str, Any]] = [
    ("int", 12345),
    ("negative", -1),
    ("huge-float", 1e308),
    ("bool", True),
    ("empty-list", []),
    ("list", ["94", "941"]),
    ("object", {"a": {"b": [1, 2]}}),
    ("huge-string", "x" * 100_000),
    ("long-string", "9" * 4000),
    ("huge-list", list(range(50_000))),
    ("deep", json.loads("[" * 40 + "]" * 40)),
    ("far-future", "9999-12-30..9999-12-31"),
    ("far-past", "0001-01-01..0001-01-02"),
    ("no-such-day", "2026-02-30..2026-03-01"),
    ("open-range", "2026-11-01.."),
    ("reversed", "2026-11-15..2026-11-01"),
    ("too-long", "2000-01-01..2026-01-01"),
    ("unknown-area", "99999"),
    ("sql", "'; DROP TABLE observations; --"),
    ("path", "../../../etc/passwd"),
    ("html", "<script>alert(1)</script>"),
    ("nul", "\u0000"),
    ("emoji", "🙂" * 50),
    ("points-text", {"points": "x"}),
    ("points-junk", {"points": [1, None, {"customdata": ["941"], "pointIndex": "0"}]}),
    ("point-deep", {"points": [{"customdata": {"a": 1}, "curveNumber": 2, "pointIndex": 10**9}]}),
    ("cell", {"rowIndex": 0, "colId": 5, "value": []}),
    ("rows-junk", ["x", 1, None, {"camera": ["CAM"]}]),
]
# Every input of a callback at once: a grid click with rows of the wrong shape, and the like.
ALL_AT_ONCE = [
    ("all-shaped", {"dict": {"rowIndex": 0, "points": [{"customdata": 1}]}, "list": [1, "x"]}),
    ("all-empty", {"dict": {}, "list": []}),
]
BAD_SEGMENTS = ["x", "..%2F..%2Fapp.py", "%00", "a" * 300, "%F0%9F%99%82", "94", "CAM-001"]
BAD_QUERIES = [
    "area=99999",
    "area=941&area=942&area=94",
    "window=9999-12-30..9999-12-31",
    "window=0001-01-01..0001-01-02",
    "window=2026-02-30..2026-03-01&window=30d",
    "grain=century&trend=nope&table=nope&metric=nope&camera=nope&feed=nope",
    "area=%00&window=%FF",
    "area[]=1&window[x]=2",
    "q=" + "x" * 3000,
]
MALFORMED_BODIES: list[tuple[str, bytes, str]] = [
    ("truncated", b'{"output": "x', "application/json"),
    ("not-json", b"hello", "application/json"),
    ("array", b"[1, 2]", "application/json"),
    ("string", b'"x"', "application/json"),
    ("null", b"null", "application/json"),
    ("binary", b"\xff\xfe\x00", "application/json"),
    ("deep-array", b"[" * 50_000 + b"]" * 50_000, "application/json"),
    ("deep-object", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "application/json"),
    ("oversized", b'{"x": "' + b"y" * (3 << 20) + b'"}', "application/json"),
    ("form", b"output=x", "application/x-www-form-urlencoded"),
    ("empty", b"", "application/json"),
]
STREAMING = ("camera_stream", "demo_stream")  # endless bodies: only unknown cameras are asked


@dataclass
class Case:
    name: str
    group: str  # whose time and size bounds apply
    method: str
    url: str
    body: bytes | None = None
    content_type: str = "application/json"


@dataclass
class Outcome:
    status: int
    seconds: float
    size: int


@dataclass
class Log(logging.Handler):
    records: list[logging.LogRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(logging.DEBUG)

    def __hash__(self) -> int:
        return id(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    directory = tmp_path_factory.mktemp("hostile")
    store = Store.open(f"sqlite:///{directory / 'ioc.db'}")
    feed = FeedConfig.model_validate(
        {"id": "simulator", "type": "simulator", "interval": 60, "options": {"backfill_days": 8}}
    )
    assert FeedRunner(store, [feed], clock=Clock()).run("simulator").status == "ok"
    _fill_audit_page(store)
    path = directory / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    yield create_app(load_settings(path, env={}), store, clock=Clock())
    store.engine.dispose()


# -- the table of cases, built from what the app declares -------------------------------------
def server_callbacks(app: Any) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in app.callback_map.items() if "callback" in v}


def _concrete(component_id: str, page: str) -> Any:
    """A declared id with its wildcards filled: the page asked for, slot 0."""
    if not component_id.startswith("{"):
        return component_id
    pattern = json.loads(component_id)
    wild = {k for k, v in pattern.items() if isinstance(v, list)}
    return {k: ((0 if k == "slot" else page) if k in wild else v) for k, v in pattern.items()}


def _many(component_id: str) -> bool:
    return '["ALL"]' in component_id or '["ALLSMALLER"]' in component_id


WALL_SPEC = {"playlist": "default", "screen": 1, "area": "94", "lang": "vi"}
NEUTRAL = {"n_intervals": 0, "n_clicks": 1, "value": None, "pathname": "/", "search": ""}
LEGIT_BY_ID = {"wall-spec": WALL_SPEC, "wall-digests": {}}


def _item(dep: dict[str, str], page: str, value: Any) -> Any:
    one = {"id": _concrete(dep["id"], page), "property": dep["property"], "value": value}
    return [one] if _many(dep["id"]) else one


def _outputs(declared: dict[str, Any], page: str) -> Any:
    """The outputs a browser names; a wildcard ALL output names none (an empty screen)."""
    found = declared["output"]
    outputs = found if isinstance(found, list) else [found]
    built: list[Any] = []
    for output in outputs:
        text = output.component_id_str()
        one = {"id": _concrete(text, page), "property": output.component_property}
        built.append([] if _many(text) else one)
    return built if isinstance(found, list) else built[0]


def callback_body(
    key: str, declared: dict[str, Any], page: str, values: dict[int, Any]
) -> dict[str, Any]:
    """A request for this callback; `values` replaces the inputs+state at those positions."""
    deps = [*declared["inputs"], *(declared.get("state") or [])]
    items = []
    for index, dep in enumerate(deps):
        default = LEGIT_BY_ID.get(dep["id"], NEUTRAL.get(dep["property"]))
        items.append(_item(dep, page, values.get(index, default)))
    count = len(declared["inputs"])
    body = {
        "output": key,
        "outputs": _outputs(declared, page),
        "inputs": items[:count],
        "changedPropIds": [],
    }
    if declared.get("state"):
        body["state"] = items[count:]
    return body


def callback_cases(app: Any, pages: dict[str, str]) -> list[Case]:
    cases = []
    for key, declared in server_callbacks(app).items():
        deps = [*declared["inputs"], *(declared.get("state") or [])]
        group, page = f"callback {key[:60]}", pages[key]
        url = "/_dash-update-component"
        for name, body in _structural(key, declared, page):
            cases.append(Case(f"{group} {name}", group, "POST", url, body))
        for name, shapes in ALL_AT_ONCE:
            values = {i: _shaped(d["property"], shapes) for i, d in enumerate(deps)}
            body = callback_body(key, declared, page, values)
            body["changedPropIds"] = [_prop_id(i) for i in body["inputs"] if isinstance(i, dict)]
            raw = json.dumps(body).encode()
            cases.append(Case(f"{group} {name}", group, "POST", url, raw))
        for index, dep in enumerate(deps):
            for name, value in HOSTILE_VALUES:
                raw = json.dumps(callback_body(key, declared, page, {index: value})).encode()
                cases.append(
                    Case(f"{group} {dep['property']}#{index}={name}", group, "POST", url, raw)
                )
    return cases


def _prop_id(item: dict[str, Any]) -> str:
    """How the browser names a changed input: its id (sorted JSON) and property."""
    raw = item["id"]
    text = json.dumps(raw, sort_keys=True, separators=(",", ":")) if isinstance(raw, dict) else raw
    return f"{text}.{item['property']}"


def _shaped(prop: str, shapes: dict[str, Any]) -> Any:
    """A value of the right type for `prop` (so the guard lets it through) but odd inside."""
    kinds = PROPERTY_KINDS[prop]
    if dict in kinds:
        return shapes["dict"]
    if list in kinds:
        return shapes["list"]
    return NEUTRAL.get(prop)


def _structural(key: str, declared: dict[str, Any], page: str) -> Iterator[tuple[str, bytes]]:
    good = callback_body(key, declared, page, {})

    def variant(name: str, **changes: Any) -> tuple[str, bytes]:
        return name, json.dumps({**good, **changes}).encode()

    yield variant("no-inputs", inputs=[])
    yield variant("extra-input", inputs=[*good["inputs"], good["inputs"][0]])
    yield variant("inputs-object", inputs={"a": 1})
    yield variant("outputs-missing", outputs=None)
    yield variant("changed-junk", changedPropIds=[1, {"x": 2}])
    wrong_prop = [{**i, "property": "style"} if isinstance(i, dict) else i for i in good["inputs"]]
    yield variant("wrong-property", inputs=wrong_prop)
    for bad_page in (123, ["x"], "nope", None):
        swapped = json.loads(json.dumps(good).replace(f'"{page}"', json.dumps(bad_page)))
        yield f"page={bad_page!r}", json.dumps(swapped).encode()


def route_cases(app: Any) -> list[Case]:
    cases = []
    for rule in app.server.url_map.iter_rules():
        group = f"route {rule.rule}"
        segments = BAD_SEGMENTS if rule.arguments else [""]
        for segment in segments:
            path = re.sub(r"<[^>]+>", segment, rule.rule)
            if rule.endpoint in STREAMING and segment.startswith("CAM"):
                continue
            for query in ["", *BAD_QUERIES]:
                url = f"{path}?{query}" if query else path
                for method in sorted(rule.methods - {"OPTIONS"}):
                    body = b"{}" if method == "POST" else None
                    cases.append(Case(f"{group} {method} {url[:80]}", group, method, url, body))
    return cases


def page_cases(app: Any) -> list[Case]:
    """Each page through the router callback, with hostile query strings (deep links)."""
    cases = []
    for page in dash.page_registry.values():
        path = page["path"].replace("<playlist>", "default")
        for query in BAD_QUERIES:
            body = json.dumps(payloads.router(path, "?" + query)).encode()
            url = "/_dash-update-component"
            cases.append(Case(f"page {path} ?{query[:60]}", f"page {path}", "POST", url, body))
    return cases


def malformed_cases() -> list[Case]:
    url = "/_dash-update-component"
    return [Case(f"body {n}", "malformed", "POST", url, b, ct) for n, b, ct in MALFORMED_BODIES]


# -- running them ---------------------------------------------------------------------------
def send(client: Any, case: Case) -> Outcome:
    started = time.perf_counter()
    response = client.open(
        case.url,
        method=case.method,
        data=case.body,
        content_type=case.content_type if case.body is not None else None,
        headers={"Origin": "http://localhost"},
    )
    size = len(response.get_data())
    return Outcome(response.status_code, time.perf_counter() - started, size)


def _fill_audit_page(store: Store) -> None:
    """More than a page of audit entries before the legitimate answers are measured: the
    suite's own refusals are audited, so the audit grid grows to a full page while it runs."""
    audit = AuditLog(Accounts(store.engine))
    for n in range(AUDIT_PAGE_SIZE + 10):
        audit.record(
            Action.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            actor="hostile-suite-seed",
            ip="127.0.0.1",
            target=f"/_dash-update-component#{n}",
            detail={"asked": "x" * 120},
        )


def legitimate(app: Any) -> tuple[dict[str, list[Outcome]], dict[str, str], dict[str, Case]]:
    """Each group's floor (the same callbacks and pages asked properly), for each callback
    the first page that holds its components, and each callback group's proper request."""
    client = client_for(app, "admin")
    assert client.get("/").status_code == 200  # Dash adds its router callback on first use
    found: dict[str, list[Outcome]] = {}
    pages: dict[str, str] = {}
    proper: dict[str, Case] = {}
    for key, declared in server_callbacks(app).items():
        for page in PAGE_KEYS:
            body = json.dumps(callback_body(key, declared, page, {})).encode()
            case = Case("", "", "POST", "/_dash-update-component", body)
            if send(client, case).status in (200, 204):
                break
        pages[key] = page
        proper[f"callback {key[:60]}"] = case
        found[f"callback {key[:60]}"] = [send(client, case) for _ in range(3)]
    for page in dash.page_registry.values():
        path = page["path"].replace("<playlist>", "default")
        body = json.dumps(payloads.router(path, "")).encode()
        case = Case("", "", "POST", "/_dash-update-component", body)
        found[f"page {path}"] = [send(client, case) for _ in range(3)]
    healthz = [send(client, Case("", "", "GET", "/healthz")) for _ in range(5)]
    found["floor"] = healthz
    return found, pages, proper


class RssSampler(threading.Thread):
    """The process's resident memory, sampled while the suite runs (the app runs in it)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process()
        self.start_rss = self.peak = self.process.memory_info().rss
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)


def test_hostile_input_never_breaks_the_app(app: Any) -> None:
    floors, pages, proper = legitimate(app)
    refused = {g: o for g, o in floors.items() if any(x.status not in (200, 204) for x in o)}
    assert not refused, refused
    cases = [*callback_cases(app, pages), *route_cases(app), *page_cases(app), *malformed_cases()]
    floor_s = min(o.seconds for o in floors["floor"])
    log = Log()
    logging.getLogger().addHandler(log)
    sampler = RssSampler()
    sampler.start()
    client = client_for(app, "admin")
    failures: list[str] = []
    refusals = 0
    started = time.perf_counter()
    try:
        for case in cases:
            if case.group.startswith(GROWS_WITH_AUDIT):  # the suite's refusals are audited
                floors[case.group] = [send(client, proper[case.group])]
            outcome = send(client, case)
            refusals += outcome.status in (400, 413)
            problems = _judge(case, outcome, floors, floor_s)
            for _retry in range(RETRIES if problems else 0):  # a pause of the machine, or slow?
                again = send(client, case)
                refusals += again.status in (400, 413)
                outcome.seconds = min(outcome.seconds, again.seconds)
                problems = _judge(case, outcome, floors, floor_s)
            failures.extend(problems)
    finally:
        sampler.stop.set()
        sampler.join()
        logging.getLogger().removeHandler(log)
    elapsed = time.perf_counter() - started
    tracebacks = [r.getMessage()[:200] for r in log.records if _has_traceback(r)]
    _report(len(cases), elapsed, sampler, log)
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(
        failures[:40]
    )
    assert not tracebacks, tracebacks[:10]
    logged = [r.getMessage() for r in log.records if r.getMessage().startswith("refused")]
    assert len(logged) <= refusals  # a rejected input is logged once at most ...
    assert max(map(len, logged)) <= MAX_LOG_LINE  # ... and never in full
    assert len(cases) > 1000


def _judge(
    case: Case, outcome: Outcome, floors: dict[str, list[Outcome]], floor_s: float
) -> list[str]:
    problems = []
    if outcome.status >= 500:
        problems.append(f"{case.name}: HTTP {outcome.status}")
    legit = floors.get(case.group)
    slowest = max((o.seconds for o in legit), default=floor_s) if legit else floor_s
    budget = TIME_RATIO * max(slowest, floor_s * 20)
    if outcome.seconds > budget:
        problems.append(f"{case.name}: {outcome.seconds:.3f}s > budget {budget:.3f}s")
    largest = max((o.size for o in legit), default=0) if legit else 0
    bound = largest * SIZE_RATIO + SIZE_SLACK if legit else _route_bound(case)
    if outcome.size > bound:
        problems.append(f"{case.name}: {outcome.size} bytes > bound {bound:.0f}")
    return problems


def _route_bound(case: Case) -> float:
    """Routes outside the page tables: the index page or a static file at most."""
    return (
        16 * 1024 * 1024
        if case.group.startswith(("route /_dash-component", "route /assets"))
        else 256 * 1024
    )


def _has_traceback(record: logging.LogRecord) -> bool:
    return bool(record.exc_info) or "Traceback" in record.getMessage()


def _report(count: int, elapsed: float, sampler: RssSampler, log: Log) -> None:
    mib = 1024 * 1024
    summary = {
        "cases": count,
        "seconds": round(elapsed, 1),
        "rss_start_mib": round(sampler.start_rss / mib, 1),
        "rss_peak_mib": round(sampler.peak / mib, 1),
        "refusals_logged": sum(1 for r in log.records if r.getMessage().startswith("refused")),
        "longest_log_line": max((len(r.getMessage()) for r in log.records), default=0),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "hostile.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print("hostile suite:", json.dumps(summary))

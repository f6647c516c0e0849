"""Feed definitions and the console's actions on SQLite and PostgreSQL: create, edit with
optimistic locking, pause / resume, soft delete, revert, provisioning across restarts,
run-now requests, and the audit trail of each."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from access.audit import Action, AuditLog
from feeds.console import (
    InvalidFeed,
    delete_feed,
    effective_feeds,
    pause_feed,
    resume_feed,
    revert_feed,
    run_feed_now,
    save_feed,
    validate_feed,
)
from feeds.definitions import provision
from feeds.runner import FeedRunner
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditEntry, AuditFilter
from store.feed_defs import (
    PROVISIONER,
    FeedDefinitions,
    FeedExists,
    NothingToRevert,
    StaleEdit,
    UnknownFeed,
)
from store.models import FeedRunRow, ObservationRow
from tests.conftest import Clock

pytestmark = pytest.mark.integration

TOKEN_ENV = {"LGSP_TOKEN": "s3cr3t-value", "PATH": "/usr/bin:/bin"}


def http_entry(feed_id: str = "lgsp", **top: Any) -> dict[str, Any]:
    return {
        "id": feed_id,
        "type": "http_json",
        "interval": "5m",
        "options": {
            "url": "https://lgsp.example.gov.vn/api",
            "mapping": {
                "records": "data",
                "area": {"code": "ma"},
                "period": {"field": "ngay", "format": "iso8601"},
                "observations": [{"metric_field": "chi_tieu", "field": "gia_tri"}],
            },
            "auth": {"type": "bearer", "token": "${LGSP_TOKEN}"},
        },
        **top,
    }


def simulator_entry(feed_id: str = "sim", **top: Any) -> dict[str, Any]:
    return {
        "id": feed_id,
        "type": "simulator",
        "interval": 60,
        "timeout": 120,
        "options": {"backfill_days": 1},
        **top,
    }


@pytest.fixture
def audit(store: Store, clock: Clock) -> AuditLog:
    return AuditLog(Accounts(store.engine), clock)


@pytest.fixture(autouse=True)
def token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LGSP_TOKEN", TOKEN_ENV["LGSP_TOKEN"])


def entries(audit: AuditLog, action: Action) -> list[AuditEntry]:
    page = audit.accounts.audit_entries(AuditFilter(action=action.value))
    return list(page.entries)


def count(store: Store, model: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def write_config(path: Path, feeds_yaml: str) -> Path:
    path.write_text(
        f"version: 1\ngeography:\n  directory: null\nfeeds:\n{feeds_yaml}", encoding="utf-8"
    )
    return path


# -- create ------------------------------------------------------------------------------------


def test_create_stores_references_never_secrets_and_is_audited(
    store: Store, audit: AuditLog
) -> None:
    saved = save_feed(store, audit, "lan", http_entry(), expected_version=None)
    assert (saved.origin, saved.version, saved.updated_by) == ("console", 1, "lan")
    assert saved.config["interval"] == 300  # validated: whole seconds
    assert saved.config["options"]["auth"]["token"] == "${LGSP_TOKEN}"
    assert store.feed_defs.get("lgsp") == saved
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM feed_definitions").mappings().all()
    stored = json.dumps([dict(row) for row in rows], default=str)
    assert "s3cr3t-value" not in stored and "${LGSP_TOKEN}" in stored
    [entry] = entries(audit, Action.FEED_CREATE)
    assert (entry.actor, entry.target, entry.outcome) == ("lan", "lgsp", "success")
    assert "s3cr3t-value" not in entry.detail
    assert json.loads(entry.detail)["after"]["interval"] == 300
    # what the scheduler runs: the reference resolved from this process's environment
    [feed] = effective_feeds(store)
    assert feed.options.auth.token.get_secret_value() == "s3cr3t-value"  # type: ignore[attr-defined]


def test_creating_an_existing_id_is_refused_even_when_deleted(
    store: Store, audit: AuditLog
) -> None:
    first = save_feed(store, audit, "lan", simulator_entry(), expected_version=None)
    with pytest.raises(FeedExists):
        save_feed(store, audit, "minh", simulator_entry(), expected_version=None)
    delete_feed(store, audit, "lan", "sim", expected_version=first.version)
    with pytest.raises(FeedExists):
        store.feed_defs.create(simulator_entry(), by="minh")
    failures = [e for e in entries(audit, Action.FEED_CREATE) if e.outcome == "failure"]
    assert [e.actor for e in failures] == ["minh"]


def test_an_invalid_entry_is_not_saved_and_its_problems_say_where(
    store: Store, audit: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LGSP_TOKEN")
    bad = http_entry(interval=5)
    bad["options"]["auth"]["token"] = "${LGSP_TOKEN}"
    problems = validate_feed(bad)
    assert isinstance(problems, list)
    by_loc = {p["loc"]: p for p in problems}
    assert by_loc[("interval",)]["input"] == 5
    assert "at least" in by_loc[("interval",)]["msg"]
    token = by_loc[("options", "auth", "token")]
    assert "LGSP_TOKEN is not set" in token["msg"] and "input" not in token
    literal = http_entry()
    literal["options"]["auth"]["token"] = "written-in-clear"
    problems = validate_feed(literal)
    assert isinstance(problems, list)
    assert [p["loc"] for p in problems] == [("options", "auth", "token")]
    assert "written-in-clear" not in json.dumps(problems)
    with pytest.raises(InvalidFeed):
        save_feed(store, audit, "lan", bad, expected_version=None)
    assert store.feed_defs.all() == []


# -- update and optimistic locking -------------------------------------------------------------


def test_a_stale_save_raises_with_who_saved_and_loses_nothing(
    store: Store, audit: AuditLog, clock: Clock
) -> None:
    created = save_feed(store, audit, "lan", http_entry(), expected_version=None)
    lan = save_feed(store, audit, "lan", http_entry(interval=120), expected_version=created.version)
    assert (lan.version, lan.config["interval"]) == (2, 120)
    with pytest.raises(StaleEdit) as stale:  # minh opened version 1 and saves after lan
        save_feed(store, audit, "minh", http_entry(timeout=30), expected_version=created.version)
    assert (stale.value.current.version, stale.value.current.updated_by) == (2, "lan")
    assert store.feed_defs.get("lgsp") == lan  # lan's edit stands, whole
    [update_ok, update_stale] = sorted(entries(audit, Action.FEED_UPDATE), key=lambda e: e.id)
    assert json.loads(update_ok.detail) == {"changed": {"interval": [300, 120]}, "version": [1, 2]}
    assert update_stale.outcome == "failure" and update_stale.actor == "minh"
    assert json.loads(update_stale.detail)["saved_by"] == "lan"


def test_concurrent_saves_of_one_version_let_exactly_one_win(store: Store) -> None:
    store.feed_defs.create(simulator_entry(), by="lan")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def save(interval: int) -> None:
        definitions = FeedDefinitions(store.engine)  # like another web worker
        barrier.wait()
        try:
            definitions.update(
                "sim", simulator_entry(interval=interval), expected_version=1, by=f"u{interval}"
            )
            outcomes.append(f"saved {interval}")
        except StaleEdit:
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(60 + i * 10,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(outcomes) == 4 and len(saved) == 1, outcomes
    final = store.feed_defs.get("sim")
    assert final is not None and final.version == 2
    assert f"saved {final.config['interval']}" == saved[0]


def test_an_id_cannot_change_on_update(store: Store) -> None:
    store.feed_defs.create(simulator_entry(), by="lan")
    with pytest.raises(ValueError, match="cannot change"):
        store.feed_defs.update("sim", simulator_entry("other"), expected_version=1, by="lan")


# -- pause / resume ----------------------------------------------------------------------------


def test_pause_and_resume_reach_the_effective_feeds(store: Store, audit: AuditLog) -> None:
    created = save_feed(store, audit, "lan", simulator_entry(), expected_version=None)
    paused = pause_feed(store, audit, "lan", "sim", expected_version=created.version)
    assert paused.paused and paused.version == 2 and not paused.overridden
    assert [f.enabled for f in effective_feeds(store)] == [False]
    with pytest.raises(StaleEdit):
        resume_feed(store, audit, "minh", "sim", expected_version=created.version)
    resumed = resume_feed(store, audit, "lan", "sim", expected_version=paused.version)
    assert not resumed.paused and [f.enabled for f in effective_feeds(store)] == [True]
    [pause] = entries(audit, Action.FEED_PAUSE)
    assert json.loads(pause.detail) == {"changed": {"paused": [False, True]}, "version": [1, 2]}
    assert [e.outcome for e in entries(audit, Action.FEED_RESUME)] == ["success", "failure"]


# -- delete ------------------------------------------------------------------------------------


def test_delete_is_soft_and_keeps_the_runs_and_the_data(
    store: Store, audit: AuditLog, clock: Clock
) -> None:
    created = save_feed(store, audit, "lan", simulator_entry(), expected_version=None)
    runner = FeedRunner.from_store(store, clock=clock)
    assert runner.run("sim").status == "ok"
    observations, runs = count(store, ObservationRow), count(store, FeedRunRow)
    assert observations > 0 and runs == 1
    deleted = delete_feed(store, audit, "lan", "sim", expected_version=created.version)
    assert deleted.deleted and store.feed_defs.all() == []
    assert [d.id for d in store.feed_defs.all(include_deleted=True)] == ["sim"]
    assert (count(store, ObservationRow), count(store, FeedRunRow)) == (observations, runs)
    assert effective_feeds(store) == []
    with pytest.raises(UnknownFeed):
        save_feed(store, audit, "lan", simulator_entry(interval=90), expected_version=2)
    with pytest.raises(UnknownFeed):
        run_feed_now(store, audit, "lan", "sim")
    with pytest.raises(UnknownFeed):
        runner.run("sim")  # not even a run started before its definition was read
    assert count(store, FeedRunRow) == runs
    [entry] = entries(audit, Action.FEED_DELETE)
    assert json.loads(entry.detail)["changed"] == {"deleted": [False, True]}


# -- provisioning, override, revert ------------------------------------------------------------

FILE_FEEDS = """\
  - id: lgsp
    type: http_json
    interval: 5m
    options:
      url: "https://lgsp.example.gov.vn/api"
      mapping:
        records: data
        area: {code: ma}
        period: {field: ngay, format: iso8601}
        observations: [{metric_field: chi_tieu, field: gia_tri}]
      auth: {type: bearer, token: "${LGSP_TOKEN}"}
  - {id: sim, type: simulator, interval: 60, options: {backfill_days: 1}}
"""


def restart(store: Store, path: Path, clock: Clock) -> FeedDefinitions:
    """What a new start of the app does: read the file, provision it into the same database."""
    settings = load_settings(path, env=TOKEN_ENV)
    provision(store, settings)
    return FeedDefinitions(store.engine, clock)


def test_provisioned_feeds_keep_references_and_an_override_survives_restarts(
    store: Store, audit: AuditLog, tmp_path: Path, clock: Clock
) -> None:
    path = write_config(tmp_path / "config.yaml", FILE_FEEDS)
    defs = restart(store, path, clock)
    lgsp = defs.get("lgsp")
    assert lgsp is not None and (lgsp.origin, lgsp.overridden, lgsp.version) == ("file", False, 1)
    assert lgsp.file_config == lgsp.config
    assert lgsp.config["options"]["auth"]["token"] == "${LGSP_TOKEN}"
    assert lgsp.config["interval"] == 300 and lgsp.updated_by == PROVISIONER
    restart(store, path, clock)  # the same file again: nothing changes
    assert store.feed_defs.revision() == 2

    edited = dict(lgsp.config, interval=600)
    overridden = save_feed(store, audit, "lan", edited, expected_version=lgsp.version)
    assert overridden.overridden and overridden.config["interval"] == 600
    assert overridden.file_config == lgsp.file_config

    # the file changes the timeout: the file version follows, the override still wins
    write_config(
        path, FILE_FEEDS.replace("    interval: 5m\n", "    interval: 5m\n    timeout: 30\n")
    )
    defs = restart(store, path, clock)
    after = defs.get("lgsp")
    assert after is not None and after.overridden and after.config["interval"] == 600
    assert after.file_config is not None and after.file_config["timeout"] == 30
    assert {f.id: f.interval for f in effective_feeds(store)} == {"lgsp": 600, "sim": 60}

    reverted = revert_feed(store, audit, "lan", "lgsp", expected_version=after.version)
    assert not reverted.overridden and reverted.config == reverted.file_config
    assert reverted.config["timeout"] == 30
    defs = restart(store, path, clock)
    assert defs.get("lgsp") == reverted  # a revert survives restarts too
    [entry] = entries(audit, Action.FEED_REVERT)
    changed = json.loads(entry.detail)["changed"]
    assert changed["interval"] == [600, 300] and changed["overridden"] == [True, False]


def test_an_edit_back_to_the_file_version_is_no_override(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    path = write_config(tmp_path / "config.yaml", FILE_FEEDS)
    defs = restart(store, path, clock)
    sim = defs.get("sim")
    assert sim is not None
    edited = defs.update("sim", dict(sim.config, interval=120), expected_version=1, by="lan")
    assert edited.overridden
    back = defs.update("sim", dict(sim.config), expected_version=edited.version, by="lan")
    assert not back.overridden and back.version == 3


def test_console_feeds_cannot_be_reverted(store: Store, audit: AuditLog) -> None:
    created = save_feed(store, audit, "lan", simulator_entry(), expected_version=None)
    with pytest.raises(NothingToRevert):
        revert_feed(store, audit, "lan", "sim", expected_version=created.version)
    assert [e.outcome for e in entries(audit, Action.FEED_REVERT)] == ["failure"]


def test_a_feed_gone_from_the_file_is_deleted_unless_overridden_and_returns_with_it(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    path = write_config(tmp_path / "config.yaml", FILE_FEEDS)
    defs = restart(store, path, clock)
    lgsp = defs.get("lgsp")
    assert lgsp is not None
    defs.update("lgsp", dict(lgsp.config, interval=900), expected_version=1, by="lan")

    write_config(path, "  - {id: other, type: simulator, interval: 60}\n")
    defs = restart(store, path, clock)
    sim, lgsp_now = defs.get("sim"), defs.get("lgsp")
    assert sim is not None and sim.deleted and sim.origin == "file"  # not scheduled, data kept
    assert lgsp_now is not None and not lgsp_now.deleted
    assert (lgsp_now.origin, lgsp_now.file_config, lgsp_now.config["interval"]) == (
        "console",
        None,
        900,
    )  # the console's version keeps running; nothing to revert to any more
    assert sorted(f.id for f in effective_feeds(store)) == ["lgsp", "other"]

    write_config(path, FILE_FEEDS)  # both come back to the file
    defs = restart(store, path, clock)
    sim, lgsp_now = defs.get("sim"), defs.get("lgsp")
    assert sim is not None and not sim.deleted
    assert lgsp_now is not None and lgsp_now.origin == "file" and lgsp_now.overridden
    assert lgsp_now.config["interval"] == 900 and lgsp_now.file_config is not None
    other = defs.get("other")
    assert other is not None and other.deleted  # left the file in its turn


def test_a_feed_deleted_in_the_console_stays_deleted_until_reverted(
    store: Store, audit: AuditLog, tmp_path: Path, clock: Clock
) -> None:
    path = write_config(tmp_path / "config.yaml", FILE_FEEDS)
    restart(store, path, clock)
    deleted = delete_feed(store, audit, "lan", "sim", expected_version=1)
    defs = restart(store, path, clock)
    still = defs.get("sim")
    assert still is not None and still.deleted and still.version == deleted.version
    restored = revert_feed(store, audit, "lan", "sim", expected_version=deleted.version)
    assert not restored.deleted and [f.id for f in effective_feeds(store)] == ["lgsp", "sim"]


def test_provisioning_from_two_processes_at_once_gives_one_definition_each(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    path = write_config(tmp_path / "config.yaml", FILE_FEEDS)
    settings = load_settings(path, env=TOKEN_ENV)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            provision(store, settings)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert [(d.id, d.version) for d in store.feed_defs.all()] == [("lgsp", 1), ("sim", 1)]


# -- run now -----------------------------------------------------------------------------------


def test_run_now_requests_are_claimed_once(store: Store, audit: AuditLog) -> None:
    save_feed(store, audit, "lan", simulator_entry(), expected_version=None)
    paused = pause_feed(store, audit, "lan", "sim", expected_version=1)
    run_feed_now(store, audit, "lan", "sim")
    run_feed_now(store, audit, "minh", "sim")  # a second click before the scheduler took it
    assert store.feed_defs.pending_runs() == {"sim"}
    other = FeedDefinitions(store.engine)  # the scheduler process
    assert other.take_run_requests() == ["sim"]
    assert other.take_run_requests() == [] and store.feed_defs.pending_runs() == set()
    assert store.feed_defs.get("sim") == paused  # a request is no change of the definition
    with pytest.raises(UnknownFeed):
        run_feed_now(store, audit, "lan", "nope")
    assert [(e.actor, e.outcome) for e in entries(audit, Action.FEED_RUN_NOW)] == [
        ("lan", "failure"),
        ("minh", "success"),
        ("lan", "success"),
    ]


def test_a_definition_this_process_cannot_run_is_recorded_as_failing(
    store: Store, audit: AuditLog, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved where LGSP_TOKEN is set, scheduled where it is not: the board says why."""
    save_feed(store, audit, "lan", http_entry(), expected_version=None)
    monkeypatch.delenv("LGSP_TOKEN")
    runner = FeedRunner.from_store(store, clock=clock)
    assert runner.feeds == {}  # not scheduled
    health = {h.id: h for h in store.queries.feed_health()}["lgsp"]
    assert health.enabled and health.last_status == "failed"
    assert health.last_error_kind == "misconfigured"
    assert "LGSP_TOKEN is not set" in (health.last_error or "")
    runner.refresh()  # the same version again: recorded once
    assert count(store, FeedRunRow) == 1
    runner.run_safely("lgsp")  # a run-now of it says so again
    assert count(store, FeedRunRow) == 2
    monkeypatch.setenv("LGSP_TOKEN", TOKEN_ENV["LGSP_TOKEN"])
    assert [f.id for f in runner.refresh()] == ["lgsp"]

"""The review queue on SQLite and PostgreSQL: reasons grouped into families per feed with their
14-day trend; correct and accept (read back by the domain pages' queries), discard, source at
fault, each undone, each audited; leader and district users refused the page and callbacks."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from access.audit import AuditLog
from dashboards import create_app, review_actions
from dashboards.pages import review_page
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from store.models import CorrectionRow, FeedRow
from store.records import Observation, Rejection
from store.reference_writes import FeedSpec
from store.review_models import AlreadyReviewed, Correction, NotUndoable, QueueFilter, ReviewError
from store.run_writes import RunOutcome
from store.scope import LOCAL_TZ, Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
NOW = FIXED_NOW
METRIC = "health.outpatient_visits"
BAD_NUMBER = "row {n}: health.outpatient_visits (field 'so_luot'): value '{v}' is not a number"
TODAY = local_midnight_utc(NOW.astimezone(LOCAL_TZ).date())


def _run(store: Store, feed: str, days_ago: int, rejections: list[Rejection]) -> int:
    started = NOW - timedelta(days=days_ago, minutes=5)
    run = store.writer.start_run(feed, started)
    outcome = RunOutcome("partial", 10, len(rejections), 10, started + timedelta(seconds=2), 2000.0)
    store.writer.finish_run(run, feed, outcome, rejections)
    return run


def _bad_numbers(count: int, start: int = 1) -> list[Rejection]:
    return [
        Rejection(
            BAD_NUMBER.format(n=n, v=f"{n}x"),
            json.dumps({"ma_xa": "", "ngay": "2026-11-20", "so_luot": f"{n}x"}),
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def queue(store: Store) -> Store:
    store.writer.sync_feeds(
        [
            FeedSpec("so_y_te", "http_json", 3600, True, False),
            FeedSpec("cong_dv", "sql", 60, True, False),
        ]
    )
    _run(store, "so_y_te", 10, _bad_numbers(6))  # last week but one: 6
    _run(store, "so_y_te", 9, [*_bad_numbers(2, 100), Rejection("unknown area code '99999'")])
    _run(store, "so_y_te", 1, _bad_numbers(1, 500))  # last week: 1 — getting better
    _run(store, "cong_dv", 0, _bad_numbers(3, 900))  # the same reason, another source
    _run(store, "cong_dv", 20, [Rejection("unknown area code '94001'")])  # outside 14 days
    return store


def _commune(store: Store) -> str:
    areas = store.queries.areas
    district = areas.children(areas.root)[0]
    return areas.children(district)[0]


def _today_scope(store: Store, area: str) -> Any:
    return scope_within(store.queries.areas.root, Window.named("today", NOW), area)


def _audit(store: Store) -> tuple[AuditLog, Accounts]:
    accounts = Accounts(store.engine)
    return AuditLog(accounts, clock=Clock(NOW)), accounts


def _open_record(store: Store, feed: str, family_part: str) -> int:
    records = store.review.records(QueueFilter(feed=feed))
    return next(r.id for r in records if family_part in r.family)


# -- grouping and trend ------------------------------------------------------------------------
def test_reasons_group_into_families_per_feed_with_a_daily_trend(queue: Store) -> None:
    groups = queue.review.groups(QueueFilter(status=None), NOW)
    by_key = {(g.feed_id, g.family): g for g in groups}
    family = "row #: health.outpatient_visits (field '…'): value '…' is not a number"
    assert set(by_key) == {
        ("so_y_te", family),
        ("so_y_te", "unknown area code '…'"),
        ("cong_dv", family),
        ("cong_dv", "unknown area code '…'"),
    }
    mine = by_key[("so_y_te", family)]
    assert (mine.total, mine.open, mine.accepted, mine.discarded) == (9, 9, 0, 0)
    assert len(mine.daily) == 14 and sum(mine.daily) == 9
    assert mine.daily[-11] == 6 and mine.daily[-10] == 2 and mine.daily[-2] == 1
    assert mine.trend == "better"
    other = by_key[("cong_dv", family)]
    assert other.daily[-1] == 3 and other.trend == "worse"
    old = by_key[("cong_dv", "unknown area code '…'")]
    assert old.total == 1 and sum(old.daily) == 0 and old.trend == "quiet"
    # most open records first
    assert groups[0].feed_id == "so_y_te" and groups[0].family == family


def test_filters_by_feed_family_status_and_kind(queue: Store) -> None:
    review = queue.review
    family = "unknown area code '…'"
    assert {g.feed_id for g in review.groups(QueueFilter(family=family), NOW)} == {
        "so_y_te",
        "cong_dv",
    }
    records = review.records(QueueFilter(feed="so_y_te", family=family))
    assert [r.reason for r in records] == ["unknown area code '99999'"]
    assert review.families("cong_dv") == sorted(
        ["row #: health.outpatient_visits (field '…'): value '…' is not a number", family]
    )
    assert review.records(QueueFilter(kind="warning")) == []
    review.discard(records[0].id, by="op", now=NOW)
    assert review.records(QueueFilter(feed="so_y_te", family=family)) == []
    gone = review.records(QueueFilter(feed="so_y_te", family=family, status="discarded"))
    assert [r.reviewed_by for r in gone] == ["op"]
    assert review.groups(QueueFilter(feed="so_y_te", family=family), NOW) == []


# -- correct and accept ----------------------------------------------------------------------
def test_a_corrected_record_is_stored_and_read_by_the_domain_pages(queue: Store) -> None:
    audit, accounts = _audit(queue)
    review, area = queue.review, _commune(queue)
    record_id = _open_record(queue, "so_y_te", "health.outpatient_visits")
    scope = _today_scope(queue, area)
    assert queue.queries.kpis(scope, [METRIC])[METRIC].value is None
    correction = Correction(metric=METRIC, area=area, period_start=TODAY, value=1234.5)
    who = review_actions.Operator("hoa", "127.0.0.1")
    done = review_actions.accept(review, audit, who, record_id, correction, NOW)
    assert queue.queries.kpis(scope, [METRIC])[METRIC].value == 1234.5
    parent = queue.queries.areas.get(area).parent_code
    values = queue.queries.area_values(_today_scope(queue, parent), METRIC)
    assert values[area] == 1234.5
    assert review.record(record_id).status == "accepted"  # type: ignore[union-attr]
    with queue.engine.connect() as conn:
        saved = conn.execute(select(CorrectionRow.__table__)).one()
    assert (saved.feed_id, saved.corrected_by, saved.previous) == ("so_y_te", "hoa", None)
    assert saved.original_reason.startswith("row ") and "so_luot" in saved.original_excerpt
    entry = accounts.audit_entries(AuditFilter(action="review.accept"), limit=5).entries[0]
    detail = json.loads(entry.detail)
    assert (entry.actor, entry.outcome, entry.target) == (
        "hoa",
        "success",
        f"rejected_records/{record_id}",
    )
    assert detail["before"] == {"status": "open"} and detail["after"]["value"] == 1234.5
    assert detail["review_action"] == done.id

    # undo: the observation goes, the record is open again, and the undo is audited
    review_actions.undo(review, audit, who, done.id, NOW)
    assert queue.queries.kpis(scope, [METRIC])[METRIC].value is None
    assert review.record(record_id).status == "open"  # type: ignore[union-attr]
    undo = accounts.audit_entries(AuditFilter(action="review.undo"), limit=5).entries[0]
    assert json.loads(undo.detail)["undid"] == "accept"
    with pytest.raises(NotUndoable):
        review.undo(done.id, by="hoa", now=NOW)


def test_undoing_a_correction_puts_back_the_value_it_replaced(queue: Store) -> None:
    area, review = _commune(queue), queue.review
    queue.writer.write_records("cong_dv", [Observation(METRIC, area, TODAY, 40.0)], NOW)
    version = queue.queries.data_version()
    record_id = _open_record(queue, "so_y_te", "health.outpatient_visits")
    key = Correction(metric=METRIC, area=area, period_start=TODAY, value=41.0)
    stored = review.stored_value(key)
    assert stored is not None and (stored.value, stored.feed_id) == (40.0, "cong_dv")
    done = review.accept(record_id, key, by="hoa", now=NOW)
    assert done.after["replaced"]["value"] == 40.0
    assert queue.queries.data_version() != version  # cached pages read again
    scope = _today_scope(queue, area)
    assert queue.queries.kpis(scope, [METRIC])[METRIC].value == 41.0
    review.undo(done.id, by="lan", now=NOW + timedelta(minutes=1))
    assert queue.queries.kpis(scope, [METRIC])[METRIC].value == 40.0
    back = review.stored_value(key)
    assert back is not None and back.feed_id == "cong_dv"
    with queue.engine.connect() as conn:
        saved = conn.execute(select(CorrectionRow.withdrawn_by)).scalar_one()
    assert saved == "lan"


def test_a_record_is_reviewed_once_and_refusals_are_audited(queue: Store) -> None:
    audit, accounts = _audit(queue)
    review, who = queue.review, review_actions.Operator("hoa")
    record_id = _open_record(queue, "so_y_te", "unknown area")
    first = review_actions.discard(review, audit, who, record_id, NOW)
    with pytest.raises(AlreadyReviewed):
        review_actions.discard(review, audit, who, record_id, NOW)
    correction = Correction(metric=METRIC, area=_commune(queue), period_start=TODAY, value=1.0)
    with pytest.raises(AlreadyReviewed):
        review.accept(record_id, correction, by="lan", now=NOW)
    failed = accounts.audit_entries(AuditFilter(action="review.discard"), limit=5).entries
    assert [e.outcome for e in failed] == ["failure", "success"]
    review_actions.undo(review, audit, who, first.id, NOW)
    assert review.record(record_id).status == "open"  # type: ignore[union-attr]
    with pytest.raises(ReviewError, match="unknown area"):
        review.accept(
            record_id,
            Correction(metric=METRIC, area="00000", period_start=TODAY, value=1.0),
            by="lan",
            now=NOW,
        )
    assert review.record(record_id).status == "open"  # type: ignore[union-attr]


# -- source at fault ---------------------------------------------------------------------------
def test_a_source_marked_at_fault_shows_in_the_feed_states_and_is_undone(queue: Store) -> None:
    audit, accounts = _audit(queue)
    review, who = queue.review, review_actions.Operator("hoa")
    states = review.feed_states()
    assert (states["so_y_te"].open_rejected, states["so_y_te"].at_fault) == (10, False)
    assert states["cong_dv"].open_rejected == 4
    marked = review_actions.mark_at_fault(review, audit, who, "so_y_te", "sai mã xã", NOW)
    state = review.feed_states()["so_y_te"]
    assert state.at_fault and state.fault is not None and state.fault.note == "sai mã xã"
    later = NOW + timedelta(hours=1)
    review_actions.mark_at_fault(review, audit, who, "so_y_te", "vẫn sai", later)
    with pytest.raises(NotUndoable):  # the later mark stands on the first one
        review.undo(marked.id, by="hoa", now=later)
    latest = review.history(feed_id="so_y_te")[0]
    review_actions.undo(review, audit, who, latest.id, later)
    assert review.faults()["so_y_te"].note == "sai mã xã"  # back to the first mark
    cleared = review_actions.clear_fault(review, audit, who, "so_y_te", later)
    assert "so_y_te" not in review.faults()
    review_actions.undo(review, audit, who, cleared.id, later)
    assert review.faults()["so_y_te"].marked_at == NOW
    entries = accounts.audit_entries(AuditFilter(action="review.fault"), limit=10).entries
    assert len(entries) == 3 and all(e.actor == "hoa" for e in entries)
    assert json.loads(entries[0].detail)["after"] == {}  # the clear: the mark is gone
    accepted = review.records(QueueFilter(feed="so_y_te"))[0]
    review.accept(
        accepted.id,
        Correction(metric=METRIC, area=_commune(queue), period_start=TODAY, value=3.0),
        by="hoa",
        now=NOW,
    )
    assert review.feed_states()["so_y_te"].accepted == 1
    assert review.feed_states()["so_y_te"].open_rejected == 9


def test_a_pruned_record_leaves_its_correction_standing(queue: Store) -> None:
    area, review = _commune(queue), queue.review
    old = review.records(QueueFilter(feed="cong_dv", family="unknown area code '…'"))[0]
    review.accept(
        old.id,
        Correction(metric=METRIC, area=area, period_start=TODAY, value=7.0),
        by="hoa",
        now=NOW,
    )
    queue.writer.prune_runs(NOW - timedelta(days=15))
    assert review.record(old.id) is None
    with queue.engine.connect() as conn:
        kept = conn.execute(select(CorrectionRow.rejected_id, CorrectionRow.value)).one()
        assert conn.execute(select(FeedRow.data_changed_at).where(FeedRow.id == "cong_dv")).scalar()
    assert tuple(kept) == (None, 7.0)
    assert queue.queries.kpis(_today_scope(queue, area), [METRIC])[METRIC].value == 7.0


# -- the page and who may use it -----------------------------------------------------------------
def _settings(directory: Path) -> Any:
    path = directory / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    return load_settings(path, env={})


def _callback_body(record_id: int) -> dict[str, Any]:
    outputs = ["review-message.children", "review-changed.data"]
    return {
        "output": "..review-message.children...review-changed.data..",
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
        "inputs": [
            {"id": b, "property": "n_clicks", "value": 1 if b == "review-discard" else None}
            for b in (
                "review-accept",
                "review-discard",
                "review-undo",
                "review-fault",
                "review-unfault",
                "review-fault-undo",
            )
        ],
        "state": [
            {"id": "review-selected", "property": "data", "value": record_id},
            *(
                {"id": f"review-{f}", "property": "value", "value": None}
                for f in ("metric", "area", "period", "value", "dim", "fault-feed", "fault-note")
            ),
            {"id": "review-changed", "property": "data", "value": 0},
        ],
        "changedPropIds": ["review-discard.n_clicks"],
    }


@pytest.mark.parametrize("role", ["leader", "district"])
def test_leader_and_district_users_are_refused(queue: Store, tmp_path: Path, role: str) -> None:
    app = create_app(_settings(tmp_path), queue, clock=Clock(NOW))
    area = queue.queries.areas.children(queue.queries.areas.root)[0]
    client = client_for(app, role, area if role == "district" else None)
    record_id = _open_record(queue, "so_y_te", "unknown area")
    assert client.get(review_page.PATH).status_code == 403
    answer = client.post("/_dash-update-component", json=_callback_body(record_id))
    assert answer.status_code == 403
    assert queue.review.record(record_id).status == "open"  # type: ignore[union-attr]
    denied = Accounts(queue.engine).audit_entries(AuditFilter(action="access.denied"), limit=5)
    assert denied.total >= 2


def test_an_operator_discards_through_the_page_callback(queue: Store, tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path), queue, clock=Clock(NOW))
    client = client_for(app, "operator")
    record_id = _open_record(queue, "so_y_te", "unknown area")
    assert client.get(review_page.PATH).status_code == 200
    answer = client.post("/_dash-update-component", json=_callback_body(record_id))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    message = answer.get_json()["response"]["review-message"]["children"]["props"]
    assert message["children"] == "Đã bỏ qua bản ghi."
    record = queue.review.record(record_id)
    assert record is not None and record.status == "discarded"
    entry = Accounts(queue.engine).audit_entries(AuditFilter(action="review.discard"), limit=1)
    assert entry.entries[0].outcome == "success" and entry.entries[0].actor == record.reviewed_by

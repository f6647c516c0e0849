"""Tasks the People's Committees assign and follow up (the task database): counts and events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.agencies import AGENCIES, task_shares
from feeds.simulator.geography import near
from feeds.simulator.parts import Parts
from feeds.simulator.streams import day_rng
from feeds.simulator.world import Day, World, block_days, block_start
from geo.hierarchy import AdminUnit
from store.records import Event
from store.scope import LOCAL_TZ

HOUR_S = 3600.0
DAY_S = 24 * HOUR_S
TASKS_PER_YEAR_PROVINCE = 3_000  # assigned by the provincial People's Committee to agencies
TASKS_PER_YEAR_DISTRICT = 600  # assigned to each district's People's Committee
TASKS_PER_YEAR_COMMUNE = 80  # assigned by the district to each commune
DEADLINE_DAYS = (7, 10, 15, 20, 30, 45)
DUE_HOUR = 17.0
LATE_MEAN_DAYS = 12.0
LOOKBACK_DAYS = 150  # every task is done within this many days of being assigned
EVENT_DAYS = 60  # events: the tasks assigned in the last two months, and all overdue ones
ON_TIME = {"district": (0.80, 0.93), "commune": (0.75, 0.92)}
TOPICS = (
    "giải ngân vốn đầu tư công",
    "thực hiện Đề án 06 về dữ liệu dân cư",
    "phòng, chống hạn hán, xâm nhập mặn",
    "cải cách thủ tục hành chính",
    "phòng, chống dịch sốt xuất huyết",
    "bảo đảm an toàn thực phẩm",
    "thu ngân sách nhà nước",
    "xây dựng nông thôn mới",
    "bồi thường, giải phóng mặt bằng",
    "chuyển đổi số",
    "sắp xếp lại, xử lý nhà, đất công",
    "phòng cháy, chữa cháy",
    "khắc phục sạt lở bờ sông",
    "thực hiện chính sách người có công",
)
PROVINCE_OFFICES = ("TH", "KT", "VX", "NC", "XD")  # the provincial office's divisions
# Columns of a day's task table (all floats): who, when, when due, when done, what, which letter.
OWNER, ASSIGNED, DUE, DONE, TOPIC, NUMBER, SEQUENCE = range(7)


def task_metrics(world: World, day: Day) -> dict[str, Parts]:
    """Counts up to the day's cut-off, from the tasks themselves (so events match)."""
    start, cutoff = day.start.timestamp(), day.cutoff.timestamp()
    book = recent_tasks(world, day.date)
    book = book[: np.searchsorted(book[:, ASSIGNED], cutoff)]  # in time order: later rows go
    owner = book[:, OWNER].astype(int)
    units = _units(world)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(owner[mask], minlength=units).astype(float)

    done = (book[:, DONE] >= start) & (book[:, DONE] < cutoff)
    overdue = (book[:, ASSIGNED] < cutoff) & (book[:, DUE] < cutoff) & (book[:, DONE] >= cutoff)
    return {
        "documents.tasks_assigned": _parts(
            world, count((book[:, ASSIGNED] >= start) & (book[:, ASSIGNED] < cutoff))
        ),
        "documents.tasks_done": _parts(world, count(done)),
        "documents.tasks_done_on_time": _parts(
            world, count(done & (book[:, DONE] <= book[:, DUE]))
        ),
        "documents.tasks_overdue": _parts(world, count(overdue)),
    }


def _units(world: World) -> int:
    """Owners, in order: the provincial agencies, the districts, the communes."""
    return len(AGENCIES) + len(world.geo.districts) + len(world.geo.communes)


def _parts(world: World, per_unit: np.ndarray) -> Parts:
    geo = world.geo
    agencies = per_unit[: len(AGENCIES)]
    districts = per_unit[len(AGENCIES) : len(AGENCIES) + len(geo.districts)]
    code = geo.province.code
    return Parts(
        commune=per_unit[len(AGENCIES) + len(geo.districts) :],
        district=districts,
        province=float(agencies.sum()),
        exact=True,
        splits=tuple(
            (code, a.code, float(v)) for a, v in zip(AGENCIES, agencies.tolist(), strict=True)
        ),
    )


def recent_tasks(world: World, day: date) -> np.ndarray:
    """Every task assigned from LOOKBACK_DAYS before `day` on, as one table (with some
    assigned after `day`, in its block of days: mask by time)."""
    first = block_start(day)

    def compute() -> np.ndarray:
        return np.concatenate([tasks_of_day(world, d) for d in block_days(first, LOOKBACK_DAYS)])

    return world.memo(("tasks-block", first), compute)


def tasks_of_day(world: World, day: date) -> np.ndarray:
    """The tasks assigned on one day (the whole day), ordered by time; see the columns above."""
    return world.memo(("tasks", day), lambda: _draw_tasks(world, day))


def _draw_tasks(world: World, day: date) -> np.ndarray:
    rng = day_rng(world.seed, "tasks", day)
    counts = rng.poisson(_yearly_rates(world) * almanac.share_of_year(day, "paperwork"))
    owner = np.repeat(np.arange(len(counts)), counts)
    n = len(owner)
    start = world.day(day).start.timestamp()
    assigned = start + rng.uniform(7.5, 16.5, n) * HOUR_S
    deadline = rng.choice(DEADLINE_DAYS, n)
    due = start + deadline * DAY_S + DUE_HOUR * HOUR_S
    on_time = rng.random(n) < _on_time(world)[owner]
    early = assigned + rng.beta(2.0, 1.5, n) * (due - assigned)
    delay = np.minimum(rng.exponential(LATE_MEAN_DAYS, n), LOOKBACK_DAYS - deadline - 1)
    done = np.where(on_time, early, due + delay * DAY_S)
    topic, number = rng.integers(0, len(TOPICS), n), rng.integers(120, 4_800, n)
    order = np.argsort(assigned, kind="stable")
    table = np.column_stack([owner, assigned, due, done, topic, number, np.zeros(n)])[order]
    table[:, SEQUENCE] = np.arange(n)
    return table.astype(float)


def _yearly_rates(world: World) -> np.ndarray:
    def compute() -> np.ndarray:
        geo = world.geo
        return np.concatenate(
            [
                TASKS_PER_YEAR_PROVINCE * task_shares(),
                np.full(len(geo.districts), TASKS_PER_YEAR_DISTRICT),
                np.full(len(geo.communes), TASKS_PER_YEAR_COMMUNE),
            ]
        )

    return world.memo(("task-rates",), compute)


def _on_time(world: World) -> np.ndarray:
    def compute() -> np.ndarray:
        geo = world.geo
        return np.concatenate(
            [
                [a.task_on_time for a in AGENCIES],
                world.profile("task-on-time-district", geo.district_codes, *ON_TIME["district"]),
                world.profile("task-on-time-commune", geo.commune_codes, *ON_TIME["commune"]),
            ]
        )

    return world.memo(("task-on-time",), compute)


# --- events --------------------------------------------------------------------------------------


def task_events(world: World) -> Iterator[Event]:
    """The provincial agencies' and districts' tasks as they stand now: those assigned in the
    last EVENT_DAYS and every task still overdue."""
    book = recent_tasks(world, world.today)
    now = world.now.timestamp()
    assigned = book[:, ASSIGNED]
    overdue = (book[:, DUE] < now) & (book[:, DONE] > now)
    shown = (
        (book[:, OWNER] < len(AGENCIES) + len(world.geo.districts))
        & (assigned <= now)
        & (overdue | (assigned >= now - EVENT_DAYS * DAY_S))
    )
    for row in book[shown]:
        yield _task_event(world, row, now)


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a task is assigned to, the area it counts in and where its office is."""

    code: str
    name_vi: str
    area: AdminUnit
    office: AdminUnit


def _task_event(world: World, row: np.ndarray, now: float) -> Event:
    assigned = _utc(row[ASSIGNED])
    day = assigned.astimezone(LOCAL_TZ).date()
    source_id = f"NV-{day.year}-{day.timetuple().tm_yday:03d}{int(row[SEQUENCE]):03d}"
    owner = _owner(world, int(row[OWNER]))
    lat, lon = near(owner.office, world.seed, source_id)
    done = bool(row[DONE] <= now)
    overdue = not done and bool(row[DUE] < now)
    return Event(
        domain="documents",
        kind="task",
        source_id=source_id,
        occurred_at=assigned,
        title=_title(world, row),
        area=owner.area.code,
        lat=lat,
        lon=lon,
        status="done" if done else ("overdue" if overdue else "in_progress"),
        severity="warning" if overdue else "info",
        attributes={
            "agency": owner.code,
            "agency_vi": owner.name_vi,
            "assigned_at": assigned.isoformat(),
            "due_at": _utc(row[DUE]).isoformat(),
            "done_at": _utc(row[DONE]).isoformat() if done else None,
            "on_time": bool(row[DONE] <= row[DUE]) if done else None,
            "demo": True,
        },
    )


def _owner(world: World, unit: int) -> Owner:
    geo = world.geo
    if unit < len(AGENCIES):
        agency = AGENCIES[unit]
        return Owner(agency.code, agency.name_vi, geo.province, geo.capital())
    district = geo.districts[unit - len(AGENCIES)]
    return Owner(f"ubnd-{district.code}", f"UBND {district.name_vi}", district, geo.seat(district))


def _title(world: World, row: np.ndarray) -> str:
    """ "Báo cáo tình hình … theo Văn bản số 1234/UBND-TH": the directive the task comes from."""
    number = int(row[NUMBER])
    office = (
        PROVINCE_OFFICES[number % len(PROVINCE_OFFICES)] if row[OWNER] < len(AGENCIES) else "VP"
    )
    return f"Báo cáo tình hình {TOPICS[int(row[TOPIC])]} theo Văn bản số {number}/UBND-{office}"


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(float(seconds)), tz=UTC)

"""The station_files feed: automatic monitoring stations' text files from an FTP drop folder."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from feeds.base import (
    Feed,
    FeedContext,
    FeedMisconfigured,
    FeedOptions,
    FeedUnavailable,
    excerpt,
)
from feeds.station_files.aggregate import daily_values, day_aqi, hourly
from feeds.station_files.archive import Archived, archived_files, reread
from feeds.station_files.files import StationFile, read_station_file
from feeds.station_files.options import StationFilesOptions, StationSpec
from feeds.station_files.publish import (
    StationView,
    as_readings,
    merge,
    observations,
    station_asset,
)
from feeds.tabular import DropFolder, DroppedFile, Scan
from store.records import Item, Rejection
from store.scope import LOCAL_TZ

log = logging.getLogger(__name__)
PROCESSED = "processed"
NOTES_SUFFIX = ".notes.txt"
Ordered = tuple[tuple[datetime, str], StationFile]  # (name time, path under the folder), file


@dataclass(frozen=True, slots=True)
class Batch:
    folder: DropFolder
    scan: Scan


@dataclass(slots=True)
class _Moves:
    """What `committed` does once the run's records are stored: the files to archive (with
    their notes) and the files to refuse (with their reason)."""

    folder: DropFolder | None = None
    accepted: list[tuple[DroppedFile, list[str]]] = field(default_factory=list)
    rejected: list[tuple[DroppedFile, str]] = field(default_factory=list)


class StationFilesFeed(Feed):
    """Automatic monitoring stations' files (Circular 10/2021/TT-BTNMT) from an FTP folder.

    Each new file is read once and, after its records are stored, moved to processed/ (or to
    rejected/ with a reason). Every run republishes the stations' recent days from the files
    in processed/ and the new ones: daily observations, the daily VN_AQI, and each station's
    asset with its state and hourly VN_AQI (Decision 1459/QĐ-TCMT).
    """

    type = "station_files"
    Options = StationFilesOptions
    options: StationFilesOptions

    def __init__(self, feed_id: str, options: FeedOptions, context: FeedContext) -> None:
        super().__init__(feed_id, options, context)
        self._moves = _Moves()

    def fetch(self) -> Batch:
        opts = self.options
        if not opts.folder.is_dir():
            raise FeedMisconfigured(f"drop folder {opts.folder} does not exist")
        unknown = [s.code for s in opts.stations if s.area not in self.context.areas]
        if unknown:
            raise FeedMisconfigured(f"stations in unknown areas: {', '.join(unknown)}")
        folder = DropFolder(
            opts.folder,
            now=self.context.now,
            patterns=opts.patterns,
            stability_seconds=opts.stability_seconds,
            max_bytes=opts.max_bytes,
        )
        return Batch(folder, folder.scan())

    def normalize(self, raw: Batch) -> Iterator[Item]:
        """Read the new files (moving nothing: see `committed`), then republish."""
        self._moves = _Moves(folder=raw.folder)
        for path in raw.scan.too_large:
            yield Rejection(f"{path.name}: larger than {self.options.max_bytes:,} bytes", "")
        days: set[date] = set(self._recent_days())
        new: list[Ordered] = []
        for dropped in raw.scan.ready:
            result = self._read(dropped)
            if result is None:
                continue
            where = dropped.relative.as_posix()
            if isinstance(result, str):
                self._moves.rejected.append((dropped, result))
                yield Rejection(f"{where}: file rejected: {result}", excerpt(_head(dropped)))
                continue
            self._moves.accepted.append((dropped, list(result.checked.notes)))
            for number, reason, line in result.checked.problems:
                yield Rejection(f"{where} line {number}: {reason}", excerpt(line))
            days |= {_local_date(r.time) for r in result.checked.readings}
            new.append(((result.named, where), result))
        yield from self._publish(days, new)

    def committed(self) -> None:
        """The records are stored: archive the files read and refuse the others."""
        moves, self._moves = self._moves, _Moves()
        if moves.folder is None:
            return
        for dropped, reason in moves.rejected:
            moves.folder.reject(dropped, reason)
        for dropped, notes in moves.accepted:
            moved = moves.folder.accept(dropped, save=False)  # one write for the batch
            if notes:
                text = "\n".join(notes) + "\n"
                moved.with_name(moved.name + NOTES_SUFFIX).write_text(text, encoding="utf-8")
        if moves.accepted:
            moves.folder.save()

    # -- reading ------------------------------------------------------------------------------

    def _read(self, dropped: DroppedFile) -> StationFile | str | None:
        """The file read and checked, the reason it is refused, or None if it changed since
        the scan (it is read on the next run)."""
        try:
            data = dropped.read()
        except FeedUnavailable as error:
            log.info("feed %s: %s", self.feed_id, error)
            return None
        return read_station_file(
            dropped.path.name,
            data,
            self.options.registry(),
            landed=datetime.fromtimestamp(dropped.path.stat().st_mtime, UTC),
            tolerance=self._tolerance,
            encoding=self.options.encoding,
        )

    # -- republishing -------------------------------------------------------------------------

    def _publish(self, days: set[date], new: list[Ordered]) -> Iterator[Item]:
        """Observations of `days` and the stations' assets, from the new files and every
        archived file named within a day of them (NowCast and 8-hour O₃ look back into the
        day before). A station's state is that of its newest file."""
        registry = self.options.registry()
        archive = archived_files(self.options.folder / PROCESSED, registry, self.options.patterns)
        around = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
        last = max(around)

        def wanted(item: Archived) -> bool:
            """Named within the days; or named after them (a fast clock) yet landed within."""
            named = _local_date(item.named)
            return named in around or (named > last and _local_date(item.landed()) in around)

        found: list[Ordered] = list(new)
        for item, station_file in reread(
            archive,
            registry,
            wanted=wanted,
            tolerance=self._tolerance,
            encoding=self.options.encoding,
        ):
            found.append(((item.named, item.relative), station_file))
        found.sort(key=lambda pair: pair[0])  # later files override earlier ones
        files: dict[str, list[StationFile]] = defaultdict(list)
        for _, station_file in found:
            files[station_file.station.code].append(station_file)
        values: dict[date, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        stations = {s.code: s for s in self.options.stations}
        for code, station_files in files.items():
            view = self._view(stations[code], station_files, days, values)
            yield station_asset(view, self.context.areas)
        yield from observations(values, stations, self.context.areas)

    def _view(
        self,
        spec: StationSpec,
        found: list[StationFile],
        days: set[date],
        values: dict[date, dict[str, dict[str, float]]],
    ) -> StationView:
        merged = merge(found)
        data = hourly(as_readings(merged), spec.readings_per_hour)
        published: tuple[date, int] | None = None
        for day in sorted(days):
            for key, value in daily_values(data, day).items():
                values[day][key][spec.code] = value
            result = day_aqi(data, day)
            if result is not None:
                published = (day, result.value)
        # The file it sent last by the time its name gives, or by its arrival when the name is
        # later (a fast clock): a re-sent old file never becomes the newest.
        newest = max(found, key=lambda f: (min(f.named, f.landed), f.named))
        return StationView(
            spec=spec, newest=newest, readings=merged, hourly=data, daily_aqi=published
        )

    def _recent_days(self) -> list[date]:
        today = self.context.now().astimezone(LOCAL_TZ).date()
        return [today - timedelta(days=i) for i in range(self.options.recompute_days)]

    @property
    def _tolerance(self) -> timedelta:
        return timedelta(minutes=self.options.future_tolerance_minutes)


def _local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _head(dropped: DroppedFile) -> str:
    try:
        return dropped.path.read_bytes()[:200].decode("utf-8", errors="replace")
    except OSError:
        return ""

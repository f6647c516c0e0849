"""The station_files feed: automatic monitoring stations' text files from an FTP drop folder."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from feeds.base import Feed, FeedMisconfigured, FeedUnavailable, excerpt
from feeds.station_files.aggregate import daily_values, day_aqi, hourly
from feeds.station_files.archive import archived_files, reread
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


@dataclass(frozen=True, slots=True)
class Batch:
    folder: DropFolder
    scan: Scan


class StationFilesFeed(Feed):
    """Reads each new station file once, moves it to processed/ (or rejected/ with a reason),
    then republishes the recent days of every station from the processed/ archive: daily
    observations, daily VN_AQI and each station's asset with its state and hourly VN_AQI."""

    type = "station_files"
    Options = StationFilesOptions
    options: StationFilesOptions

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
        for path in raw.scan.too_large:
            yield Rejection(f"{path.name}: larger than {self.options.max_bytes:,} bytes", "")
        days: set[date] = set(self._recent_days())
        try:
            for dropped in raw.scan.ready:
                result = yield from self._take(raw.folder, dropped)
                if result is not None:
                    days |= {_local_date(r.time) for r in result.checked.readings}
        finally:
            raw.folder.save()
        yield from self._publish(days)

    # -- new files ----------------------------------------------------------------------------

    def _take(
        self, folder: DropFolder, dropped: DroppedFile
    ) -> Generator[Item, None, StationFile | None]:
        """Read one new file and move it; yield its rejections; return it when readable."""
        try:
            data = dropped.read()
        except FeedUnavailable as error:  # still being written: read on the next run
            log.info("feed %s: %s", self.feed_id, error)
            return None
        now = self.context.now()
        mtime = datetime.fromtimestamp(dropped.path.stat().st_mtime, UTC)
        result = read_station_file(
            dropped.path.name,
            data,
            self.options.registry(),
            landed=min(mtime, now),
            tolerance=self._tolerance,
            encoding=self.options.encoding,
        )
        where = dropped.relative.as_posix()
        if isinstance(result, str):
            folder.reject(dropped, result)
            yield Rejection(f"{where}: file rejected: {result}", excerpt(_head(data)))
            return None
        moved = folder.accept(dropped, save=False)  # saved once for the batch
        if result.checked.notes:
            notes = "\n".join(result.checked.notes) + "\n"
            moved.with_name(moved.name + NOTES_SUFFIX).write_text(notes, encoding="utf-8")
        for number, reason, line in result.checked.problems:
            yield Rejection(f"{where} line {number}: {reason}", excerpt(line))
        return result

    # -- republishing from the archive --------------------------------------------------------

    def _publish(self, days: set[date]) -> Iterator[Item]:
        """Observations of `days` and the stations' assets, from every archived file whose
        name time or arrival is within a day of them (NowCast and 8-hour O₃ look back into
        the day before). A station's state is that of its newest file."""
        registry = self.options.registry()
        archive = archived_files(self.options.folder / PROCESSED, registry, self.options.patterns)
        around = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
        files: dict[str, list[StationFile]] = defaultdict(list)
        for station_file in reread(
            archive,
            registry,
            wanted=lambda item: (
                _local_date(item.named) in around or _local_date(item.landed) in around
            ),
            tolerance=self._tolerance,
            encoding=self.options.encoding,
        ):
            files[station_file.station.code].append(station_file)
        values: dict[date, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        stations = {s.code: s for s in self.options.stations}
        for code, found in files.items():
            view = self._view(stations[code], found, days, values)
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


def _head(data: bytes) -> str:
    return data[:200].decode("utf-8", errors="replace")

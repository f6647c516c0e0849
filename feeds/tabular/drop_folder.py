"""A drop folder: files read once they stop changing, once per content, then moved aside."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feeds.base import FeedUnavailable

PROCESSED = "processed"
REJECTED = "rejected"
STATE_FILE = ".ioc-drop-state.json"
DEFAULT_PATTERNS = ("*.csv", "*.txt", "*.xlsx")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Names office tools and downloaders give files still being written.
_IN_PROGRESS_PREFIXES = ("~$", ".~lock.", ".")
_IN_PROGRESS_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", "#")


@dataclass(frozen=True, kw_only=True)
class DroppedFile:
    """A stable, new file: its path, its path under the folder, its size and SHA-256.

    The scan hashes files without keeping them; `read()` loads one at a time, so a folder
    of many large reports never sits in memory at once.
    """

    path: Path
    relative: Path
    size: int
    sha256: str

    def read(self) -> bytes:
        """The file's bytes; FeedUnavailable if they changed since the scan hashed them."""
        content = self.path.read_bytes()
        if hashlib.sha256(content).hexdigest() != self.sha256:
            raise FeedUnavailable(f"{self.relative}: changed after it was found stable")
        return content


@dataclass(frozen=True, kw_only=True)
class Scan:
    """What one look at the folder found."""

    ready: list[DroppedFile] = field(default_factory=list)  # new content, to read
    waiting: list[Path] = field(default_factory=list)  # changed within the stability window
    duplicates: list[Path] = field(default_factory=list)  # content seen before: moved to processed/
    too_large: list[Path] = field(default_factory=list)  # moved to rejected/ with a reason


class DropFolder:
    """Scan `root` and its sub-folders for files matching `patterns`.

    A file is ready when its modification time is at least `stability_seconds` old by the
    injected clock and its size and mtime are the same before and after it is hashed (a
    writer still appending changes both). Symlinks are never followed (neither to files nor to
    folders), so nothing outside the folder is read or moved. The SHA-256 of every file
    accepted is kept in a JSON state file (`STATE_FILE` in the folder unless `state_path` is
    given), written atomically, so it survives restarts. Content seen before is moved to
    processed/ (as a duplicate, with a timestamp suffix if the name is taken) without being
    returned. The caller reads each ready file and then calls `accept` or `reject`.
    """

    def __init__(
        self,
        root: Path,
        *,
        now: Callable[[], datetime],
        patterns: Sequence[str] = DEFAULT_PATTERNS,
        stability_seconds: float = 30.0,
        state_path: Path | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.root = Path(root)
        self.now = now
        self.patterns = tuple(p.casefold() for p in patterns)
        self.stability_seconds = stability_seconds
        self.state_path = state_path or self.root / STATE_FILE
        self.max_bytes = max_bytes
        self._processed: dict[str, dict[str, str]] = self._load_state()

    def seen(self, sha256: str) -> bool:
        return sha256 in self._processed

    def scan(self) -> Scan:
        scan = Scan()
        cutoff = self.now().timestamp() - self.stability_seconds
        for path in self._candidates():
            self._look_at(path, cutoff, scan)
        return scan

    def accept(self, dropped: DroppedFile, *, save: bool = True) -> Path:
        """Record the content as processed and move the file to processed/; returns where.

        With `save=False` the seen-list is written by the next `save()` instead (one write for
        a batch of small files rather than one per file)."""
        self._processed[dropped.sha256] = {
            "name": dropped.relative.as_posix(),
            "at": self.now().astimezone(UTC).isoformat(),
        }
        if save:
            self._save_state()
        return self._move(dropped.path, PROCESSED)

    def save(self) -> None:
        """Write the seen-list (after `accept(..., save=False)`)."""
        self._save_state()

    def reject(self, dropped: DroppedFile | Path, reason: str) -> Path:
        """Move the file to rejected/ with `<name>.reason.txt` beside it; returns where."""
        path = dropped.path if isinstance(dropped, DroppedFile) else dropped
        target = self._move(path, REJECTED)
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
        return target

    def _look_at(self, path: Path, cutoff: float, scan: Scan) -> None:
        before = path.lstat()
        if before.st_mtime > cutoff:
            scan.waiting.append(path)
            return
        if before.st_size > self.max_bytes:
            limit = f"{self.max_bytes:,} bytes"
            scan.too_large.append(
                self.reject(path, f"file of {before.st_size:,} bytes exceeds {limit}")
            )
            return
        with path.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
        after = path.lstat()
        if (after.st_size, after.st_mtime) != (before.st_size, before.st_mtime):
            scan.waiting.append(path)
            return
        if self.seen(digest):
            scan.duplicates.append(self._move(path, PROCESSED))
            return
        relative = path.relative_to(self.root)
        scan.ready.append(
            DroppedFile(path=path, relative=relative, size=before.st_size, sha256=digest)
        )

    def _candidates(self) -> list[Path]:
        found: list[Path] = []
        for directory, subdirs, files in os.walk(self.root, followlinks=False):
            here = Path(directory)
            if here == self.root:
                subdirs[:] = [d for d in subdirs if d not in (PROCESSED, REJECTED)]
            subdirs[:] = sorted(d for d in subdirs if not (here / d).is_symlink())
            found.extend(here / name for name in sorted(files) if self._wanted(here / name))
        return found

    def _wanted(self, path: Path) -> bool:
        name = path.name
        if name.startswith(_IN_PROGRESS_PREFIXES) or name.casefold().endswith(
            _IN_PROGRESS_SUFFIXES
        ):
            return False
        if path == self.state_path or not stat.S_ISREG(path.lstat().st_mode):
            return False  # a symlink's lstat is not a regular file: never followed
        folded = name.casefold()
        return any(fnmatch.fnmatchcase(folded, pattern) for pattern in self.patterns)

    def _move(self, path: Path, bucket: str) -> Path:
        target = self.root / bucket / path.relative_to(self.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            stamp = self.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = _free_name(target, stamp)
        os.replace(path, target)
        return target

    def _load_state(self) -> dict[str, dict[str, str]]:
        if not self.state_path.exists():
            return {}
        state = json.loads(self.state_path.read_text(encoding="utf-8"))
        return dict(state.get("processed", {}))

    def _save_state(self) -> None:
        partial = self.state_path.with_name(self.state_path.name + ".tmp")
        state = {"version": 1, "processed": self._processed}
        partial.write_text(json.dumps(state, ensure_ascii=False, indent=0), encoding="utf-8")
        os.replace(partial, self.state_path)


def _free_name(target: Path, stamp: str) -> Path:
    """`name.<stamp>.ext`, then `name.<stamp>-2.ext`... until the name is free."""
    candidate = target.with_name(f"{target.stem}.{stamp}{target.suffix}")
    counter = 2
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}.{stamp}-{counter}{target.suffix}")
        counter += 1
    return candidate

"""The local stack's Firestore data on disk.

The Firestore emulator keeps everything in memory. `nudge dev` saves it with the emulator's own
export (a REST call) every few seconds and once more when it stops, and starts the emulator with
the newest complete export imported, so a restart of the emulator, of the stack or of the machine
keeps every user, task, memory and reminder. A `kill -9` loses at most the last interval.

Layout under the data folder (`.nudge/data` by default):

    firestore/LATEST                   relative path of the newest complete export's metadata
    firestore/snapshot-<ns>/...        the newest export and the one before it
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

LATEST = "LATEST"
SNAPSHOT_PREFIX = "snapshot-"


class SnapshotError(RuntimeError):
    pass


class FirestoreData:
    def __init__(self, data_dir: Path, *, host: str, project: str, database: str = "(default)"):
        self.root = data_dir / "firestore"
        self.host = host
        self.project = project
        self.database = database

    def latest(self) -> Path | None:
        """The metadata file of the newest complete export, to import at start."""
        try:
            relative = (self.root / LATEST).read_text().strip()
        except FileNotFoundError:
            return None
        metadata = self.root / relative
        return metadata if relative and metadata.is_file() else None

    def save(self, timeout: float = 120) -> Path:
        """Export the database now; the new export becomes the latest only once complete."""
        target = self.root / f"{SNAPSHOT_PREFIX}{time.time_ns()}"
        target.mkdir(parents=True)
        try:
            self._export(target, timeout)
            metadata = next(target.glob("*/*.overall_export_metadata"), None)
            if metadata is None:
                raise SnapshotError(f"the export left no metadata file in {target}")
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        previous = self.latest()
        pointer = self.root / f"{LATEST}.tmp"
        pointer.write_text(str(metadata.relative_to(self.root)) + "\n")
        os.replace(pointer, self.root / LATEST)  # atomic: a crash leaves the old or the new
        self._prune(keep={target, *([previous.parent.parent] if previous else [])})
        return metadata

    def move_aside(self) -> Path | None:
        """For `--fresh`: keep the old data next to the folder (replacing an older copy)."""
        if not self.root.exists():
            return None
        aside = self.root.with_name(self.root.name + "-before-fresh")
        shutil.rmtree(aside, ignore_errors=True)
        self.root.rename(aside)
        return aside

    def _export(self, target: Path, timeout: float) -> None:
        database = f"projects/{self.project}/databases/{self.database}"
        request = urllib.request.Request(
            f"http://{self.host}/emulator/v1/projects/{self.project}:export",
            data=json.dumps({"database": database, "export_directory": str(target)}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise SnapshotError(f"export failed: HTTP {exc.code} {detail}") from None

    def _prune(self, keep: set[Path]) -> None:
        for path in self.root.glob(f"{SNAPSHOT_PREFIX}*"):
            if path not in keep:
                with contextlib.suppress(OSError):
                    shutil.rmtree(path)


class PeriodicSnapshots(threading.Thread):
    """Saves the data every `every` seconds while Firestore is up and the stack is busy.

    An export costs about 1.5 s and 37 MB for 5,000 memories, so a quiet stack is saved only
    every `idle_every` seconds: `active()` says whether the functions did anything lately."""

    def __init__(
        self,
        data: FirestoreData,
        every: float,
        *,
        is_up: Callable[[], bool],
        on_error: Callable[[str], None],
        active: Callable[[], bool] = lambda: True,
        idle_every: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name="firestore-snapshots", daemon=True)
        self.data = data
        self.every = max(every, 0.5)
        self.is_up = is_up
        self.on_error = on_error
        self.active = active
        self.idle_every = idle_every
        self.clock = clock
        self.last_saved = clock()
        self._stopping = threading.Event()
        self._failing = False

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join()

    def due(self) -> bool:
        if not self.is_up():
            return False
        return self.active() or self.clock() - self.last_saved >= self.idle_every

    def run(self) -> None:
        while not self._stopping.wait(self.every):
            if not self.due():
                continue
            try:
                self.data.save()
                self.last_saved = self.clock()
                self._failing = False
            except (OSError, SnapshotError) as exc:
                # While the emulator restarts a save may fail: that is the supervisor's news.
                if self.is_up() and not self._failing:
                    self.on_error(f"could not save the Firestore data: {exc}")
                self._failing = True

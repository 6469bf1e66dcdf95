"""The local stand-in for Cloud Scheduler: fires the jobs declared in `infra/cron_jobs.json`.

Terraform decodes the same file into `google_cloud_scheduler_job` resources, so the local
runner and the cloud can never disagree on what runs when.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from emulators.stack import INFRA_DIR, STATE_DIR
from nudge.queue.client import TASK_SECRET_HEADER

CRON_JOBS_FILE = INFRA_DIR / "cron_jobs.json"

log = logging.getLogger("nudge.cron")


class CronJob(BaseModel):
    name: str
    schedule: str
    time_zone: str = "Etc/UTC"
    function: str
    path: str = ""
    body: dict[str, Any] = Field(default_factory=dict)
    description: str = ""


def load_jobs(path: Path = CRON_JOBS_FILE) -> list[CronJob]:
    table = json.loads(path.read_text())
    return [CronJob(name=name, **spec) for name, spec in sorted(table.items())]


def is_recovery_job(job: CronJob) -> bool:
    """Jobs that re-drive work a lost task or an outage left behind (the reminder catch-up and
    any sweep): the local stack also fires them when it starts and after an emulator restart."""
    return "catch-up" in job.name or "sweep" in job.name


def next_fire_time(job: CronJob, after: datetime) -> datetime:
    from croniter import croniter

    local_after = after.astimezone(ZoneInfo(job.time_zone))
    return croniter(job.schedule, local_after).get_next(datetime).astimezone(UTC)


def fire(
    job: CronJob,
    *,
    urls: Mapping[str, str],
    secret: str,
    scheduled_for: datetime | None = None,
    timeout: float = 60,
) -> int:
    """POST the job's body to its function as Cloud Scheduler would; returns the HTTP status."""
    scheduled_for = scheduled_for or datetime.now(UTC)
    url = urls[job.function].rstrip("/") + job.path
    request = urllib.request.Request(
        url,
        data=json.dumps(job.body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Google-Cloud-Scheduler",
            "X-CloudScheduler": "true",
            "X-CloudScheduler-JobName": job.name,
            "X-CloudScheduler-ScheduleTime": scheduled_for.isoformat(),
            TASK_SECRET_HEADER: secret,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Trigger(StrEnum):
    schedule = "schedule"  # its cron time came
    recovery = "recovery"  # fired at once after a start or an emulator restart
    manual = "manual"  # `nudge cron run JOB`


class CronRun(BaseModel):
    """The last firing of one job: when, what it answered (0: its function was unreachable)."""

    job: str
    fired_at: datetime
    scheduled_for: datetime
    status: int
    seconds: float
    trigger: Trigger


_RUNS = TypeAdapter(dict[str, CronRun])


def cron_runs_file(port_offset: int = 0) -> Path:
    """Where a stack keeps its jobs' last runs: `.nudge/cron-runs.json`, or
    `.nudge/cron-runs-N.json` for the stack started with --port-offset N."""
    return STATE_DIR / ("cron-runs.json" if port_offset == 0 else f"cron-runs-{port_offset}.json")


class CronRunLog:
    """The last run of each job, in a small JSON file (Cloud Scheduler keeps this itself; the
    local runner and `nudge cron run` write it, `nudge status` reads it).

    Writes take an exclusive lock on a side file and replace the file whole, so the runner's
    threads and a `nudge cron run` in another process never interleave or leave half a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, CronRun]:
        try:
            return _RUNS.validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except ValidationError:
            log.warning("cron run log %s is unreadable; starting it over", self.path)
            return {}

    def record(self, run: CronRun) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            runs = self.read() | {run.job: run}
            temporary = self.path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            temporary.write_bytes(_RUNS.dump_json(runs, indent=2))
            os.replace(temporary, self.path)


def fire_and_record(
    job: CronJob,
    *,
    urls: Mapping[str, str],
    secret: str,
    runs: CronRunLog | None,
    trigger: Trigger,
    scheduled_for: datetime | None = None,
) -> int:
    """`fire`, with the run written to `runs`; an unreachable function is status 0."""
    fired_at = datetime.now(UTC)
    started = time.monotonic()
    try:
        status = fire(job, urls=urls, secret=secret, scheduled_for=scheduled_for or fired_at)
    except OSError as exc:
        log.warning("cron job %s could not reach %s: %s", job.name, job.function, exc)
        status = 0
    if runs is not None:
        run = CronRun(
            job=job.name,
            fired_at=fired_at,
            scheduled_for=scheduled_for or fired_at,
            status=status,
            seconds=round(time.monotonic() - started, 3),
            trigger=trigger,
        )
        with contextlib.suppress(OSError):  # a full disk must not stop the jobs themselves
            runs.record(run)
    return status


class CronRunner(threading.Thread):
    """Fires each job at its next time, one daemon thread per firing so none blocks another."""

    def __init__(
        self,
        jobs: list[CronJob],
        *,
        urls: Mapping[str, str],
        secret: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        runs: CronRunLog | None = None,
    ) -> None:
        super().__init__(name="cron-runner", daemon=True)
        self.jobs = jobs
        self.urls = urls
        self.secret = secret
        self.clock = clock
        self.runs = runs
        self._stopping = threading.Event()
        self.fired: list[tuple[str, datetime, int]] = []

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        if not self.jobs:
            return
        now = self.clock()
        upcoming = {job.name: next_fire_time(job, now) for job in self.jobs}
        by_name = {job.name: job for job in self.jobs}
        while not self._stopping.is_set():
            now = self.clock()
            for name, due in list(upcoming.items()):
                if due <= now:
                    threading.Thread(
                        target=self._fire, args=(by_name[name], due, Trigger.schedule), daemon=True
                    ).start()
                    upcoming[name] = next_fire_time(by_name[name], due)
            wait = (min(upcoming.values()) - self.clock()).total_seconds()
            self._stopping.wait(timeout=min(max(wait, 0.05), 1.0))

    def fire_now(self, names: list[str]) -> list[str]:
        """Fire these jobs at once, off schedule (each in its own thread); returns their names."""
        now = self.clock()
        by_name = {job.name: job for job in self.jobs}
        fired = [name for name in names if name in by_name]
        for name in fired:
            threading.Thread(
                target=self._fire, args=(by_name[name], now, Trigger.recovery), daemon=True
            ).start()
        return fired

    def recovery_job_names(self) -> list[str]:
        return [job.name for job in self.jobs if is_recovery_job(job)]

    def _fire(self, job: CronJob, due: datetime, trigger: Trigger) -> None:
        status = fire_and_record(
            job, urls=self.urls, secret=self.secret, runs=self.runs, trigger=trigger,
            scheduled_for=due,
        )  # fmt: skip
        self.fired.append((job.name, due, status))
        log.info("cron job %s -> %s", job.name, status)

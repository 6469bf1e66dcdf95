"""The local stand-in for Cloud Scheduler: fires the jobs declared in `infra/cron_jobs.json`.

Terraform decodes the same file into `google_cloud_scheduler_job` resources, so the local
runner and the cloud can never disagree on what runs when.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from emulators.stack import INFRA_DIR
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


class CronRunner(threading.Thread):
    """Fires each job at its next time, one daemon thread per firing so none blocks another."""

    def __init__(
        self,
        jobs: list[CronJob],
        *,
        urls: Mapping[str, str],
        secret: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(name="cron-runner", daemon=True)
        self.jobs = jobs
        self.urls = urls
        self.secret = secret
        self.clock = clock
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
                        target=self._fire, args=(by_name[name], due), daemon=True
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
            threading.Thread(target=self._fire, args=(by_name[name], now), daemon=True).start()
        return fired

    def recovery_job_names(self) -> list[str]:
        return [job.name for job in self.jobs if is_recovery_job(job)]

    def _fire(self, job: CronJob, due: datetime) -> None:
        try:
            status = fire(job, urls=self.urls, secret=self.secret, scheduled_for=due)
        except OSError as exc:
            log.warning("cron job %s could not reach %s: %s", job.name, job.function, exc)
            status = 0
        self.fired.append((job.name, due, status))
        log.info("cron job %s -> %s", job.name, status)

"""`nudge status`: how the local stack is doing, as one pydantic report.

Each part is probed on its own with a short timeout, so a stopped function or emulator is
reported as down and the rest is still read: every function's port (emulators/functions.toml)
answering HTTP, the two emulators, the depth of each Cloud Tasks queue (ListTasks), each cron
job's last run (the local runner's `.nudge/cron-runs*.json`), the number of users, and today's
reminders (each person's own day, in their timezone).
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import BaseModel, computed_field

from emulators.cron import CronRun, CronRunLog, load_jobs
from nudge.models import OccurrenceStatus, UserStatus
from nudge.settings import Settings

if TYPE_CHECKING:
    from nudge.store import Store

# Generous: on a busy laptop a function's first request (its lazy imports) takes seconds.
PROBE_TIMEOUT = 5.0


class Probe(BaseModel):
    """One address: does it answer, how fast, and what it said (or why not)."""

    name: str
    address: str
    up: bool
    latency_ms: float | None = None
    detail: str = ""


class QueueDepth(BaseModel):
    queue: str
    waiting: int
    due_now: int
    later: int
    next_at: datetime | None = None


class CronJobStatus(BaseModel):
    job: str
    schedule: str
    function: str
    last_run: CronRun | None = None


class RemindersToday(BaseModel):
    """Occurrences due today in each person's own timezone, by how far they got."""

    sent: int = 0  # went out (answered or not)
    acknowledged: int = 0
    snoozed: int = 0
    missed: int = 0  # not sent in time (the stack was down)
    to_come: int = 0  # still scheduled


class StackStatus(BaseModel):
    checked_at: datetime
    emulators: list[Probe]
    functions: list[Probe]
    queues: list[QueueDepth] | None = None
    queues_error: str | None = None
    cron: list[CronJobStatus]
    users: int | None = None
    opted_out: int | None = None
    reminders_today: RemindersToday | None = None
    data_error: str | None = None

    @computed_field
    @property
    def ok(self) -> bool:
        return all(p.up for p in self.emulators + self.functions)


@dataclass
class StatusTargets:
    """What to look at: the stack's settings (Firestore and Cloud Tasks hosts, project,
    queues), every function's URL, and the cron run log."""

    settings: Settings
    function_urls: Mapping[str, str]
    cron_runs: CronRunLog


def local_targets(port_offset: int = 0) -> StatusTargets:
    """The local stack started with this port offset (`nudge dev --port-offset`)."""
    from emulators.cron import cron_runs_file
    from emulators.dev import build_env, local_ports
    from emulators.stack import function_urls

    os.environ.update(build_env(port_offset))
    _, _, ports = local_ports(port_offset)
    return StatusTargets(
        settings=Settings(),
        function_urls=function_urls(ports),
        cron_runs=CronRunLog(cron_runs_file(port_offset)),
    )


def _timed(name: str, address: str, check) -> Probe:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # any failure is "down": say which in a few words
        reason = getattr(exc, "reason", None) or exc
        return Probe(name=name, address=address, up=False, detail=_plain(reason))
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return Probe(name=name, address=address, up=True, latency_ms=elapsed, detail=detail)


def _plain(reason: object) -> str:
    text = str(reason)
    if "Connection refused" in text or "ECONNREFUSED" in text:
        return "not running (connection refused)"
    if "timed out" in text.lower() or "deadline" in text.lower():
        return f"no answer within {PROBE_TIMEOUT:g} s (busy or hung)"
    return (type(reason).__name__ + ": " + text)[:160]


def probe_http(name: str, url: str) -> Probe:
    """Up if anything answers HTTP at `url`: a function answers GET with its own status."""

    def check() -> str:
        try:
            with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as response:  # noqa: S310
                return f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:  # an answer all the same
            return f"HTTP {exc.code}"

    return _timed(name, url, check)


def probe_tasks(settings: Settings) -> Probe:
    from nudge.queue.client import make_tasks_client

    def check() -> str:
        client = make_tasks_client(settings)
        parent = f"projects/{settings.project_id}/locations/{settings.region}"
        queues = list(client.list_queues(parent=parent, retry=None, timeout=PROBE_TIMEOUT))
        return f"{len(queues)} queue(s)"

    return _timed("Cloud Tasks emulator", settings.cloud_tasks_emulator_host or "", check)


def queue_depths(settings: Settings, now: datetime) -> list[QueueDepth]:
    from nudge.queue.client import TaskQueue

    queue = TaskQueue(settings)
    depths = []
    for name in settings.queues.model_dump().values():
        tasks = list(
            queue.client.list_tasks(
                parent=queue.queue_path(name), retry=None, timeout=PROBE_TIMEOUT
            )
        )
        times = [t.schedule_time for t in tasks if t.schedule_time]
        due = sum(1 for at in times if at <= now) + sum(1 for t in tasks if not t.schedule_time)
        upcoming = sorted(at for at in times if at > now)
        depths.append(
            QueueDepth(
                queue=name,
                waiting=len(tasks),
                due_now=due,
                later=len(upcoming),
                next_at=upcoming[0] if upcoming else None,
            )
        )
    return depths


def cron_status(runs: CronRunLog) -> list[CronJobStatus]:
    last = runs.read()
    return [
        CronJobStatus(
            job=job.name, schedule=job.schedule, function=job.function, last_run=last.get(job.name)
        )
        for job in load_jobs()
    ]


def reminders_today(
    store: Store, user_ids: list[str], now: datetime, default_timezone: str
) -> RemindersToday:
    """Per person: their occurrences due between their local midnight and the next."""
    from nudge.insights.week import local_midnight

    today = RemindersToday()
    for user_id in user_ids:
        user = store.users.get(user_id)
        if user is None:
            continue
        zone = ZoneInfo(user.timezone or default_timezone)
        day = now.astimezone(zone).date()
        start, end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
        found = store.occurrences.list(
            user_id, where=[("due_at", ">=", start), ("due_at", "<", end)]
        )
        for occurrence in found:
            today.sent += occurrence.sent_at is not None
            today.acknowledged += occurrence.status == OccurrenceStatus.acknowledged
            today.snoozed += occurrence.status == OccurrenceStatus.snoozed
            today.missed += occurrence.status == OccurrenceStatus.missed
            today.to_come += occurrence.status == OccurrenceStatus.scheduled
    return today


def collect_status(targets: StatusTargets, *, now: datetime | None = None) -> StackStatus:
    now = now or datetime.now(UTC)
    settings = targets.settings
    firestore_url = f"http://{settings.firestore_emulator_host}/"
    with ThreadPoolExecutor(max_workers=8) as pool:
        firestore = pool.submit(probe_http, "Firestore emulator", firestore_url)
        tasks = pool.submit(probe_tasks, settings)
        functions = [
            pool.submit(probe_http, name, url.rstrip("/") + "/")
            for name, url in sorted(targets.function_urls.items())
        ]
        emulators = [firestore.result(), tasks.result()]
        status = StackStatus(
            checked_at=now,
            emulators=emulators,
            functions=[f.result() for f in functions],
            cron=cron_status(targets.cron_runs),
        )
    if emulators[1].up:
        try:
            status.queues = queue_depths(settings, now)
        except Exception as exc:  # a queue the stack has not created yet, an emulator that died
            status.queues_error = _plain(exc)
    else:
        status.queues_error = "the Cloud Tasks emulator is down"
    if emulators[0].up:
        try:
            _read_people(status, settings, now)
        except Exception as exc:
            status.data_error = _plain(exc)
    else:
        status.data_error = "the Firestore emulator is down"
    return status


def _read_people(status: StackStatus, settings: Settings, now: datetime) -> None:
    from nudge.store import Store
    from nudge.store.client import make_firestore_client

    store = Store(make_firestore_client(settings))
    user_ids = store.users.list_ids()
    status.users = len(user_ids)
    status.opted_out = len(store.users.list_ids(status=UserStatus.opted_out))
    status.reminders_today = reminders_today(store, user_ids, now, settings.default_timezone)

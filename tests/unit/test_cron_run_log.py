"""The local cron runner's record of each job's last run (read by `nudge status`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from emulators.cron import CronRun, CronRunLog, Trigger, cron_runs_file
from emulators.stack import STATE_DIR


def run(job: str, status: int = 200, minutes: int = 0) -> CronRun:
    at = datetime(2026, 12, 1, 12, tzinfo=UTC) + timedelta(minutes=minutes)
    return CronRun(job=job, fired_at=at, scheduled_for=at, status=status, seconds=0.1,
                   trigger=Trigger.schedule)  # fmt: skip


def test_each_job_keeps_only_its_last_run(tmp_path):
    log = CronRunLog(tmp_path / "runs.json")
    assert log.read() == {}
    log.record(run("sweep", 200, minutes=0))
    log.record(run("sweep", 503, minutes=1))
    log.record(run("tick", 200))
    assert {name: r.status for name, r in log.read().items()} == {"sweep": 503, "tick": 200}


def test_writers_in_many_threads_lose_no_job(tmp_path):
    log = CronRunLog(tmp_path / "runs.json")
    threads = [threading.Thread(target=log.record, args=(run(f"job-{i}"),)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(log.read()) == sorted(f"job-{i}" for i in range(24))
    assert not list(tmp_path.glob("*.tmp"))


def test_an_unreadable_file_starts_over(tmp_path):
    path = tmp_path / "runs.json"
    path.write_text("{not json")
    log = CronRunLog(path)
    assert log.read() == {}
    log.record(run("sweep"))
    assert list(log.read()) == ["sweep"]


def test_each_stack_has_its_own_file():
    assert cron_runs_file(0) == STATE_DIR / "cron-runs.json"
    assert cron_runs_file(2300) == STATE_DIR / "cron-runs-2300.json"

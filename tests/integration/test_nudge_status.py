"""`nudge status` against the real emulators: a served function is up, a stopped one is down
(reported, not a crash), queue depths come from ListTasks, cron runs from the runner's log,
and today's reminders are counted in each person's own day."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emulators import stack
from emulators.cron import CronRunLog, CronRunner, Trigger, fire_and_record, load_jobs
from emulators.status import StackStatus, StatusTargets, collect_status
from nudge.cli import main
from nudge.cli.status import format_status
from nudge.insights.week import local_midnight
from nudge.models import OccurrenceStatus, ReminderOccurrence, User, UserStatus
from tests.support.serving import serve_function

HEALTH_SOURCE = stack.FUNCTIONS_DIR / "health" / "main.py"


def occurrence(user, text, due_at, status, sent=True):
    return ReminderOccurrence(
        user_id=user.id, reminder_id=f"r-{text}", text=text, due_at=due_at, slot_at=due_at,
        status=status, sent_at=due_at if sent else None,
    )  # fmt: skip


def wait_for(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_status_reports_what_is_up_what_is_down_and_what_is_waiting(
    settings, store, task_queue, tmp_path
):
    now = datetime.now(UTC)
    queues = settings.queues
    for minutes in (60, 120):
        task_queue.enqueue(queues.reminders, "reminders", {"n": minutes},
                           schedule_time=now + timedelta(minutes=minutes))  # fmt: skip
    task_queue.enqueue(queues.agent_turns, "agent_turn", {"n": 1},
                       schedule_time=now + timedelta(minutes=30))  # fmt: skip

    sam = store.users.create(User(phone="+15555550150", timezone="America/New_York"))
    kiri = store.users.create(User(phone="+15555550151", timezone="Pacific/Kiritimati"))
    store.users.create(User(phone="+15555550152", status=UserStatus.opted_out))
    ny, ki = ZoneInfo("America/New_York"), ZoneInfo("Pacific/Kiritimati")
    sam_day = local_midnight(now.astimezone(ny).date(), ny)
    kiri_day = local_midnight(now.astimezone(ki).date(), ki)
    for item in (
        occurrence(sam, "pills", sam_day + timedelta(hours=8), OccurrenceStatus.acknowledged),
        occurrence(sam, "water", sam_day + timedelta(hours=9), OccurrenceStatus.snoozed),
        occurrence(sam, "call", sam_day + timedelta(hours=10), OccurrenceStatus.sent),
        occurrence(sam, "bins", sam_day + timedelta(hours=7), OccurrenceStatus.missed, sent=False),
        occurrence(sam, "gym", sam_day + timedelta(hours=23), OccurrenceStatus.scheduled, False),
        occurrence(sam, "yesterday", sam_day - timedelta(hours=1), OccurrenceStatus.acknowledged),
        occurrence(kiri, "walk", kiri_day + timedelta(hours=6), OccurrenceStatus.acknowledged),
        occurrence(
            kiri, "their yesterday", kiri_day - timedelta(minutes=5), OccurrenceStatus.sent
        ),  # fmt: skip
    ):
        store.occurrences.add(item.user_id, item)

    runs = CronRunLog(tmp_path / "cron-runs.json")
    down_url = f"http://127.0.0.1:{stack.free_port()}"
    with serve_function("health", HEALTH_SOURCE) as health_url:
        secret = settings.task_secret.get_secret_value()
        # The stack fires the recovery jobs at start; a person fires one by hand.
        runner = CronRunner(load_jobs(), urls={"agent_turn": health_url}, secret=secret, runs=runs)
        assert runner.fire_now(["unanswered-sweep"]) == ["unanswered-sweep"]
        wait_for(lambda: "unanswered-sweep" in runs.read())
        jobs = {job.name: job for job in load_jobs()}
        assert fire_and_record(jobs["reminder-catch-up"], urls={"reminders": down_url},
                               secret=secret, runs=runs, trigger=Trigger.manual) == 0  # fmt: skip

        targets = StatusTargets(
            settings=settings,
            function_urls={"health": health_url, "reminders": down_url},
            cron_runs=runs,
        )
        status = collect_status(targets, now=now)

    assert [(p.name, p.up) for p in status.emulators] == [
        ("Firestore emulator", True),
        ("Cloud Tasks emulator", True),
    ]
    functions = {p.name: p for p in status.functions}
    assert functions["health"].up and functions["health"].detail == "HTTP 200"
    assert not functions["reminders"].up
    assert functions["reminders"].detail == "not running (connection refused)"
    assert status.ok is False

    depths = {d.queue: (d.waiting, d.due_now, d.later) for d in status.queues}
    assert depths == {
        queues.agent_turns: (1, 0, 1),
        queues.reminders: (2, 0, 2),
        queues.memory: (0, 0, 0),
        queues.integrations: (0, 0, 0),
    }
    reminders_queue = next(d for d in status.queues if d.queue == queues.reminders)
    assert abs((reminders_queue.next_at - (now + timedelta(minutes=60))).total_seconds()) < 1

    cron = {job.job: job.last_run for job in status.cron}
    assert set(cron) == {job.name for job in load_jobs()}
    sweep = cron["unanswered-sweep"]
    assert (sweep.status, sweep.trigger) == (200, Trigger.recovery)
    catch_up = cron["reminder-catch-up"]
    assert (catch_up.status, catch_up.trigger) == (0, Trigger.manual)
    assert cron["memory-nightly"] is None

    assert (status.users, status.opted_out) == (3, 1)
    today = status.reminders_today
    assert today.model_dump() == {
        "sent": 4, "acknowledged": 2, "snoozed": 1, "missed": 1, "to_come": 1,
    }  # fmt: skip

    text = format_status(status)
    assert text.startswith("Nudge local stack: SOMETHING IS DOWN, checked ")
    assert f"reminders            {down_url}/" in text
    assert "DOWN: not running (connection refused)" in text
    assert f"  {queues.reminders:<16}    2  (0 due now, 2 later; next " in text
    assert "unanswered-sweep" in text and ": HTTP 200 in " in text
    assert "recovery)" in text and "function not running" in text
    assert "memory-nightly    30 3 * * *" in text and "never run by this stack" in text
    assert "Users: 3 (1 opted out)" in text
    assert (
        "Reminders today (each person's own day): 4 sent (2 answered done, 1 snoozed), "
        "1 missed, 1 still to come"
    ) in text
    assert StackStatus.model_validate_json(status.model_dump_json()) == status


def free_offset() -> int:
    """A port offset at which no part of a local stack is listening (below the ephemeral
    range, where the tests' own free ports come from)."""
    from emulators.dev import local_ports

    for offset in range(21000, 30000, 137):
        firestore, tasks, functions = local_ports(offset)
        if not any(stack.port_in_use(p) for p in (firestore, tasks, *functions.values())):
            return offset
    raise AssertionError("no free port offset")


@pytest.mark.parametrize("as_json", [False, True])
def test_nudge_status_with_nothing_running_reports_all_down_and_exits_1(capsys, as_json):
    offset = free_offset()
    argv = ["status", "--port-offset", str(offset)] + (["--json"] if as_json else [])
    started = time.monotonic()
    assert main(argv) == 1
    assert time.monotonic() - started < 15  # short probes, no client retrying for a minute
    out = capsys.readouterr().out
    functions = stack.discover_functions()
    if as_json:
        report = json.loads(out)
        assert report["ok"] is False
        assert {p["name"] for p in report["functions"]} == set(functions)
        assert not any(p["up"] for p in report["functions"] + report["emulators"])
        assert report["queues"] is None and report["users"] is None
        assert report["data_error"] == "the Firestore emulator is down"
    else:
        assert f"(port offset {offset}): SOMETHING IS DOWN" in out
        assert out.count("DOWN: not running (connection refused)") == len(functions) + 2
        assert "unknown: the Cloud Tasks emulator is down" in out
        assert "Users and reminders: unknown (the Firestore emulator is down)" in out

"""A reminder fired by the real Cloud Tasks emulator at its time, through the served function."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from emulators import stack
from nudge.models import OccurrenceStatus, User
from tests.conftest import clear_caches
from tests.support.serving import serve_function


@pytest.fixture
def reminders_url(task_queue):
    with serve_function("reminders", stack.FUNCTIONS_DIR / "reminders" / "main.py") as url:
        clear_caches()
        yield url


def test_a_reminder_arrives_at_its_second_through_the_queue(reminders_url, store, settings):
    from nudge.queue.client import default_task_queue
    from nudge.reminders.engine import ReminderDeps, create_reminder
    from nudge.sms.senders import default_sender

    deps = ReminderDeps(
        store=store, queue=default_task_queue(), sender=default_sender(), settings=settings
    )
    user = store.users.create(User(phone="+15555550100", name="Sam", timezone="Etc/UTC"))
    store.users.save_settings(
        user.id,
        store.users.get_settings(user.id).model_copy(
            update={
                "quiet_hours_start": datetime.min.time(),
                "quiet_hours_end": datetime.min.time(),
            }
        ),
    )  # no quiet hours: this must fire whatever the hour
    due = datetime.now(UTC) + timedelta(seconds=2)
    occ = create_reminder(
        deps, user, text="drink water", due_at=due, rrule=None, now=datetime.now(UTC)
    ).occurrence
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        current = store.occurrences.require(user.id, occ.id)
        if current.status == OccurrenceStatus.sent:
            break
        time.sleep(0.1)
    assert current.status == OccurrenceStatus.sent
    lateness = (current.sent_at - due).total_seconds()
    assert 0 <= lateness < 5
    bodies = [d.get("body") for d in store.db.collection("local_outbox").stream()]
    assert bodies == ["Reminder: drink water\nReply done, snooze 15, or skip."]


def test_the_cron_catch_up_call_is_accepted(reminders_url, settings):
    from emulators.cron import fire, load_jobs

    jobs = {job.name: job for job in load_jobs()}
    status = fire(
        jobs["reminder-catch-up"],
        urls={"reminders": reminders_url},
        secret=settings.task_secret.get_secret_value(),
    )
    assert status == 200

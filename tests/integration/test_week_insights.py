"""A person's week from the real Firestore emulator: tasks completed at known local times, and
reminders answered, snoozed, skipped, left and missed through the real reminder engine.

The clock (time-machine) only travels forward, since gRPC keeps its deadlines on the real
clock: each week is the first one ahead of today with no DST change in it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nudge.insights import compute_week, render_week
from nudge.insights.models import PartOfDay
from nudge.models import OccurrenceStatus, Task, TaskStatus, User
from nudge.reminders import engine
from nudge.reminders.engine import FireResult, ReminderDeps
from nudge.sms.senders import LocalOutbox

NEW_YORK = ZoneInfo("America/New_York")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14 all year


def dst_free_week(zone: ZoneInfo) -> date:
    """The first day of the first 7-day week starting at least two days from now whose UTC
    offset never changes (from the day before it to the day after)."""
    first = (datetime.now(UTC) + timedelta(days=2)).astimezone(zone).date()
    while True:
        offsets = {
            datetime(d.year, d.month, d.day, 12, tzinfo=zone).utcoffset()
            for d in (first + timedelta(days=i) for i in range(-1, 9))
        }
        if len(offsets) == 1:
            return first
        first += timedelta(days=1)


def at(zone: ZoneInfo, first: date, day: int, hour: int, minute: int = 0) -> datetime:
    """Local wall time on day `day` of the week (0 is its first day), in UTC."""
    d = first + timedelta(days=day)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=zone).astimezone(UTC)


@pytest.fixture
def deps(store, settings, task_queue):
    sender = LocalOutbox(store.db)
    return ReminderDeps(store=store, queue=task_queue, sender=sender, settings=settings)


def done_task(store, user, title: str, completed_at: datetime) -> None:
    store.tasks.add(user.id, Task(title=title, status=TaskStatus.done, completed_at=completed_at))


def test_a_week_in_new_york_from_tasks_and_the_reminder_engine(store, deps):
    first = dst_free_week(NEW_YORK)
    ny = lambda day, hour, minute=0: at(NEW_YORK, first, day, hour, minute)  # noqa: E731
    user = store.users.create(User(phone="+15555550140", name="Sam", timezone="America/New_York"))

    done_task(store, user, "pay rent", ny(0, 8, 15))  # morning, day 0
    done_task(store, user, "call mom", ny(1, 9, 0))  # morning, day 1
    done_task(store, user, "laundry", ny(1, 13, 30))  # afternoon
    done_task(store, user, "email landlord", ny(1, 22, 45))  # night
    done_task(store, user, "dishes", ny(3, 18, 0))  # evening, day 3
    done_task(store, user, "stretch", ny(6, 0, 30))  # night (after midnight): day 6
    done_task(store, user, "plan week", ny(6, 20, 0))  # evening: the next UTC day, still day 6
    done_task(store, user, "before the week", ny(-1, 23, 0))  # day -1 local, day 0 in UTC
    store.tasks.add(user.id, Task(title="still open"))

    with time_machine.travel(ny(0, 7, 0), tick=True) as clock:

        def reminder(text: str, due: datetime):
            return engine.create_reminder(
                deps, user, text=text, due_at=due, rrule=None, now=datetime.now(UTC)
            ).occurrence

        def fire(occ, when: datetime) -> None:
            clock.move_to(when)
            assert (
                engine.fire(
                    deps, user_id=user.id, occurrence_id=occ.id, version=occ.version, now=when
                )
                == FireResult.sent
            )

        pills = reminder("pills", ny(1, 8))
        water = reminder("water plants", ny(2, 15))
        stretch = reminder("stretch", ny(4, 19))
        fire(pills, ny(1, 8))
        clock.move_to(ny(1, 8, 10))
        assert engine.acknowledge(deps, store.occurrences.require(user.id, pills.id)).ok
        fire(water, ny(2, 15))
        snoozed = engine.snooze(deps, user, store.occurrences.require(user.id, water.id), 10,
                                ny(2, 15, 1))  # fmt: skip
        again = store.occurrences.require(user.id, snoozed.occurrence_id)
        fire(again, ny(2, 15, 11))
        clock.move_to(ny(2, 15, 20))
        # Answered in the afternoon.
        assert engine.acknowledge(deps, store.occurrences.require(user.id, again.id)).ok
        lost = reminder("bins", ny(3, 7))
        clock.move_to(ny(3, 9))  # the stack was down: more than 20 minutes late is missed
        assert engine.catch_up(deps, ny(3, 9)).missed == 1
        fire(stretch, ny(4, 19))
        clock.move_to(ny(4, 21, 30))  # night
        assert engine.acknowledge(deps, store.occurrences.require(user.id, stretch.id)).ok
        skipped = reminder("gym", ny(5, 7))
        fire(skipped, ny(5, 7))
        assert engine.skip(deps, store.occurrences.require(user.id, skipped.id), ny(5, 7, 5)).ok
        left = reminder("water the garden", ny(5, 18))
        fire(left, ny(5, 18))  # no answer: stays sent
        cancelled = reminder("dentist", ny(6, 10))
        assert engine.cancel_reminder(deps, user.id, cancelled.reminder_id).ok
        reminder("tomorrow's thing", ny(7, 9))  # after the week

        week = compute_week(store, user.id, now=ny(6, 21), default_timezone="Etc/UTC")

    assert store.occurrences.require(user.id, lost.id).status == OccurrenceStatus.missed
    assert week.timezone == "America/New_York"
    assert [d.day for d in week.days] == [first + timedelta(days=i) for i in range(7)]
    assert [d.count for d in week.days] == [1, 3, 0, 1, 0, 0, 2]
    assert week.days[1].titles == ["call mom", "laundry", "email landlord"]
    assert week.days[6].titles == ["stretch", "plan week"]
    assert week.tasks_done == 7
    assert week.reminders.model_dump() == {
        "acknowledged": 3, "snoozed": 1, "skipped": 1, "no_reply": 1, "missed": 1, "total": 7,
    }  # fmt: skip
    parts = {p.part: (p.tasks, p.reminders) for p in week.parts_of_day}
    assert parts == {
        PartOfDay.morning: (2, 1),  # pay rent, call mom; pills acknowledged at 8:10
        PartOfDay.afternoon: (1, 1),  # laundry; water plants acknowledged at 15:20
        PartOfDay.evening: (2, 0),  # dishes, plan week
        PartOfDay.night: (2, 1),  # email landlord, stretch at 0:30; stretch reminder at 21:30
    }
    # The page shows the same numbers.
    html = render_week(week)
    assert "3 things done on " + (first + timedelta(days=1)).strftime("%A") in html
    assert "7 reminders these 7 days: 3 answered done; 1 asked to come back later" in html


def test_a_week_fourteen_hours_ahead_of_utc_counts_its_own_days(store):
    first = dst_free_week(KIRITIMATI)
    kiri = lambda day, hour, minute=0: at(KIRITIMATI, first, day, hour, minute)  # noqa: E731
    user = store.users.create(User(phone="+15555550141", timezone="Pacific/Kiritimati"))
    # 07:00 on day 0 there is 17:00 UTC the day before; 23:30 on day 2 is 09:30 UTC that day.
    done_task(store, user, "morning walk", kiri(0, 7))
    done_task(store, user, "late reading", kiri(2, 23, 30))
    done_task(store, user, "early call", kiri(2, 3, 0))
    done_task(store, user, "day before the week", kiri(-1, 23, 59))
    done_task(store, user, "later tonight", kiri(6, 23))  # after `now`: not counted yet

    week = compute_week(store, user.id, now=kiri(6, 22), default_timezone="America/New_York")

    assert week.timezone == "Pacific/Kiritimati"
    assert week.days[0].day == first and kiri(0, 7).date() == first - timedelta(days=1)
    assert [d.count for d in week.days] == [1, 0, 2, 0, 0, 0, 0]
    assert week.days[2].titles == ["early call", "late reading"]
    parts = {p.part: p.tasks for p in week.parts_of_day}
    assert parts == {PartOfDay.morning: 1, PartOfDay.afternoon: 0, PartOfDay.evening: 0,
                     PartOfDay.night: 2}  # fmt: skip
    assert week.reminders.total == 0


def test_a_user_without_a_timezone_yet_gets_the_default(store):
    user = store.users.create(User(phone="+15555550142"))
    now = datetime.now(UTC)
    done_task(store, user, "todo from the first text", now - timedelta(minutes=5))
    week = compute_week(store, user.id, now=now, default_timezone="Europe/Berlin")
    assert week.timezone == "Europe/Berlin"
    assert week.days[-1].day == now.astimezone(ZoneInfo("Europe/Berlin")).date()
    assert week.tasks_done == 1

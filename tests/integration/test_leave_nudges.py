"""'Leave in 15 minutes' (opt-in): one reminder before each event with a location, none twice
under repeated syncs, moved with its event, cancelled with it; off by default."""

from __future__ import annotations

from datetime import timedelta

from nudge.calendar.leave import schedule_leave_nudges
from nudge.models import OccurrenceStatus, User, utcnow
from nudge.models.events import Event, EventSource


def test_leave_nudges_follow_their_events(store, settings, task_queue):
    from nudge.reminders.engine import ReminderDeps
    from nudge.sms.senders import default_sender

    deps = ReminderDeps(store=store, queue=task_queue, sender=default_sender(), settings=settings)
    user = store.users.create(User(phone="+15555550100", name="Sam", timezone="America/New_York"))
    now = utcnow()
    dentist = Event(title="Dentist", start=now + timedelta(hours=2),
                    end=now + timedelta(hours=3), location="12 Main St", external_id="d",
                    source=EventSource.ics)  # fmt: skip
    call = Event(title="Call", start=now + timedelta(hours=1), end=now + timedelta(hours=2),
                 external_id="c", source=EventSource.ics)  # fmt: skip
    store.events.upsert_many(user.id, [dentist, call])
    assert schedule_leave_nudges(deps, user, now) == 0  # opt-in: off by default
    prefs = store.users.get_settings(user.id).model_copy(update={"leave_nudges": True})
    store.users.save_settings(user.id, prefs)

    assert schedule_leave_nudges(deps, user, now) == 1  # only the event with a place
    assert schedule_leave_nudges(deps, user, now) == 0  # a repeated sync adds none
    [occurrence] = store.occurrences.list(user.id)
    assert occurrence.due_at == dentist.start - timedelta(minutes=15)
    assert occurrence.text == "leave in 15 minutes for Dentist (12 Main St)"

    moved = dentist.model_copy(update={"start": dentist.start + timedelta(hours=1),
                                       "end": dentist.end + timedelta(hours=1)})  # fmt: skip
    store.events.upsert_many(user.id, [moved])
    assert schedule_leave_nudges(deps, user, now) == 1
    by_status = {o.status: o.due_at for o in store.occurrences.list(user.id)}
    assert by_status == {
        OccurrenceStatus.cancelled: dentist.start - timedelta(minutes=15),
        OccurrenceStatus.scheduled: moved.start - timedelta(minutes=15),
    }
    store.events.delete_many(user.id, [e.id for e in store.events.list(user.id)])
    schedule_leave_nudges(deps, user, now)
    assert {o.status for o in store.occurrences.list(user.id)} == {OccurrenceStatus.cancelled}

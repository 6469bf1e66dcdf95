"""'Leave in 15 minutes' (opt-in): a reminder before each event that has a location.

Run after every calendar sync. Each nudge is recorded at `users/{id}/leave_nudges/{event doc
id}-{start}` with the reminder it created, so a repeated sync adds none; when an event moves or
disappears, its nudge's reminder is cancelled (a moved event gets a nudge for its new time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from google.api_core.exceptions import Conflict

from nudge.models import User
from nudge.reminders import engine

log = logging.getLogger("nudge.calendar")

LEAVE_NUDGES = "leave_nudges"
LOOKAHEAD = timedelta(hours=12)


def _collection(store, user_id: str):
    return store.db.collection("users").document(user_id).collection(LEAVE_NUDGES)


def schedule_leave_nudges(deps: engine.ReminderDeps, user: User, now: datetime) -> int:
    """Create the missing nudges and cancel stale ones; returns how many were created."""
    store, user_id = deps.store, user.id or ""
    prefs = store.users.get_settings(user_id)
    if not prefs.leave_nudges:
        return 0
    lead = timedelta(minutes=prefs.leave_minutes)
    events = store.events.between(user_id, now, now + LOOKAHEAD)
    wanted = {
        f"{e.id}-{int(e.start.timestamp())}": e
        for e in events
        if e.location and not e.all_day and e.start - lead > now
    }
    created = 0
    for key, event in wanted.items():
        ref = _collection(store, user_id).document(key)
        try:
            ref.create({"event_id": event.id, "start": event.start, "reminder_id": None})
        except Conflict:
            continue  # nudged already (a repeated sync)
        scheduled = engine.create_reminder(
            deps, user, text=f"leave in {prefs.leave_minutes} minutes for {event.title} "
            f"({event.location})", due_at=event.start - lead, rrule=None, now=now,
        )  # fmt: skip
        ref.update({"reminder_id": scheduled.reminder.id})
        created += 1
    for doc in _collection(store, user_id).stream():
        record = doc.to_dict() or {}
        if doc.id in wanted or record["start"] <= now:
            continue
        if record.get("reminder_id"):  # the event moved or is gone
            engine.cancel_reminder(deps, user_id, record["reminder_id"])
        doc.reference.delete()
    return created


def sync_then_nudge(deps, user_id: str, source, now: datetime):
    """The calendar_sync task: sync one source, then bring leave nudges up to date. (Kept out
    of `sync.py`, which the oauth and mail functions import: only calendar_sync may schedule
    reminders.)"""
    from nudge.calendar.sync import sync_user

    report = sync_user(deps, user_id, source, now)
    user = deps.store.users.get(user_id)
    if report.skipped is None and user is not None:
        reminders = engine.ReminderDeps(
            store=deps.store, queue=deps.queue, sender=deps.sender, settings=deps.settings
        )
        report.leave_nudges = schedule_leave_nudges(reminders, user, now)
    return report

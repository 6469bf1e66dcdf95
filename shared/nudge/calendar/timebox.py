"""Time boxes: "block 2 hours tomorrow for taxes" proposes a free slot; only the person's
"yes" books it (an Outlook event when Outlook is linked, else a local one), links a task to
it and sets a reminder at its start."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from google.api_core.exceptions import Conflict

from nudge.calendar.slots import day_window, free_slot
from nudge.models import Task, User
from nudge.models.events import (
    CalendarLinkStatus,
    Event,
    EventSource,
    TimeBoxProposal,
)
from nudge.reminders import engine
from nudge.settings import Settings
from nudge.store import Store

log = logging.getLogger("nudge.calendar")


@dataclass
class Proposed:
    proposal: TimeBoxProposal | None = None
    question: str | None = None


def propose(
    store: Store,
    settings: Settings,
    user: User,
    *,
    minutes: int,
    when: str,
    title: str,
    now: datetime,
) -> Proposed:
    timezone = user.timezone or settings.default_timezone
    prefs = store.users.get_settings(user.id or "")
    window = day_window(when, timezone=timezone, now=now, prefs=prefs)
    if window is None:
        return Proposed(
            question=f'When should I look for {minutes} minutes: "today", '
            '"tomorrow afternoon", "friday"?'
        )
    start, end = window
    events = store.events.between(user.id or "", start, end)
    slot = free_slot(
        events,
        minutes=minutes,
        window_start=start,
        window_end=end,
        buffer_minutes=settings.timebox_buffer_minutes,
    )
    if slot is None:
        return Proposed(
            question=f"I couldn't find {describe_minutes(minutes)} free "
            f"{when or 'today'}. Want me to look at another day?"
        )
    proposal = TimeBoxProposal(title=title, start=slot[0], end=slot[1], proposed_at=now)
    store.users.update(user.id or "", pending_timebox=proposal.model_dump())
    return Proposed(proposal=proposal)


def describe_minutes(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


@dataclass
class Booked:
    event: Event | None = None
    task: Task | None = None
    message: str | None = None


def confirm(deps: engine.ReminderDeps, user: User, now: datetime, *, http=None) -> Booked:
    """Book the pending proposal: the event, its task, a reminder at its start. Safe to run
    twice for one proposal (ids come from the proposal)."""
    store, settings = deps.store, deps.settings
    proposal = user.pending_timebox
    ttl = timedelta(minutes=settings.timebox_proposal_minutes)
    if proposal is None or now - proposal.proposed_at > ttl:
        return Booked(message="There's no time block waiting for a yes.")
    if proposal.start <= now:
        store.users.update(user.id or "", pending_timebox=None)
        return Booked(message="That slot has already started. Want me to find another?")
    clash = [
        e
        for e in store.events.between(user.id or "", proposal.start, proposal.end)
        if not e.all_day
    ]
    if clash:
        store.users.update(user.id or "", pending_timebox=None)
        return Booked(
            message=f'"{clash[0].title}" landed in that slot meanwhile. Want me to find another?'
        )
    key = f"timebox-{int(proposal.proposed_at.timestamp())}"
    task = _task_for(store, user, proposal, key)
    event = _book_event(deps, user, proposal, key, task, http=http)
    store.events.upsert_many(user.id or "", [event])
    scheduled = engine.create_reminder(
        deps,
        user,
        text=f"time for {proposal.title} (blocked until "
        f"{proposal.end.astimezone(_zone(user, settings)):%-I:%M %p})",
        due_at=proposal.start,
        rrule=None,
        now=now,
    )
    store.reminders.patch(user.id or "", scheduled.reminder.id or "", task_id=task.id)
    store.users.update(user.id or "", pending_timebox=None)
    return Booked(event=event, task=task)


def _zone(user: User, settings: Settings):
    from zoneinfo import ZoneInfo

    return ZoneInfo(user.timezone or settings.default_timezone)


def _task_for(store: Store, user: User, proposal: TimeBoxProposal, key: str) -> Task:
    if proposal.task_id and (existing := store.tasks.get(user.id or "", proposal.task_id)):
        return existing
    task = Task(
        title=proposal.title,
        due_at=proposal.end,
        estimate_minutes=int((proposal.end - proposal.start).total_seconds() // 60),
    )
    try:
        return store.tasks.add(user.id or "", task, doc_id=key)
    except Conflict:
        return store.tasks.require(user.id or "", key)


def _book_event(
    deps: engine.ReminderDeps, user: User, proposal: TimeBoxProposal, key: str, task: Task, *, http
) -> Event:
    link = deps.store.calendar_links.get(user.id or "", EventSource.microsoft.value)
    if link is not None and link.status == CalendarLinkStatus.ok:
        from nudge.calendar.graph_sync import create_graph_event

        try:
            return create_graph_event(deps, user, proposal, task, transaction_id=key, http=http)
        except Exception:  # Outlook unreachable or unlinked: the block still holds, locally
            log.warning("time box for %s booked locally: Outlook failed", user.id, exc_info=True)
    return Event(
        title=proposal.title,
        start=proposal.start,
        end=proposal.end,
        external_id=key,
        source=EventSource.local,
        task_id=task.id,
    )

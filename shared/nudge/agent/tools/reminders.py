"""set_reminder / list_reminders / cancel_reminder / snooze_reminder / reminder_done."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import ReminderStatus
from nudge.pronouns import second_person
from nudge.reminders import engine
from nudge.reminders.phrases import read_when
from nudge.reminders.timeparse import describe


def reminder_deps(ctx: ToolContext) -> engine.ReminderDeps:
    if ctx.reminder_deps is not None:
        return ctx.reminder_deps
    from nudge.queue.client import default_task_queue
    from nudge.sms.senders import default_sender

    return engine.ReminderDeps(
        store=ctx.store, queue=default_task_queue(), sender=default_sender(), settings=ctx.settings
    )


class SetReminderArgs(BaseModel):
    text: str = Field(min_length=1, max_length=300, description="what to remind about")
    when: str = Field(
        "",
        description='the time as the user said it: "at 5", "in 20 minutes", "tomorrow morning", '
        '"every weekday at 8", "first Monday of the month"',
    )
    due_at: datetime | None = Field(
        None, description="optional exact time, ISO 8601 with offset; checked against `when`"
    )
    urgent: bool = Field(
        False, description="follow-ups ignore quiet hours too; only if they say it's urgent"
    )
    nag: bool = Field(False, description="repeat follow-ups until answered, if they ask")


@tool("set_reminder", SetReminderArgs)
def set_reminder(ctx: ToolContext, args: SetReminderArgs) -> dict:
    """Schedule a reminder. Pass the time as the user said it; if the answer has a question,
    ask it instead of guessing."""
    prefs = ctx.store.users.get_settings(ctx.user.id)
    quiet = (prefs.quiet_hours_start, prefs.quiet_hours_end)
    text = second_person(args.text)  # what Nudge will say back: "take your meds"
    if args.due_at is not None and not args.when:
        if args.due_at.tzinfo is None:
            return {"question": "What time zone is that in?"}
        if args.due_at <= ctx.now:
            return {"question": "That time has already passed. When should it be instead?"}
        due, rrule = args.due_at, None
    else:
        when = _read_answer(ctx, args, quiet)
        if not when.ok:
            _keep_pending(ctx, text, args.when)
            return {"question": when.question}
        due, rrule = when.due, when.rrule
    if ctx.user.pending_reminder is not None:
        ctx.store.users.update(ctx.user.id, pending_reminder=None)
    scheduled = engine.create_reminder(
        reminder_deps(ctx), ctx.user, text=text, due_at=due, rrule=rrule, now=ctx.now,
        urgent=args.urgent, nag=args.nag or prefs.nag_by_default,
    )  # fmt: skip
    return {
        "ok": True,
        "id": scheduled.reminder.id,
        "text": text,
        "when": describe(due, ctx.timezone, ctx.now, rrule),
    }


def _read_answer(ctx: ToolContext, args: SetReminderArgs, quiet):
    """The time, reading a short answer ("5pm", "am", "today") to the question Nudge asked
    about this reminder together with what was said before ("on the 24th")."""
    read = partial(read_when, timezone=ctx.timezone, now=ctx.now, quiet_hours=quiet, hint=args.text)
    when = read(args.when)
    pending = ctx.user.pending_reminder
    if when.ok or pending is None or second_person(args.text) != pending.text or not pending.when:
        return when
    answer = args.when.strip()
    for combined in (f"{pending.when} {answer}", re.sub(r"\btomorrow\b", answer, pending.when)):
        if combined != pending.when and (again := read(combined)).ok:
            return again
    return when


def _keep_pending(ctx: ToolContext, text: str, when: str) -> None:
    from nudge.models.user import PendingReminder

    pending = PendingReminder(text=text, when=when, asked_at=ctx.now)
    ctx.store.users.update(ctx.user.id, pending_reminder=pending.model_dump())


class ListRemindersArgs(BaseModel):
    limit: int = Field(8, ge=1, le=20)


@tool("list_reminders", ListRemindersArgs, reads_only=True)
def list_reminders(ctx: ToolContext, args: ListRemindersArgs) -> dict:
    """List upcoming reminders with their local times."""
    upcoming = ctx.store.occurrences.upcoming(ctx.user.id, ctx.now, limit=args.limit)
    return {
        "reminders": [
            {
                "id": o.reminder_id,
                "text": o.text,
                "when": describe(o.due_at, ctx.timezone, ctx.now),
            }
            for o in upcoming
        ]
    }


class CancelReminderArgs(BaseModel):
    reminder_id: str | None = None
    text: str | None = Field(None, description="words from the reminder, if no id")


@tool("cancel_reminder", CancelReminderArgs)
def cancel_reminder(ctx: ToolContext, args: CancelReminderArgs) -> dict:
    """Cancel a reminder for good (all its future occurrences)."""
    reminder_id = args.reminder_id
    if reminder_id is None:
        active = ctx.store.reminders.list(
            ctx.user.id, where=[("status", "==", ReminderStatus.active)]
        )
        words = set((args.text or "").casefold().split())
        matches = [r for r in active if words & set(r.text.casefold().split())] if words else active
        if len(matches) != 1:
            names = "; ".join(f'"{r.text}"' for r in matches[:3]) or "none match"
            return {"question": f"Which reminder? {names}"}
        reminder_id = matches[0].id
    result = engine.cancel_reminder(reminder_deps(ctx), ctx.user.id, reminder_id or "")
    return {"ok": result.ok, "message": result.message}


class SnoozeArgs(BaseModel):
    minutes: int = Field(10, ge=1, le=24 * 60)


@tool("snooze_reminder", SnoozeArgs)
def snooze_reminder(ctx: ToolContext, args: SnoozeArgs) -> dict:
    """Snooze the most recent reminder (or move the next one) by some minutes."""
    occurrence = engine.latest_open(ctx.store, ctx.user.id, ctx.now)
    if occurrence is None:
        return {"question": "There's no reminder to snooze right now."}
    result = engine.snooze(reminder_deps(ctx), ctx.user, occurrence, args.minutes, ctx.now)
    if not result.ok or result.due_at is None:
        return {"ok": False, "message": result.message}
    return {
        "ok": True,
        "text": occurrence.text,
        "when": describe(result.due_at, ctx.timezone, ctx.now),
    }


class ReminderDoneArgs(BaseModel):
    pass


@tool("reminder_done", ReminderDoneArgs)
def reminder_done(ctx: ToolContext, args: ReminderDoneArgs) -> dict:
    """Mark the reminder just sent as done."""
    occurrence = engine.latest_open(ctx.store, ctx.user.id, ctx.now, sent_only=True)
    if occurrence is None:
        return {"ok": False, "message": "no reminder waiting"}
    result = engine.acknowledge(reminder_deps(ctx), occurrence)
    return {"ok": result.ok, "text": occurrence.text}

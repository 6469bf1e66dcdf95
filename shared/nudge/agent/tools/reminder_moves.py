"""move_reminder: a reminder at a new time ("move the bank reminder to 5pm")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.agent.tools.reminders import reminder_deps
from nudge.models import ReminderStatus
from nudge.reminders import engine
from nudge.reminders.phrases import read_when
from nudge.reminders.timeparse import describe


class MoveReminderArgs(BaseModel):
    reminder_id: str | None = None
    text: str | None = Field(None, description="words from the reminder, if no id")
    when: str = Field(min_length=1, description='the new time as the user said it: "5pm"')


@tool("move_reminder", MoveReminderArgs)
def move_reminder(ctx: ToolContext, args: MoveReminderArgs) -> dict:
    """Move a reminder to a new time: the old one is cancelled and the same words are set for
    the new time (a repeating one keeps repeating from there only if the new time says so)."""
    active = ctx.store.reminders.list(ctx.user.id, where=[("status", "==", ReminderStatus.active)])
    if args.reminder_id is not None:
        matches = [r for r in active if r.id == args.reminder_id]
    else:
        words = set((args.text or "").casefold().split())
        matches = [r for r in active if words & set(r.text.casefold().split())] if words else []
        if not matches and len(active) == 1 and not words:
            matches = active
    if len(matches) != 1:
        names = "; ".join(f'"{r.text}"' for r in (matches or active)[:3]) or "none set"
        return {"question": f"Which reminder should I move? {names}"}
    old = matches[0]
    prefs = ctx.store.users.get_settings(ctx.user.id)
    when = read_when(
        args.when, timezone=ctx.timezone, now=ctx.now,
        quiet_hours=(prefs.quiet_hours_start, prefs.quiet_hours_end), hint=old.text,
    )  # fmt: skip
    if not when.ok:
        return {"question": when.question}
    deps = reminder_deps(ctx)
    engine.cancel_reminder(deps, ctx.user.id, old.id or "")
    scheduled = engine.create_reminder(
        deps, ctx.user, text=old.text, due_at=when.due, rrule=when.rrule, now=ctx.now,
        urgent=old.urgent,
    )  # fmt: skip
    return {
        "ok": True,
        "id": scheduled.reminder.id,
        "text": old.text,
        "when": describe(when.due, ctx.timezone, ctx.now, when.rrule),
    }

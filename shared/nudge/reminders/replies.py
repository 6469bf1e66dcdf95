"""Short replies to a reminder ("done", "ok", "snooze 15", "later", "skip") applied to the most
recent open reminder directly, without the LLM."""

from __future__ import annotations

from datetime import datetime

from nudge.models import OccurrenceStatus, User
from nudge.reminders import engine
from nudge.reminders.phrases import quick_reply
from nudge.reminders.timeparse import describe


def apply_quick_reply(
    deps: engine.ReminderDeps, user: User, text: str, now: datetime
) -> str | None:
    """The reply to send, or None when `text` is not a quick reply to an open reminder."""
    parsed = quick_reply(text)
    if parsed is None:
        return None
    action, minutes = parsed
    occurrence = engine.latest_open(deps.store, user.id, now, sent_only=action == "done")
    if occurrence is None:
        return None
    timezone = user.timezone or deps.settings.default_timezone
    if action == "done" and occurrence.status != OccurrenceStatus.sent:
        return None  # nothing was sent: "done" is about a task, let the agent handle it
    if action == "done":
        result = engine.acknowledge(deps, occurrence)
        return f'Nice, "{occurrence.text}" is done!' if result.ok else None
    if action == "skip":
        result = engine.skip(deps, occurrence, now)
        return f'Okay, skipped "{occurrence.text}".' if result.ok else result.message
    result = engine.snooze(deps, user, occurrence, minutes, now)
    if not result.ok or result.due_at is None:
        return result.message
    return (
        f"Snoozed. I'll remind you to {occurrence.text} {describe(result.due_at, timezone, now)}."
    )

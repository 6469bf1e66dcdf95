"""Short replies to a reminder ("done", "ok", "snooze 15", "later", "skip") applied to the most
recent open reminder directly, without the LLM."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from nudge.models import Direction, OccurrenceStatus, User
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
    timezone = user.timezone or deps.settings.default_timezone
    if action == "done" and (occurrence is None or occurrence.status != OccurrenceStatus.sent):
        return _nothing_waiting(deps, user, text, now, timezone)
    if occurrence is None:
        return None
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


_ACK = re.compile(r"^\s*(?:ok|okay|k|got it|on it|👍)\s*[.!]*\s*$", re.I)
# A task touched this recently is what a bare "done" means; the task tools handle it.
RECENT_TASK = timedelta(hours=2)


def _nothing_waiting(
    deps: engine.ReminderDeps, user: User, text: str, now: datetime, timezone: str
) -> str | None:
    """ "done"/"ok" with no reminder waiting: say what it could mean instead of a miss.

    None (the agent answers) when it has a clear meaning there: a task touched in the last two
    hours, or a question Nudge just asked."""
    store = deps.store
    tasks = [t for t in store.tasks.open_tasks(user.id) if not t.parent_task_id]
    if any(t.updated_at >= now - RECENT_TASK for t in tasks):
        return None
    last_out = next(
        (m for m in reversed(store.messages.recent(user.id, limit=6))
         if m.direction == Direction.outbound),
        None,
    )  # fmt: skip
    # Nudge just asked something: "ok" answers it. (Only the reply's own first line counts: the
    # onboarding question that rides along at the end is not what "ok" answers.)
    if last_out is not None and last_out.body.strip().splitlines()[0].rstrip().endswith("?"):
        return None
    upcoming = store.occurrences.upcoming(user.id, now, limit=1)
    next_line = (
        f' Next reminder: "{upcoming[0].text}" {describe(upcoming[0].due_at, timezone, now)}.'
        if upcoming
        else ""
    )
    if _ACK.match(text):
        return "Okay!" + (next_line or " I'm here whenever you need me.")
    reply = 'Nice! No reminder of mine was waiting on a "done".'
    if tasks:
        latest = max(tasks, key=lambda t: t.updated_at)
        short = " ".join(latest.title.split()[:3])
        reply += f' Did you finish "{latest.title}"? Reply "done {short}" and I\'ll tick it off.'
    return reply + next_line

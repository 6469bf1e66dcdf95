"""week_review: a shame-free look back at the last seven days, from the numbers.

What got done, what kept slipping and one suggestion; no streaks, no scores. `plain_review` is
the offline text (and what a Sunday-evening send uses when the LLM is unavailable or the
proactive token budget is spent).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from pydantic import BaseModel

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import OccurrenceStatus, TaskStatus, User
from nudge.store import Store

WEEK = timedelta(days=7)


def week_summary(store: Store, user: User, now: datetime) -> dict:
    since = now - WEEK
    done = [
        t.title
        for t in store.tasks.list(user.id, where=[("status", "==", TaskStatus.done)])
        if t.completed_at is not None and t.completed_at >= since and not t.parent_task_id
    ]
    occurrences = [
        o
        for o in store.occurrences.list(user.id, where=[("due_at", ">=", since)])
        if o.due_at <= now
    ]
    statuses = Counter(o.status for o in occurrences)
    snoozed = Counter(o.text for o in occurrences if o.status == OccurrenceStatus.snoozed)
    open_tasks = [t for t in store.tasks.open_tasks(user.id) if not t.parent_task_id]
    slipping = [
        t.title for t in sorted(open_tasks, key=lambda t: t.created_at) if t.created_at < since
    ]
    slipping += [text for text, n in snoozed.most_common() if n >= 2 and text not in slipping]
    if slipping:
        suggestion = f'Want to shrink "{slipping[0]}" into one tiny first step?'
    elif not done:
        suggestion = "Pick one small thing for tomorrow; that's plenty."
    else:
        suggestion = "Keep whatever made this week work."
    return {
        "done": done,
        "reminders_done": statuses[OccurrenceStatus.acknowledged],
        "reminders_snoozed": statuses[OccurrenceStatus.snoozed],
        "slipping": slipping[:3],
        "open_tasks": len(open_tasks),
        "suggestion": suggestion,
    }


def plain_review(summary: dict) -> str:
    done = summary["done"]
    if done:
        shown = ", ".join(done[:3]) + (f" and {len(done) - 3} more" if len(done) > 3 else "")
        first = f"This week you got done: {shown}."
    else:
        first = "This week was a quiet one on the list, and that's okay."
    if summary["reminders_done"]:
        first += f" {summary['reminders_done']} reminders answered."
    slipping = summary["slipping"]
    second = f" Still waiting: {', '.join(slipping)}." if slipping else ""
    return f"{first}{second} {summary['suggestion']}"


class WeekReviewArgs(BaseModel):
    pass


@tool("week_review", WeekReviewArgs, reads_only=True)
def week_review(ctx: ToolContext, args: WeekReviewArgs) -> dict:
    """A look back at the last 7 days: what got done, what kept slipping, one suggestion.
    Shame-free: no streaks, no scores."""
    summary = week_summary(ctx.store, ctx.user, ctx.now)
    return {**summary, "text": plain_review(summary)}

"""Per-user planning at each 15-minute tick, in the user's own timezone.

Messages are composed without the LLM, so proactive messages cost no tokens: an idle user
costs nothing. Each is sent at most once per day (its outbound id names the day), and never
in quiet hours or to someone who opted out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from nudge.agent.tools.planning import choose
from nudge.agent.tools.registry import ToolContext
from nudge.models import TaskStatus, UserStatus
from nudge.queue.client import TaskQueue
from nudge.reminders.engine import in_quiet_hours
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import Store

log = logging.getLogger("nudge.planner")

TICK = timedelta(minutes=15)
# Stalled-task nudges go out only in the middle of the day.
NUDGE_WINDOW = (time(11), time(18))
# The opt-in weekly look back ("a short look back on Sunday evenings"), local time.
WEEKLY_REVIEW_AT = time(18, 0)
SUNDAY = 6


@dataclass
class PlannerDeps:
    store: Store
    queue: TaskQueue
    sender: SmsSender
    settings: Settings
    # The LLM that may rewrite proactive messages (None: offline, messages as composed).
    model: object | None = None


POLISH_INSTRUCTION = """Rewrite this text message from Nudge, an assistant for an adult with
ADHD, so it reads warm and human. Keep every time, task and number exactly; plain text, no
markdown, under 300 characters, one clear first step, no shame."""


def polish(deps: PlannerDeps, user, draft: str, day: str, kind: str) -> str:
    """The LLM's rewrite of `draft` while the user's proactive budget for `day` lasts."""
    if deps.model is None:
        return draft
    from nudge.llm.types import ChatMessage, ModelRequest, ModelUnavailable, TurnFacts
    from nudge.models import AgentLog

    prefix = f"proactive-{day}-"
    todays = deps.store.agent_logs.list(
        user.id, where=[("turn_id", ">=", prefix), ("turn_id", "<", prefix + "\uf8ff")]
    )
    spent = sum(log_.input_tokens + log_.output_tokens for log_ in todays)
    if spent >= deps.settings.proactive_token_budget:
        return draft
    request = ModelRequest(
        system_instruction=POLISH_INSTRUCTION,
        messages=[ChatMessage(role="user", text=draft)],
        facts=TurnFacts(user_name=user.name, timezone=user.timezone or "Etc/UTC"),
    )
    try:
        reply = deps.model.generate(request)  # type: ignore[attr-defined]
    except ModelUnavailable:
        return draft
    deps.store.agent_logs.add(
        user.id,
        AgentLog(
            turn_id=f"{prefix}{kind}",
            model=reply.model,
            input_tokens=reply.usage.input_tokens,
            output_tokens=reply.usage.output_tokens,
        ),
    )
    return (reply.text or "").strip() or draft


class PlanReport(BaseModel):
    briefing: bool = False
    checkin: bool = False
    weekly_review: bool = False
    stalled_nudge: bool = False
    skipped: str | None = None


def slot_of(now: datetime) -> datetime:
    """The 15-minute slot a tick belongs to (a late or repeated tick maps to the same slot)."""
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


def fan_out(deps: PlannerDeps, now: datetime) -> int:
    """One task per active user for this slot (named, so a repeated tick adds none)."""
    slot = slot_of(now)
    user_ids = deps.store.users.list_ids(status=UserStatus.active)
    for user_id in user_ids:
        deps.queue.enqueue(
            deps.settings.queues.reminders,
            "planner",
            {"action": "plan_user", "user_id": user_id, "slot": slot.isoformat()},
            task_name=f"planner-{user_id}-{int(slot.timestamp())}",
        )
    return len(user_ids)


def _in_slot(at: time | None, local_slot: datetime) -> bool:
    if at is None:
        return False
    start = local_slot.time()
    end = (local_slot + TICK).time()
    return start <= at < end if start < end else (at >= start or at < end)


def plan_user(deps: PlannerDeps, user_id: str, slot: datetime) -> PlanReport:
    store = deps.store
    user = store.users.get(user_id)
    if user is None or user.status == UserStatus.opted_out:
        return PlanReport(skipped="opted out or gone")
    timezone = user.timezone or deps.settings.default_timezone
    prefs = store.users.get_settings(user_id)
    if in_quiet_hours(slot, timezone, prefs):
        return PlanReport(skipped="quiet hours")
    local = slot.astimezone(ZoneInfo(timezone))
    ctx = ToolContext(store=store, user=user, settings=deps.settings, now=slot, turn_id="planner")
    from_number = user.assistant_number or deps.settings.twilio_from_number or ""
    report = PlanReport()

    if _in_slot(prefs.morning_briefing, local):
        text = polish(
            deps, user, morning_briefing(ctx, local), local.date().isoformat(), "briefing"
        )
        report.briefing = deliver(
            store, deps.sender, user, text, from_number=from_number,
            message_id=f"briefing-{local.date().isoformat()}", kind="briefing",
        ) is not None  # fmt: skip
    if _in_slot(prefs.evening_checkin, local):
        name = f", {user.name}" if user.name else ""
        text = polish(
            deps,
            user,
            f"Evening check-in{name}: how did today go? Anything to carry over to tomorrow? "
            "A one-word answer is fine.",
            local.date().isoformat(),
            "checkin",
        )
        report.checkin = deliver(
            store, deps.sender, user, text, from_number=from_number,
            message_id=f"checkin-{local.date().isoformat()}", kind="checkin",
        ) is not None  # fmt: skip
    if prefs.weekly_review and local.weekday() == SUNDAY and _in_slot(WEEKLY_REVIEW_AT, local):
        from nudge.agent.tools.review import plain_review, week_summary

        draft = "Your week, looking back: " + plain_review(week_summary(store, user, slot))
        text = polish(deps, user, draft, local.date().isoformat(), "weekly_review")
        report.weekly_review = deliver(
            store, deps.sender, user, text, from_number=from_number,
            message_id=f"week-review-{local.date().isoformat()}", kind="weekly_review",
        ) is not None  # fmt: skip
    if NUDGE_WINDOW[0] <= local.time() < NUDGE_WINDOW[1]:
        report.stalled_nudge = _nudge_stalled(deps, ctx, local, prefs.stale_task_days)
    return report


def morning_briefing(ctx: ToolContext, local: datetime) -> str:
    store, user = ctx.store, ctx.user
    name = f", {user.name}" if user.name else ""
    lines = [f"Good morning{name}!"]
    end_of_day = local.replace(hour=23, minute=59)
    today = [
        o
        for o in store.occurrences.upcoming(user.id, ctx.now, limit=10)
        if o.due_at.astimezone(local.tzinfo) <= end_of_day
    ]
    if today:
        items = "; ".join(
            f"{o.due_at.astimezone(local.tzinfo):%-I:%M %p} {o.text}" for o in today[:4]
        )
        lines.append(f"Today: {items}.")
    if events := todays_events(ctx, local):
        lines.append(f"On your calendar: {events}.")
    top = choose(ctx, count=3)
    if top:
        lines.append("Top 3: " + " ".join(f"{i}. {t.title}" for i, t in enumerate(top, 1)))
        first = top[0]
        minutes = f" ({first.estimate_minutes} min)" if first.estimate_minutes else ""
        lines.append(f"First step: {first.title}{minutes}.")
    else:
        lines.append('Your list is clear. Anything on your mind? Text "todo: ...".')
    return "\n".join(lines)


def todays_events(ctx: ToolContext, local: datetime, limit: int = 5) -> str:
    """Today's events, briefly: "all day Dad's birthday; 9:30 AM Team standup; ..."."""
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    events = ctx.store.events.between(ctx.user.id, midnight, midnight + timedelta(days=1))
    events.sort(key=lambda e: (not e.all_day, e.start))
    items = [
        ("all day " if e.all_day else f"{e.start.astimezone(local.tzinfo):%-I:%M %p} ") + e.title
        for e in events[:limit]
    ]
    if len(events) > limit:
        items.append(f"+{len(events) - limit} more")
    return "; ".join(items)


def _nudge_stalled(deps: PlannerDeps, ctx: ToolContext, local: datetime, days: int) -> bool:
    """One offer to break down the longest-untouched task, at most one such nudge a day."""
    store, user = deps.store, ctx.user
    cutoff = ctx.now - timedelta(days=days)
    stalled = [
        t
        for t in store.tasks.open_tasks(user.id)
        if not t.parent_task_id
        and t.status == TaskStatus.open
        and t.stalled_nudged_at is None
        and t.updated_at < cutoff
    ]
    if not stalled:
        return False
    task = min(stalled, key=lambda t: t.updated_at)
    text = (
        f'"{task.title}" has been waiting a while, and that\'s okay. Want me to break it into '
        'tiny steps? Text "break it down". Or "done" / "drop it" if it\'s handled.'
    )
    sent = deliver(
        store, deps.sender, user, text,
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=f"stalled-{local.date().isoformat()}", kind="stalled_task",
    )  # fmt: skip
    if sent is not None:
        store.tasks.patch(user.id, task.id or "", stalled_nudged_at=ctx.now)
    return sent is not None


def default_deps() -> PlannerDeps:
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    settings = get_settings()
    model = None
    if settings.gemini_api_key is not None:
        from nudge.llm.gemini import GeminiModel

        model = GeminiModel(
            api_key=settings.gemini_api_key.get_secret_value(), model=settings.gemini_model
        )
    return PlannerDeps(
        store=Store.default(),
        queue=default_task_queue(),
        sender=default_sender(),
        settings=settings,
        model=model,
    )

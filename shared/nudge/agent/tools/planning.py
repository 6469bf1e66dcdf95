"""break_down_task / what_now / set_energy: getting started when starting is the hard part."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import Energy, Task, TaskStatus
from nudge.timezones import local_now

GENERIC_STEPS = {
    "normal": [
        ("Get set up: open or gather what you need for {t}", 5),
        ("Do the first small piece of {t}", 10),
        ("One more short round on {t}", 10),
        ("Check what's left and write down the next step", 3),
    ],
    "smaller": [
        ("Go to where you'll do {t}", 1),
        ("Open or take out the first thing you need", 2),
        ("Set a 2-minute timer and start {t}", 2),
        ("Pick the very next tiny step", 1),
    ],
}


class Step(BaseModel):
    title: str = Field(min_length=2, max_length=120)
    minutes: int = Field(ge=1, le=60)


class BreakDownArgs(BaseModel):
    task_id: str | None = None
    title: str | None = Field(None, description="words from the task's title, if no id")
    granularity: Literal["normal", "smaller"] = Field(
        "normal", description='"smaller" when they ask for smaller steps'
    )
    steps: list[Step] | None = Field(
        None, description="3-7 concrete first steps with minutes; smaller = 1-5 minutes each"
    )


def exact_title(tasks: list[Task], title: str) -> Task | None:
    """The task whose title is `title` as written or as Nudge showed it ("call your mom" for
    "call my mom"): a list item picked by number is that item, never a look-alike."""
    from nudge.pronouns import second_person

    wanted = title.casefold().strip()
    return next(
        (t for t in tasks if wanted in (t.title.casefold(), second_person(t.title).casefold())),
        None,
    )


def find_task(ctx: ToolContext, task_id: str | None, title: str | None) -> Task | None:
    open_tasks = [t for t in ctx.store.tasks.open_tasks(ctx.user.id) if not t.parent_task_id]
    if task_id:
        return next((t for t in open_tasks if t.id == task_id), None)
    if title:
        if exact := exact_title(open_tasks, title):
            return exact
        words = set(title.casefold().split())
        scored = sorted(
            ((len(words & set(t.title.casefold().split())), t) for t in open_tasks),
            key=lambda pair: (-pair[0], pair[1].created_at),
        )
        return scored[0][1] if scored and scored[0][0] else None
    # No name: the one most recently added or broken down.
    return max(open_tasks, key=lambda t: t.updated_at, default=None)


@tool("break_down_task", BreakDownArgs)
def break_down_task(ctx: ToolContext, args: BreakDownArgs) -> dict:
    """Break a task into 3-7 tiny, concrete first steps with minutes each. Replaces earlier
    steps; use granularity "smaller" when they ask for smaller steps."""
    task = find_task(ctx, args.task_id, args.title)
    if task is None:
        return {"question": "Which task should I break down?"}
    if args.steps is not None:
        if not 3 <= len(args.steps) <= 7:
            return {"error": "give 3 to 7 steps"}
        limit = 5 if args.granularity == "smaller" else 30
        if any(step.minutes > limit for step in args.steps):
            return {"error": f"each step must take at most {limit} minutes"}
        steps = [(s.title, s.minutes) for s in args.steps]
    else:
        steps = [(t.format(t=task.title), m) for t, m in GENERIC_STEPS[args.granularity]]
    for old in ctx.store.tasks.list(ctx.user.id, where=[("parent_task_id", "==", task.id)]):
        if old.status == TaskStatus.open:
            ctx.store.tasks.update(ctx.user.id, old.id or "", status=TaskStatus.dropped)
    for order, (title, minutes) in enumerate(steps):
        ctx.store.tasks.add(
            ctx.user.id,
            Task(title=title, parent_task_id=task.id, order=order, estimate_minutes=minutes,
                 priority=task.priority, energy=Energy.low),
        )  # fmt: skip
    ctx.store.tasks.patch(ctx.user.id, task.id or "", estimate_minutes=sum(m for _, m in steps))
    return {
        "ok": True,
        "task": task.title,
        "steps": [{"title": t, "minutes": m} for t, m in steps],
    }


class SetEnergyArgs(BaseModel):
    level: Literal["bad_day", "low", "medium", "high"]


@tool("set_energy", SetEnergyArgs)
def set_energy(ctx: ToolContext, args: SetEnergyArgs) -> dict:
    """Record how much energy the user has today; "bad_day" shrinks plans to tiny steps."""
    today = local_now(ctx.timezone, ctx.now).date()
    prefs = ctx.store.users.get_settings(ctx.user.id)
    ctx.store.users.save_settings(
        ctx.user.id, prefs.model_copy(update={"energy": args.level, "energy_date": today})
    )
    return {"ok": True, "level": args.level}


def energy_today(ctx: ToolContext) -> str | None:
    prefs = ctx.store.users.get_settings(ctx.user.id)
    if prefs.energy_date == local_now(ctx.timezone, ctx.now).date():
        return prefs.energy
    return None


def available_minutes(ctx: ToolContext) -> int | None:
    """Minutes until the next thing that will interrupt: a reminder or a calendar event
    (while an event is under way, none)."""
    from nudge.calendar.slots import current_event, minutes_until_next_event

    candidates = []
    upcoming = ctx.store.occurrences.upcoming(ctx.user.id, ctx.now, limit=1)
    if upcoming:
        candidates.append(max(0, int((upcoming[0].due_at - ctx.now).total_seconds() // 60)))
    events = _events_ahead(ctx)
    if current_event(events, ctx.now) is not None:
        return 0
    if (next_event := minutes_until_next_event(events, ctx.now)) is not None:
        candidates.append(next_event[0])
    return min(candidates) if candidates else None


def _events_ahead(ctx: ToolContext):
    """Events from now until this time tomorrow's morning is far off (18 hours)."""
    return ctx.store.events.between(ctx.user.id, ctx.now, ctx.now + timedelta(hours=18))


def next_event_brief(ctx: ToolContext) -> dict | None:
    """The next event, as what_now mentions it ("45 min before Dentist at 2 PM")."""
    from zoneinfo import ZoneInfo

    from nudge.calendar.slots import current_event, minutes_until_next_event

    events = _events_ahead(ctx)
    zone = ZoneInfo(ctx.timezone)
    if (now_on := current_event(events, ctx.now)) is not None:
        return {"title": now_on.title, "until": f"{now_on.end.astimezone(zone):%-I:%M %p}",
                "minutes_away": 0, "at": "now"}  # fmt: skip
    found = minutes_until_next_event(events, ctx.now)
    if found is None:
        return None
    minutes, event = found
    return {"title": event.title, "at": f"{event.start.astimezone(zone):%-I:%M %p}",
            "minutes_away": minutes}  # fmt: skip


def choose(ctx: ToolContext, *, count: int = 1) -> list[Task]:
    """The best next things: a first open step of a broken-down task counts for its task.

    Order: due within a day first, then priority, then what fits the time before the next
    reminder, then low-energy items on a low-energy day; bad-day mode keeps only tiny items.
    """
    everything = ctx.store.tasks.open_tasks(ctx.user.id)
    steps: dict[str, list[Task]] = {}
    for t in everything:
        if t.parent_task_id:
            steps.setdefault(t.parent_task_id, []).append(t)
    candidates = []
    for t in everything:
        if t.parent_task_id:
            continue
        own = sorted(steps.get(t.id or "", []), key=lambda s: s.order)
        candidates.append((t, own[0] if own else t))
    energy = energy_today(ctx)
    minutes = available_minutes(ctx)
    soon = ctx.now + timedelta(days=1)

    def score(pair: tuple[Task, Task]) -> tuple:
        task, item = pair
        estimate = item.estimate_minutes or 25
        fits = minutes is None or estimate <= minutes
        easy = item.energy in (None, Energy.low) or estimate <= 10
        return (
            not (task.due_at is not None and task.due_at <= soon),
            task.priority,
            not fits,
            energy in ("low", "bad_day") and not easy,
            task.due_at or datetime.max.replace(tzinfo=ctx.now.tzinfo),
            task.created_at,
        )

    ranked = [item for _, item in sorted(candidates, key=score)]
    if energy == "bad_day":
        # Tiny things first; the rest (easiest first) still show when there are few tiny ones,
        # so one dreaded task's first step is never all that is left.
        tiny = [i for i in ranked if (i.estimate_minutes or 99) <= 15 or i.parent_task_id]
        rest = sorted((i for i in ranked if i not in tiny), key=lambda i: i.estimate_minutes or 99)
        ranked = tiny + rest
        count = min(count, 3)
    return ranked[:count]


class WhatNowArgs(BaseModel):
    pass


@tool("what_now", WhatNowArgs, reads_only=True)
def what_now(ctx: ToolContext, args: WhatNowArgs) -> dict:
    """Pick ONE thing to do now, from priority, due dates, time before the next reminder or
    calendar event, and today's energy. Answer with just that one thing."""
    picked = choose(ctx, count=1)
    if not picked:
        if energy_today(ctx) == "bad_day":
            return {"pick": None, "message": "Nothing tiny on the list. Rest counts too."}
        return {"pick": None, "message": "Your list is empty."}
    item = picked[0]
    return {
        "pick": item.title,
        "minutes": item.estimate_minutes,
        "is_step": item.parent_task_id is not None,
        "minutes_free": available_minutes(ctx),
        "energy": energy_today(ctx),
        "next_event": next_event_brief(ctx),
    }

"""add_task / list_tasks / complete_task."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from nudge.agent.tools.planning import choose, energy_today, exact_title
from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import Energy, Task, TaskStatus


class AddTaskArgs(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="short, starts with a verb")
    notes: str | None = Field(None, max_length=2000)
    priority: int = Field(3, ge=1, le=5, description="1 is most important")
    due_at: datetime | None = Field(None, description="ISO 8601 with offset, if there is one")
    estimate_minutes: int | None = Field(None, ge=1, le=24 * 60)
    energy: Energy | None = None
    goal_id: str | None = Field(None, description="the goal this task serves, if any")


@tool("add_task", AddTaskArgs)
def add_task(ctx: ToolContext, args: AddTaskArgs) -> dict:
    """Capture a task on the user's list."""
    if args.due_at is not None and args.due_at.tzinfo is None:
        return {"error": "due_at needs a UTC offset"}
    for existing in ctx.store.tasks.open_tasks(ctx.user.id):
        if existing.title.casefold() == args.title.casefold():
            return {"ok": True, "id": existing.id, "title": existing.title, "already_on_list": True}
    task = ctx.store.tasks.add(ctx.user.id, Task(**args.model_dump()))
    return {"ok": True, "id": task.id, "title": task.title}


class ListTasksArgs(BaseModel):
    include_done: bool = False


@tool("list_tasks", ListTasksArgs, reads_only=True)
def list_tasks(ctx: ToolContext, args: ListTasksArgs) -> dict:
    """List the user's open tasks, most important and soonest due first."""
    tasks = (
        ctx.store.tasks.list(ctx.user.id)
        if args.include_done
        else ctx.store.tasks.open_tasks(ctx.user.id)
    )
    bad_day = energy_today(ctx) == "bad_day"
    top_level = [t for t in tasks if not t.parent_task_id]
    # A bad day shows a short list, tiny things first.
    tasks = choose(ctx, count=3) if bad_day else top_level
    far = datetime.max.replace(tzinfo=ctx.now.tzinfo)
    tasks.sort(key=lambda t: (t.priority, t.due_at or far, t.created_at))
    listed = {
        "tasks": [
            {
                "id": t.id,
                "title": t.title,
                "status": t.status.value,
                "priority": t.priority,
                "due_at": t.due_at.isoformat() if t.due_at else None,
            }
            for t in tasks
        ]
    }
    if bad_day:
        listed["bad_day"] = True
        listed["resting"] = max(0, len(top_level) - len(tasks))
    return listed


class CompleteTaskArgs(BaseModel):
    task_id: str | None = None
    title: str | None = Field(None, description="words from the task's title, if no id")


@tool("complete_task", CompleteTaskArgs)
def complete_task(ctx: ToolContext, args: CompleteTaskArgs) -> dict:
    """Mark a task done, by id or by words from its title."""
    everything = ctx.store.tasks.open_tasks(ctx.user.id)
    open_tasks = [t for t in everything if not t.parent_task_id]
    steps = [t for t in everything if t.parent_task_id]
    open_tasks += steps  # steps can be completed by name too
    match: Task | None = None
    if args.task_id:
        match = next((t for t in open_tasks if t.id == args.task_id), None)
    elif args.title and (exact := exact_title(open_tasks, args.title)):
        match = exact
    elif args.title:
        words = set(args.title.casefold().split())
        scored = [(len(words & set(t.title.casefold().split())), t) for t in open_tasks]
        scored = [(score, t) for score, t in scored if score]
        if scored:
            best = max(score for score, _ in scored)
            candidates = [t for score, t in scored if score == best]
            if len(candidates) > 1:
                return {
                    "completed": None,
                    "message": "Which one? " + "; ".join(f'"{t.title}"' for t in candidates[:3]),
                }
            match = candidates[0]
    elif len(open_tasks) == 1:
        match = open_tasks[0]
    elif steps:  # a bare "done" after a step was suggested: the first open step
        match = min(steps, key=lambda t: (t.order, t.created_at))
    else:
        match = recently_touched(ctx, open_tasks)
    if match is None:
        return {"completed": None, "message": "I couldn't find that one on your list."}
    ctx.store.tasks.update(ctx.user.id, match.id, status=TaskStatus.done, completed_at=ctx.now)
    return {"completed": match.title, "id": match.id}


def recently_touched(ctx: ToolContext, tasks: list[Task]) -> Task | None:
    """The task a bare "done" or "drop it" is about: the one touched in the last two hours (just
    added, suggested or nudged about), if there is exactly one most recent."""
    recent = [t for t in tasks if t.updated_at >= ctx.now - timedelta(hours=2)]
    return max(recent, key=lambda t: t.updated_at) if recent else None


class DropTaskArgs(BaseModel):
    task_id: str | None = None
    title: str | None = Field(None, description="words from the task's title, if no id")


@tool("drop_task", DropTaskArgs)
def drop_task(ctx: ToolContext, args: DropTaskArgs) -> dict:
    """Take a task off the list without doing it (no judgment: plans change)."""
    from nudge.agent.tools.planning import find_task

    if args.task_id is None and args.title is None:
        top_level = [t for t in ctx.store.tasks.open_tasks(ctx.user.id) if not t.parent_task_id]
        task = recently_touched(ctx, top_level)
    else:
        task = find_task(ctx, args.task_id, args.title)
    if task is None:
        return {"question": "Which task should I drop?"}
    ctx.store.tasks.update(ctx.user.id, task.id or "", status=TaskStatus.dropped)
    for step in ctx.store.tasks.list(ctx.user.id, where=[("parent_task_id", "==", task.id)]):
        if step.status == TaskStatus.open:
            ctx.store.tasks.patch(ctx.user.id, step.id or "", status=TaskStatus.dropped)
    return {"ok": True, "dropped": task.title}

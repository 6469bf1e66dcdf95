"""add_goal / update_goal / list_goals: the bigger things tasks serve."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import Goal


class AddGoalArgs(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    description: str | None = Field(None, max_length=1000)
    target_date: date | None = None
    parent_goal_id: str | None = Field(None, description="a bigger goal this one serves")


@tool("add_goal", AddGoalArgs)
def add_goal(ctx: ToolContext, args: AddGoalArgs) -> dict:
    """Save a goal (optionally under a bigger goal, with a target date)."""
    if args.parent_goal_id and ctx.store.goals.get(ctx.user.id, args.parent_goal_id) is None:
        return {"error": "no such parent goal"}
    goal = ctx.store.goals.add(ctx.user.id, Goal(**args.model_dump()))
    return {"ok": True, "id": goal.id, "title": goal.title}


class UpdateGoalArgs(BaseModel):
    goal_id: str
    progress: int | None = Field(None, ge=0, le=100)
    status: str | None = Field(None, description="active, done or dropped")


@tool("update_goal", UpdateGoalArgs)
def update_goal(ctx: ToolContext, args: UpdateGoalArgs) -> dict:
    """Update a goal's progress (percent) or status."""
    if ctx.store.goals.get(ctx.user.id, args.goal_id) is None:
        return {"error": "no such goal"}
    changes = args.model_dump(exclude_none=True, exclude={"goal_id"})
    if changes.get("progress") == 100:
        changes.setdefault("status", "done")
    goal = ctx.store.goals.update(ctx.user.id, args.goal_id, **changes)
    return {"ok": True, "title": goal.title, "progress": goal.progress, "status": goal.status}


class ListGoalsArgs(BaseModel):
    pass


@tool("list_goals", ListGoalsArgs, reads_only=True)
def list_goals(ctx: ToolContext, args: ListGoalsArgs) -> dict:
    """List active goals with progress and how many open tasks serve each."""
    goals = ctx.store.goals.list(ctx.user.id, where=[("status", "==", "active")])
    tasks = ctx.store.tasks.open_tasks(ctx.user.id)
    return {
        "goals": [
            {
                "id": g.id,
                "title": g.title,
                "progress": g.progress,
                "parent_goal_id": g.parent_goal_id,
                "target_date": g.target_date.isoformat() if g.target_date else None,
                "open_tasks": sum(t.goal_id == g.id for t in tasks),
            }
            for g in goals
        ]
    }

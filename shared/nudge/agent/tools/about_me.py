"""about_me: what Nudge knows about the person, from their profile and memories."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import MemoryType


class AboutMeArgs(BaseModel):
    limit: int = Field(5, ge=1, le=10)


@tool("about_me", AboutMeArgs, reads_only=True)
def about_me(ctx: ToolContext, args: AboutMeArgs) -> dict:
    """Summarise what you know about the user: name, timezone, open tasks and the memories that
    matter most. For "what do you know about me"."""
    uid = ctx.user.id
    memories = [
        m
        for m in ctx.store.memories.list(uid, where=[("active", "==", True)])
        if m.memory_type != MemoryType.episode
    ]
    memories.sort(key=lambda m: (-m.importance, -m.created_at.timestamp()))
    open_tasks = [t for t in ctx.store.tasks.open_tasks(uid) if not t.parent_task_id]
    return {
        "name": ctx.user.name,
        "timezone": ctx.user.timezone,
        "open_tasks": len(open_tasks),
        "memories": [m.content for m in memories[: args.limit]],
        "more_memories": max(0, len(memories) - args.limit),
    }

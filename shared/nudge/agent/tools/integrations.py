"""summarize_video / web_search / working_on: slow work handed to the `integrations` queue.

Each tool records an AI task and returns at once; the result comes later by SMS. Nothing a
third party wrote is ever returned here, so no such text can steer the rest of the turn.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.agent.tools.reminders import reminder_deps
from nudge.integrations.models import AITaskType
from nudge.integrations.repository import AITaskRepository
from nudge.integrations.submit import submit_ai_task
from nudge.integrations.youtube_links import video_id_from, watch_url

NOT_SET_UP_YOUTUBE = (
    "YouTube isn't set up here yet (no YouTube API key), so I can't summarize videos. "
    'I can save the link as a note if you like: text "note: " and the link.'
)


def _submit(ctx: ToolContext, type_: AITaskType, parameters: dict, label: str):
    return submit_ai_task(
        ctx.store,
        reminder_deps(ctx).queue,
        ctx.settings,
        user_id=ctx.user.id or "",
        turn_id=ctx.turn_id,
        type_=type_,
        parameters=parameters,
        label=label,
    )


class SummarizeVideoArgs(BaseModel):
    url: str = Field(min_length=5, max_length=500, description="the YouTube link as sent")


@tool("summarize_video", SummarizeVideoArgs)
def summarize_video(ctx: ToolContext, args: SummarizeVideoArgs) -> dict:
    """Summarize a YouTube video in the background (any YouTube link). Returns at once; the
    summary arrives by SMS later and is saved as a note. Tell them you're on it."""
    video_id = video_id_from(args.url)
    if video_id is None:
        return {"ok": False, "message": "That doesn't look like a YouTube link to me."}
    if ctx.settings.youtube_api_key is None and ctx.settings.is_local:
        return {"ok": False, "not_set_up": True, "message": NOT_SET_UP_YOUTUBE}
    task, _ = _submit(
        ctx,
        AITaskType.youtube_summary,
        {"video_id": video_id},
        f"the summary of {watch_url(video_id)}",
    )
    return {
        "ok": True,
        "queued": task.id,
        "message": "On it, I'll text you the summary of that video in a few minutes.",
    }


class WebSearchArgs(BaseModel):
    query: str = Field(min_length=2, max_length=300, description="what to look up")
    news: bool = Field(False, description="recent news rather than general web results")


@tool("web_search", WebSearchArgs)
def web_search(ctx: ToolContext, args: WebSearchArgs) -> dict:
    """Look something up on the web in the background (opening hours, facts, news). Returns
    at once; the answer with a source arrives by SMS. Tell them you're on it."""
    query = " ".join(args.query.split())
    task, _ = _submit(
        ctx,
        AITaskType.web_search,
        {"query": query, "news": args.news},
        f'the search for "{query}"',
    )
    return {
        "ok": True,
        "queued": task.id,
        "message": f'On it, I\'ll text you what I find about "{query}".',
    }


class WorkingOnArgs(BaseModel):
    pass


@tool("working_on", WorkingOnArgs, reads_only=True)
def working_on(ctx: ToolContext, args: WorkingOnArgs) -> dict:
    """What you are still working on in the background for them (summaries, searches)."""
    pending = AITaskRepository(ctx.store.db).pending(ctx.user.id or "")
    return {"pending": [{"what": t.label, "status": t.status.value} for t in pending]}

"""POST /v1/chat: talk to Nudge without SMS."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nudge.api import rate_limits
from nudge.api.context import ApiContext
from nudge.api.problems import Problem
from nudge.api.router import router


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1600, description="what you would text")


class ChatOut(BaseModel):
    message_id: str
    status: str = Field(
        description="answered; or handed_over: a turn already running for your "
        "texts answers this too, by SMS (see /v1/messages)"
    )
    reply: str | None


@router.route("POST", "/v1/chat", tag="chat", body=ChatIn, response=ChatOut)
def chat(ctx: ApiContext, body: ChatIn) -> ChatOut:
    """Say something to Nudge: the same turn as a text, answered here (no SMS is sent)."""
    from nudge.api.chat import chat as run_chat

    if not body.text.strip():
        raise Problem(400, "say something")
    rate_limits.hit(
        ctx.store,
        f"chat:{ctx.user_id}",
        limit=ctx.settings.chat_per_minute,
        window_seconds=60,
        now=ctx.now,
        user_id=ctx.user_id,
    )
    outcome = run_chat(ctx.deps, ctx.user, body.text.strip(), ctx.now)
    return ChatOut.model_validate(outcome.model_dump())

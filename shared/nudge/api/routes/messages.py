"""The conversation: every text and reply, by SMS or on the page, newest first, paged."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from nudge.api.context import ApiContext
from nudge.api.router import router
from nudge.models import Direction, Message


class MessageOut(BaseModel):
    id: str
    direction: Direction
    body: str
    kind: str
    channel: str = Field(description="sms, or web for the page's and POST /v1/chat's")
    created_at: datetime

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls.model_validate(message.model_dump())


class MessagePage(BaseModel):
    messages: list[MessageOut]
    next_before: datetime | None = Field(description="pass as `before` for the next page")


class MessageQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200)
    before: AwareDatetime | None = Field(None, description="only messages older than this")


@router.route("GET", "/v1/messages", tag="messages", query=MessageQuery, response=MessagePage)
def list_messages(ctx: ApiContext, query: MessageQuery) -> MessagePage:
    """Your conversation with Nudge, newest first."""
    where = [("created_at", "<", query.before)] if query.before else None
    found = ctx.store.messages.list(
        ctx.user_id, where=where, order_by="created_at", descending=True, limit=query.limit + 1
    )
    page = found[: query.limit]
    more = len(found) > query.limit
    return MessagePage(
        messages=[MessageOut.of(m) for m in page], next_before=page[-1].created_at if more else None
    )

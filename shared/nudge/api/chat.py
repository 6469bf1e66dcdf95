"""Chat over HTTP: the same agent turn as a text, its reply returned instead of texted.

The text and the reply are kept in the one message history, marked `channel: web`, so the
next SMS turn sees them (and the page sees texts).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from nudge.models import Direction, Message, User


class WebReply:
    """The reply's "sender" for the web channel: the reply goes back in the HTTP response."""

    name = "web"

    def send(self, *, to: str, from_: str, body: str) -> str:
        return "web-" + uuid.uuid4().hex


class ChatOutcome(BaseModel):
    message_id: str
    status: str
    reply: str | None


def chat(deps, user: User, text: str, now: datetime) -> ChatOutcome:
    from nudge.conversation.turn import TurnDeps, run_agent_turn

    message_id = "web-" + uuid.uuid4().hex
    message = Message(
        direction=Direction.inbound,
        body=text,
        channel="web",
        settled=False,
        created_at=now,
        updated_at=now,
    )
    deps.store.messages.add(user.id or "", message, doc_id=message_id)
    turn_deps = TurnDeps(
        store=deps.store,
        settings=deps.settings,
        model=deps.model_factory(),
        sender=WebReply(),
        embedder_factory=deps.embedder_factory,
        queue=deps.queue,
        channel="web",
    )
    outcome = run_agent_turn(turn_deps, user_id=user.id or "", message_id=message_id, now=now)
    return ChatOutcome(message_id=message_id, status=outcome.status.value, reply=outcome.reply)

"""One agent turn: answer every unanswered text of a user with one reply.

Delivered at least once by Cloud Tasks, so: an idempotency record per triggering message (a
redelivery after success does nothing), a debounce (only the task of the newest text in a burst
answers), an atomic claim of the texts it answers, and an outbound record created before the
provider call (no second SMS).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from nudge.agent.context import build_request
from nudge.agent.loop import run_tool_loop
from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import LanguageModel
from nudge.models import AgentLog
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import Store

log = logging.getLogger("nudge.turn")

IDEMPOTENCY_NAMESPACE = "agent-turn"


class TurnStatus(StrEnum):
    answered = "answered"
    already_done = "already_done"
    superseded = "superseded"
    nothing_to_answer = "nothing_to_answer"
    unknown_user = "unknown_user"


class TurnOutcome(BaseModel):
    status: TurnStatus
    reply: str | None = None
    model: str | None = None
    tools_called: list[str] = []
    answered_message_ids: list[str] = []


@dataclass
class TurnDeps:
    store: Store
    settings: Settings
    model: LanguageModel
    sender: SmsSender
    embedder_factory: object | None = None


def run_agent_turn(deps: TurnDeps, *, user_id: str, message_id: str, now: datetime) -> TurnOutcome:
    store = deps.store
    previous = store.idempotency.begin(IDEMPOTENCY_NAMESPACE, message_id)
    if previous is not None:
        return TurnOutcome.model_validate({**(previous.result or {}), "status": "already_done"})
    try:
        outcome = _run(deps, user_id=user_id, message_id=message_id, now=now)
    except BaseException:
        store.idempotency.release(IDEMPOTENCY_NAMESPACE, message_id)
        raise
    store.idempotency.complete(IDEMPOTENCY_NAMESPACE, message_id, outcome.model_dump(mode="json"))
    return outcome


def _run(deps: TurnDeps, *, user_id: str, message_id: str, now: datetime) -> TurnOutcome:
    store, settings = deps.store, deps.settings
    user = store.users.get(user_id)
    if user is None:
        return TurnOutcome(status=TurnStatus.unknown_user)
    trigger = store.messages.get(user_id, message_id)
    if trigger is None or trigger.answered_by_turn not in (None, message_id):
        return TurnOutcome(status=TurnStatus.nothing_to_answer)  # another turn answered it
    if trigger.answered_by_turn is None:
        pending = store.messages.unanswered_inbound(user_id)
        if pending and pending[-1].id != message_id:
            # A newer text arrived during the wait; its own task answers the whole burst.
            return TurnOutcome(status=TurnStatus.superseded)
    messages = store.messages.claim_for_turn(user_id, turn_id=message_id)
    if not messages:
        return TurnOutcome(status=TurnStatus.nothing_to_answer)

    started = time.perf_counter()
    ctx = ToolContext(
        store=store,
        user=user,
        settings=settings,
        now=now,
        turn_id=message_id,
        source_message_ids=[m.id for m in messages if m.id],
        embedder_factory=deps.embedder_factory,  # type: ignore[arg-type]
    )
    request = build_request(
        store=store,
        settings=settings,
        user=user,
        new_messages=messages,
        tools=registry.specs(),
        now=now,
        embedder=ctx.embedder,
    )
    result = run_tool_loop(
        deps.model, request, registry, ctx, max_iterations=settings.max_tool_iterations
    )
    answered_by = result.models[-1] if result.models else deps.model.name
    user = ctx.refresh_user()
    deliver(
        store,
        deps.sender,
        user,
        result.text,
        from_number=user.assistant_number or settings.twilio_from_number or "",
        message_id=f"reply-{message_id}",
    )
    latency_ms = int((time.perf_counter() - started) * 1000)
    store.agent_logs.add(
        user_id,
        AgentLog(
            turn_id=message_id,
            model=answered_by,
            tools_called=result.tools_called,
            input_tokens=result.usage.input_tokens,
            output_tokens=result.usage.output_tokens,
            latency_ms=latency_ms,
        ),
    )
    log.info(
        "turn %s for user %s answered by %s (tools: %s, %d ms)",
        message_id,
        user_id,
        answered_by,
        ",".join(result.tools_called) or "-",
        latency_ms,
    )
    return TurnOutcome(
        status=TurnStatus.answered,
        reply=result.text,
        model=answered_by,
        tools_called=result.tools_called,
        answered_message_ids=[m.id for m in messages if m.id],
    )


def default_turn_deps() -> TurnDeps:
    """Production wiring: the process's store and settings, a fresh model, the SMS port."""
    from nudge.llm.fallback import model_for_turn
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    settings = get_settings()
    return TurnDeps(
        store=Store.default(),
        settings=settings,
        model=model_for_turn(settings),
        sender=default_sender(),
    )

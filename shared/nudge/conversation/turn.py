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
from nudge.queue.client import TaskQueue
from nudge.reminders.engine import ReminderDeps, missed_notice
from nudge.reminders.replies import apply_quick_reply
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
    # For reminder tools and quick replies; None in tests that need no queue.
    queue: TaskQueue | None = None


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
    reminder_deps = _reminder_deps(deps)
    incoming = "\n".join(m.body for m in messages).strip()
    if reminder_deps is not None and (
        shortcut := apply_quick_reply(reminder_deps, user, incoming, now)
    ):
        return _reply_and_log(
            deps, user, message_id, shortcut, messages, started,
            model="shortcut", tools_called=["quick_reply"], now=now,
        )  # fmt: skip
    ctx = ToolContext(
        store=store,
        user=user,
        settings=settings,
        now=now,
        turn_id=message_id,
        source_message_ids=[m.id for m in messages if m.id],
        embedder_factory=deps.embedder_factory,  # type: ignore[arg-type]
        reminder_deps=reminder_deps,
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
    return _reply_and_log(
        deps, ctx.refresh_user(), message_id, result.text, messages, started,
        model=answered_by, tools_called=result.tools_called, now=now,
        input_tokens=result.usage.input_tokens, output_tokens=result.usage.output_tokens,
    )  # fmt: skip


def _reply_and_log(
    deps: TurnDeps,
    user,
    message_id: str,
    text: str,
    messages,
    started: float,
    *,
    model: str,
    tools_called: list[str],
    now: datetime,
    input_tokens: int = 0,
    output_tokens: int = 0,
) -> TurnOutcome:
    store, settings = deps.store, deps.settings
    timezone = user.timezone or settings.default_timezone
    text = missed_notice(store, user, timezone) + text
    deliver(
        store,
        deps.sender,
        user,
        text,
        from_number=user.assistant_number or settings.twilio_from_number or "",
        message_id=f"reply-{message_id}",
    )
    latency_ms = int((time.perf_counter() - started) * 1000)
    _consolidate_every_nth_turn(deps, user.id)
    store.agent_logs.add(
        user.id,
        AgentLog(
            turn_id=message_id,
            model=model,
            tools_called=tools_called,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=latency_ms,
        ),
    )
    log.info(
        "turn %s for user %s answered by %s (tools: %s, %d ms)",
        message_id,
        user.id,
        model,
        ",".join(tools_called) or "-",
        latency_ms,
    )
    return TurnOutcome(
        status=TurnStatus.answered,
        reply=text,
        model=model,
        tools_called=tools_called,
        answered_message_ids=[m.id for m in messages if m.id],
    )


def _consolidate_every_nth_turn(deps: TurnDeps, user_id: str) -> None:
    """After every Nth turn of a user, consolidate their memory (besides the nightly run)."""
    every = deps.settings.consolidate_every_turns
    if deps.queue is None or every <= 0:
        return
    turns = deps.store.agent_logs._collection(user_id).count().get()[0][0].value + 1
    if turns % every == 0:
        from nudge.memory.consolidation import enqueue_for_user

        enqueue_for_user(deps.queue, deps.settings, user_id, f"memory-{user_id}-turn-{turns}")


def _reminder_deps(deps: TurnDeps):
    if deps.queue is None:
        return None
    return ReminderDeps(
        store=deps.store, queue=deps.queue, sender=deps.sender, settings=deps.settings
    )


def default_turn_deps() -> TurnDeps:
    """Production wiring: the process's store and settings, a fresh model, the SMS port."""
    from nudge.llm.fallback import model_for_turn
    from nudge.queue.client import default_task_queue
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    settings = get_settings()
    return TurnDeps(
        store=Store.default(),
        settings=settings,
        model=model_for_turn(settings),
        sender=default_sender(),
        queue=default_task_queue(),
    )

"""One agent turn: answer every unanswered text of a user with one reply.

A text's turn starts at once. Delivered at least once by Cloud Tasks, so: an idempotency record
per turn (a redelivery after success does nothing), one live turn per user (a lease; a text that
arrives while another turn runs knocks and is answered by that turn, in the same reply), an
atomic claim of the texts it answers, and an outbound record created before the provider call
(no second SMS). Before sending, the reply waits out a short settle window after the newest
text, so a quick second text joins it instead of getting a reply of its own.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from nudge.agent.context import build_request
from nudge.agent.loop import run_tool_loop
from nudge.agent.tools import ToolContext, registry
from nudge.conversation.bursts import join_reply_parts, looks_unfinished, settle_seconds
from nudge.conversation.reply_order import TURN_REPLY_ID
from nudge.llm.types import LanguageModel
from nudge.models import AgentLog, Message, User, utcnow
from nudge.queue.client import TaskQueue
from nudge.reminders.engine import ReminderDeps, missed_notice
from nudge.reminders.replies import apply_quick_reply
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import Store
from nudge.store.leases import LeaseLost, LeaseOutcome

log = logging.getLogger("nudge.turn")

IDEMPOTENCY_NAMESPACE = "agent-turn"
LATE_APOLOGY = "Sorry, I missed this earlier. "


class TurnStatus(StrEnum):
    answered = "answered"
    already_done = "already_done"
    # Another turn of the same user was running; it answers this text in its reply.
    handed_over = "handed_over"
    nothing_to_answer = "nothing_to_answer"
    unknown_user = "unknown_user"
    # The lease expired under a very slow turn and the sweep took over: nothing was sent.
    abandoned = "abandoned"


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
    # Where the reply goes: "sms", or "web" (POST /v1/chat: the sender only records it).
    channel: str = "sms"


@dataclass
class _Draft:
    """What a turn has done so far: the texts it answered and the reply parts it wrote."""

    texts: list[Message] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    # Parts that only answered unfinished texts ("ok so"): left out if more parts follow.
    fragments: set[int] = field(default_factory=set)
    models: list[str] = field(default_factory=list)
    tools_called: list[str] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.texts if m.id]


def run_agent_turn(
    deps: TurnDeps,
    *,
    user_id: str,
    message_id: str,
    now: datetime,
    turn_id: str | None = None,
    late: bool = False,
) -> TurnOutcome:
    """Answer `message_id` and whatever else the user sent. `turn_id` defaults to the text's
    id; the unanswered-text sweep passes its own, with `late` when the text waited long."""
    store = deps.store
    turn_id = turn_id or message_id
    # A live attempt is never taken over (the lease outlives the function's timeout), and a
    # crashed one is taken over well inside the queue's retry window (infra/queues.json).
    previous = store.idempotency.begin(
        IDEMPOTENCY_NAMESPACE, turn_id, in_progress_timeout=lease_ttl(deps.settings)
    )
    if previous is not None:
        return TurnOutcome.model_validate({**(previous.result or {}), "status": "already_done"})
    try:
        outcome = _run(deps, user_id=user_id, message_id=message_id, turn_id=turn_id,
                       now=now, late=late)  # fmt: skip
    except BaseException:
        store.idempotency.release(IDEMPOTENCY_NAMESPACE, turn_id)
        raise
    store.idempotency.complete(IDEMPOTENCY_NAMESPACE, turn_id, outcome.model_dump(mode="json"))
    return outcome


def lease_ttl(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.turn_lease_seconds)


def _run(
    deps: TurnDeps, *, user_id: str, message_id: str, turn_id: str, now: datetime, late: bool
) -> TurnOutcome:
    store, settings = deps.store, deps.settings
    user = store.users.get(user_id)
    if user is None:
        return TurnOutcome(status=TurnStatus.unknown_user)
    trigger = store.messages.get(user_id, message_id)
    if trigger is None or trigger.settled or trigger.answered_by_turn not in (None, turn_id):
        return TurnOutcome(status=TurnStatus.nothing_to_answer)  # another turn answered it
    outcome, seen = store.leases.acquire_or_knock(user_id, turn_id, lease_ttl(settings))
    if outcome == LeaseOutcome.knocked:
        return TurnOutcome(status=TurnStatus.handed_over)

    draft = _Draft()
    started = time.perf_counter()
    try:
        for _ in range(MAX_ROUNDS):
            claimed = store.messages.claim_for_turn(user_id, turn_id=turn_id)
            answered = set(draft.ids)
            new = [m for m in claimed if m.id not in answered and not m.settled]
            if new:
                user = _answer(deps, user, new, draft, turn_id=turn_id, now=now)
            if not late:
                _settle_window(deps, user_id, draft)
            if store.messages.unanswered_inbound(user_id):
                continue  # kept by the webhook, its task not here yet: answer it now
            knocks = store.leases.release_if_quiet(user_id, turn_id, seen, lease_ttl(settings))
            if knocks == seen:
                break  # nobody texted meanwhile: the lease is free again
            seen = knocks
        else:
            # Someone who never stops texting: send what we have; the rest gets its own turn
            # (or the sweep, if its task already knocked).
            store.leases.drop(user_id, turn_id)
    except LeaseLost:
        log.warning("turn %s for user %s outlived its lease; not sending", turn_id, user_id)
        return TurnOutcome(status=TurnStatus.abandoned)
    except BaseException:
        # Give the texts back so the retry (or the sweep) answers them.
        store.messages.release_claims(user_id, draft.ids)
        store.leases.drop(user_id, turn_id)
        raise
    if not draft.texts:
        return TurnOutcome(status=TurnStatus.nothing_to_answer)
    return _reply_and_log(deps, user, turn_id, draft, started, late=late)


def _answer(
    deps: TurnDeps, user: User, texts: list[Message], draft: _Draft, *, turn_id: str, now: datetime
) -> User:
    """Run the model (or a quick reply) over `texts`; add the result to the draft."""
    store, settings = deps.store, deps.settings
    reminder_deps = _reminder_deps(deps)
    incoming = "\n".join(m.body for m in texts).strip()
    draft_reply = "\n".join(draft.parts) or None
    draft.texts += texts
    if reminder_deps is not None and (
        shortcut := apply_quick_reply(reminder_deps, user, incoming, now)
    ):
        draft.parts.append(shortcut)
        draft.models.append("shortcut")
        draft.tools_called.append("quick_reply")
        return user
    ctx = ToolContext(
        store=store,
        user=user,
        settings=settings,
        now=now,
        turn_id=turn_id,
        source_message_ids=[m.id for m in texts if m.id],
        embedder_factory=deps.embedder_factory,  # type: ignore[arg-type]
        reminder_deps=reminder_deps,
    )
    request = build_request(
        store=store,
        settings=settings,
        user=user,
        new_messages=texts,
        tools=registry.specs(),
        now=now,
        embedder=ctx.embedder,
        draft_reply=draft_reply,
        queue=deps.queue,
    )
    result = run_tool_loop(
        deps.model, request, registry, ctx, max_iterations=settings.max_tool_iterations
    )
    draft.parts.append(result.text)
    if not result.tools_called and all(looks_unfinished(m.body) for m in texts):
        draft.fragments.add(len(draft.parts) - 1)
    draft.models.append(result.models[-1] if result.models else deps.model.name)
    draft.tools_called += result.tools_called
    draft.input_tokens += result.usage.input_tokens
    draft.output_tokens += result.usage.output_tokens
    return ctx.refresh_user()


def _settle_window(deps: TurnDeps, user_id: str, draft: _Draft) -> None:
    """Hold the reply until the settle window after the newest text has passed.

    The window is short for a lone text (the model's work counts toward it) and long when more
    texts are likely on their way (`conversation.bursts`), so the rest joins this reply.
    """
    if not draft.texts:
        return
    settings = deps.settings
    answered = set(draft.ids)

    def earlier() -> list[Message]:
        recent = deps.store.messages.recent(user_id, limit=8)
        return [m for m in recent if m.direction == "inbound" and m.id not in answered]

    window = settle_seconds(
        texts=draft.texts,
        earlier_inbound=earlier,
        short=settings.burst_settle_seconds,
        long=settings.burst_follow_on_settle_seconds,
        now=utcnow(),
    )
    newest = max(m.created_at for m in draft.texts)
    wait = (newest - utcnow()).total_seconds() + window
    if wait > 0:
        time.sleep(min(wait, window))


# Rounds of "answer the texts that came in meanwhile" before one reply goes out regardless.
MAX_ROUNDS = 8


def _reply_and_log(
    deps: TurnDeps, user: User, turn_id: str, draft: _Draft, started: float, *, late: bool
) -> TurnOutcome:
    store, settings = deps.store, deps.settings
    timezone = user.timezone or settings.default_timezone
    text = join_reply_parts(draft.parts, draft.fragments)
    text = (LATE_APOLOGY if late else "") + missed_notice(store, user, timezone) + text
    deliver(
        store,
        deps.sender,
        user,
        text,
        from_number=user.assistant_number or settings.twilio_from_number or "",
        message_id=TURN_REPLY_ID.format(turn_id=turn_id),
        channel=deps.channel,
    )
    store.messages.settle(user.id, draft.ids)
    latency_ms = int((time.perf_counter() - started) * 1000)
    _consolidate_every_nth_turn(deps, user.id)
    model = "+".join(dict.fromkeys(draft.models))
    store.agent_logs.add(
        user.id,
        AgentLog(
            turn_id=turn_id,
            model=model,
            tools_called=draft.tools_called,
            input_tokens=draft.input_tokens,
            output_tokens=draft.output_tokens,
            latency_ms=latency_ms,
        ),
    )
    log.info(
        "turn %s for user %s answered %d text(s) by %s (tools: %s, %d ms)",
        turn_id,
        user.id,
        len(draft.texts),
        model,
        ",".join(draft.tools_called) or "-",
        latency_ms,
    )
    return TurnOutcome(
        status=TurnStatus.answered,
        reply=text,
        model=model,
        tools_called=draft.tools_called,
        answered_message_ids=draft.ids,
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

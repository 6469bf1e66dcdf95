"""Run one AI task for the queue: claim it, do the work once, keep the result, text it once.

Redelivery is expected (Cloud Tasks is at-least-once; the emulator never dedups): a finished
task does nothing again except make sure its one SMS went out (that SMS has a fixed message id,
so it is never sent twice). Rate limits and outages are retried by the queue; the last attempt
ends the task `failed` with one honest SMS instead of an error nobody sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nudge.conversation.reply_order import wait_for_turn_reply
from nudge.integrations.models import AITask, AITaskResult, AITaskStatus
from nudge.integrations.repository import AITaskRepository, Claim
from nudge.models import User
from nudge.settings import Settings
from nudge.sms.outbound import deliver
from nudge.sms.senders import SmsSender
from nudge.store import AlreadyInProgress, Store
from nudge.web import RetryLater

log = logging.getLogger("nudge.integrations")


class CannotDo(Exception):
    """The work cannot be done, and retrying will not change that (transcripts disabled, the
    video is private, the provider is not set up). `message` is what the person is told."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


@dataclass
class WorkerDeps:
    store: Store
    sender: SmsSender
    settings: Settings
    # The httpx2 client Gemini speaks through (None: its own; tests answer at its transport).
    gemini_http: Any = None


@dataclass(frozen=True)
class Delivery:
    """What Cloud Tasks says about this delivery."""

    retry_count: int = 0

    def is_last(self, max_attempts: int) -> bool:
        return self.retry_count + 1 >= max_attempts


# Does the work; may raise RetryLater or CannotDo. Gets the task and the person.
Work = Callable[[AITask, User], AITaskResult]


def run_ai_task(
    deps: WorkerDeps,
    *,
    user_id: str,
    task_id: str,
    delivery: Delivery,
    work: Work,
    now: datetime,
) -> dict:
    repo = AITaskRepository(deps.store.db)
    settings = deps.settings
    stale_after = timedelta(seconds=settings.integration_stale_after_seconds)
    claim, task = repo.claim(
        user_id, task_id, attempt=delivery.retry_count, now=now, stale_after=stale_after
    )
    if claim == Claim.missing or task is None:
        log.warning("ai task %s of user %s not found; dropping", task_id, user_id)
        return {"result": "missing"}
    user = deps.store.users.get(user_id)
    if user is None:
        return {"result": "missing"}
    if claim == Claim.busy:
        raise AlreadyInProgress(task_id)
    if claim == Claim.finished:
        _notify(deps, repo, user, task)
        return {"result": "already_finished", "status": task.status.value}

    last = delivery.is_last(settings.integration_max_attempts)
    try:
        result = work(task, user)
    except CannotDo as exc:
        finished = repo.finish(
            user_id,
            task_id,
            status=AITaskStatus.failed,
            result=AITaskResult(text=exc.message),
            now=now,
            error=exc.reason,
        )
        _notify(deps, repo, user, finished)
        return {"result": "failed", "reason": exc.reason}
    except RetryLater as exc:
        if not last:
            repo.release(user_id, task_id, error=str(exc), now=now)
            raise
        return _give_up(deps, repo, user, task, now, reason=str(exc))
    except Exception as exc:
        if not last:
            repo.release(user_id, task_id, error=type(exc).__name__, now=now)
            raise
        log.exception("ai task %s failed on its last attempt", task_id)
        return _give_up(deps, repo, user, task, now, reason=type(exc).__name__)
    finished = repo.finish(user_id, task_id, status=AITaskStatus.done, result=result, now=now)
    _notify(deps, repo, user, finished)
    return {"result": "done"}


def _give_up(
    deps: WorkerDeps,
    repo: AITaskRepository,
    user: User,
    task: AITask,
    now: datetime,
    *,
    reason: str,
) -> dict:
    text = (
        f"Sorry, I couldn't finish {task.label}: the service didn't answer after several "
        "tries. Nothing was lost; text me again later and I'll have another go."
    )
    finished = repo.finish(
        user.id or "",
        task.id or "",
        status=AITaskStatus.failed,
        result=AITaskResult(text=text),
        now=now,
        error=reason,
    )
    _notify(deps, repo, user, finished)
    return {"result": "failed", "reason": reason}


def _notify(deps: WorkerDeps, repo: AITaskRepository, user: User, task: AITask | None) -> None:
    """Text the outcome once: the message id is fixed per task, so a repeat sends nothing."""
    if task is None or task.notified or task.result is None or not task.reply_message_id:
        return
    if task.turn_id:
        wait_for_turn_reply(deps.store, deps.settings, user.id or "", task.turn_id)
    deliver(
        deps.store,
        deps.sender,
        user,
        task.result.text,
        from_number=user.assistant_number or deps.settings.twilio_from_number or "",
        message_id=task.reply_message_id,
        kind="ai_task",
    )
    repo.patch(user.id or "", task.id or "", notified=True)


def default_worker_deps() -> WorkerDeps:
    from nudge.settings import get_settings
    from nudge.sms.senders import default_sender

    return WorkerDeps(store=Store.default(), sender=default_sender(), settings=get_settings())

"""Record an AI task and put it on the `integrations` queue: the agent's side of the shape."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from nudge.integrations.models import FUNCTION_FOR_TYPE, AITask, AITaskRef, AITaskType
from nudge.integrations.repository import AITaskRepository
from nudge.queue.client import TaskQueue, task_id
from nudge.settings import Settings
from nudge.store import Store


def ai_task_id(turn_id: str, type_: AITaskType, parameters: dict[str, Any]) -> str:
    """The same request in the same turn is the same task: a redelivered turn finds it."""
    digest = hashlib.sha256(
        json.dumps(parameters, sort_keys=True, default=str).encode()
    ).hexdigest()[:12]
    return task_id("ai", turn_id, type_.value, digest)


def submit_ai_task(
    store: Store,
    queue: TaskQueue,
    settings: Settings,
    *,
    user_id: str,
    turn_id: str,
    type_: AITaskType,
    parameters: dict[str, Any],
    label: str,
) -> tuple[AITask, bool]:
    """(the task, whether it is new). Enqueued under the task's own name, so a repeat of a
    turn does not start the work twice (the worker checks state where the queue cannot dedup)."""
    doc_id = ai_task_id(turn_id, type_, parameters)
    task, created = AITaskRepository(store.db).record(
        user_id,
        AITask(type=type_, parameters=parameters, label=label, turn_id=turn_id),
        doc_id=doc_id,
    )
    if created or task.status == "queued":
        queue.enqueue(
            settings.queues.integrations,
            FUNCTION_FOR_TYPE[type_],
            AITaskRef(user_id=user_id, task_id=doc_id).model_dump(),
            task_name=doc_id,
        )
    return task, created

"""`users/{id}/ai_tasks`: background requests, claimed and finished in transactions."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from google.api_core.exceptions import Conflict
from google.cloud import firestore

from nudge.integrations.models import FINISHED, AITask, AITaskResult, AITaskStatus
from nudge.store.codec import encode_fields
from nudge.store.repository import UserScopedRepository


class Claim(StrEnum):
    mine = "mine"  # this delivery does the work
    finished = "finished"  # done or failed before: nothing to do (but make sure it was told)
    busy = "busy"  # another live delivery is doing it right now
    missing = "missing"


class AITaskRepository(UserScopedRepository[AITask]):
    collection = "ai_tasks"
    model = AITask

    def record(self, user_id: str, task: AITask, doc_id: str) -> tuple[AITask, bool]:
        """Create the task under `doc_id`; (the stored task, whether this call created it)."""
        try:
            return self.add(user_id, task, doc_id=doc_id), True
        except Conflict:
            return self.require(user_id, doc_id), False

    def pending(self, user_id: str) -> list[AITask]:
        found = self.list(
            user_id, where=[("status", "in", [AITaskStatus.queued, AITaskStatus.running])]
        )
        return sorted(found, key=lambda t: t.created_at)

    def claim(
        self, user_id: str, task_id: str, *, attempt: int, now: datetime, stale_after: timedelta
    ) -> tuple[Claim, AITask | None]:
        """Mark the task running for delivery `attempt` (the Cloud Tasks retry count).

        A later attempt takes over a running one: Cloud Tasks retries only once the earlier
        delivery failed or timed out. The same attempt number while running is a duplicate
        delivery (an enqueue repeated where the queue cannot dedup); it waits, unless the
        running one is older than `stale_after` (its process died).
        """
        ref = self._collection(user_id).document(task_id)

        @firestore.transactional
        def claim(tx: firestore.Transaction) -> tuple[Claim, AITask | None]:
            snapshot = ref.get(transaction=tx)
            if not snapshot.exists:
                return Claim.missing, None
            task = self._decode(snapshot)
            if task.status in FINISHED:
                return Claim.finished, task
            if task.status == AITaskStatus.running and attempt <= task.attempt:
                started = task.started_at or task.updated_at
                if now - started < stale_after:
                    return Claim.busy, task
            fields = {
                "status": AITaskStatus.running,
                "attempts": task.attempts + 1,
                "attempt": attempt,
                "started_at": now,
                "updated_at": now,
            }
            tx.update(ref, encode_fields(fields))
            return Claim.mine, task.model_copy(update=fields)

        return claim(self.db.transaction())

    def finish(
        self,
        user_id: str,
        task_id: str,
        *,
        status: AITaskStatus,
        result: AITaskResult,
        now: datetime,
        error: str | None = None,
    ) -> AITask | None:
        """Record the outcome once; None if the task had already finished (nothing written)."""
        ref = self._collection(user_id).document(task_id)

        @firestore.transactional
        def finish(tx: firestore.Transaction) -> AITask | None:
            snapshot = ref.get(transaction=tx)
            if not snapshot.exists:
                return None
            task = self._decode(snapshot)
            if task.status in FINISHED:
                return None
            fields = {
                "status": status,
                "result": result.model_dump(mode="python"),
                "finished_at": now,
                "updated_at": now,
                "last_error": error,
                "reply_message_id": f"ai-task-{task_id}",
            }
            tx.update(ref, encode_fields(fields))
            return task.model_copy(update={**fields, "result": result})

        return finish(self.db.transaction())

    def release(self, user_id: str, task_id: str, *, error: str, now: datetime) -> None:
        """Hand a running task back to the queue's retry (rate limited, provider down)."""
        self.patch(user_id, task_id, status=AITaskStatus.queued, last_error=error)

"""Repositories for the per-user collections."""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from nudge.models import (
    AgentLog,
    Direction,
    Goal,
    Memory,
    Message,
    Note,
    Reminder,
    Task,
    TaskStatus,
)
from nudge.store.repository import UserScopedRepository


class MessageRepository(UserScopedRepository[Message]):
    collection = "messages"
    model = Message

    def recent(self, user_id: str, limit: int = 20) -> list[Message]:
        """The last `limit` messages, oldest first (conversation order)."""
        newest_first = self.list(user_id, order_by="created_at", descending=True, limit=limit)
        return list(reversed(newest_first))

    def unanswered_inbound(self, user_id: str) -> list[Message]:
        return self.list(
            user_id,
            where=[("direction", "==", Direction.inbound), ("answered_by_turn", "==", None)],
            order_by="created_at",
        )


class TaskRepository(UserScopedRepository[Task]):
    collection = "tasks"
    model = Task

    def open_tasks(self, user_id: str) -> list[Task]:
        return self.list(
            user_id, where=[("status", "in", [TaskStatus.open, TaskStatus.in_progress])]
        )


class GoalRepository(UserScopedRepository[Goal]):
    collection = "goals"
    model = Goal


class ReminderRepository(UserScopedRepository[Reminder]):
    collection = "reminders"
    model = Reminder


class NoteRepository(UserScopedRepository[Note]):
    collection = "notes"
    model = Note


class AgentLogRepository(UserScopedRepository[AgentLog]):
    collection = "agent_logs"
    model = AgentLog


class MemoryRepository(UserScopedRepository[Memory]):
    collection = "memories"
    model = Memory

    def nearest(
        self,
        user_id: str,
        query_vector: Sequence[float],
        *,
        limit: int = 10,
        active_only: bool = True,
    ) -> list[tuple[Memory, float]]:
        """Memories closest to `query_vector` by cosine distance, nearest first.

        The pre-filter on `active` needs a composite vector index in the cloud (declared in
        infra/); the emulator needs none.
        """
        query = self._collection(user_id)
        if active_only:
            query = query.where(filter=FieldFilter("active", "==", True))
        vector_query = query.find_nearest(
            vector_field="embedding",
            query_vector=Vector(list(query_vector)),
            distance_measure=DistanceMeasure.COSINE,
            limit=limit,
            distance_result_field="vector_distance",
        )
        results = []
        for doc in vector_query.stream():
            data = doc.to_dict() or {}
            distance = float(data.pop("vector_distance"))
            results.append((self._decode_data(doc.id, data), distance))
        return results

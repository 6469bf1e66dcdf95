"""Repositories for the per-user collections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from nudge.models import (
    OPEN_OCCURRENCE,
    AgentLog,
    Direction,
    Goal,
    Memory,
    Message,
    Note,
    OccurrenceStatus,
    Reminder,
    ReminderOccurrence,
    Task,
    TaskStatus,
)
from nudge.store.codec import VECTOR_FIELDS
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

    def claim_for_turn(self, user_id: str, turn_id: str) -> list[Message]:
        """Atomically mark every unanswered inbound message as answered by `turn_id`.

        Messages this turn claimed before (a redelivered task) are returned again, so a retry
        answers the same texts; messages claimed by another turn are never taken.
        """
        collection = self._collection(user_id)
        transaction = self.db.transaction()

        @firestore.transactional
        def claim(tx: firestore.Transaction) -> list[Message]:
            claimed = []
            for answered_by in (None, turn_id):
                query = collection.where(filter=FieldFilter("direction", "==", "inbound")).where(
                    filter=FieldFilter("answered_by_turn", "==", answered_by)
                )
                claimed += [self._decode(doc) for doc in query.stream(transaction=tx)]
            for message in claimed:
                tx.update(collection.document(message.id), {"answered_by_turn": turn_id})
            claimed.sort(key=lambda m: m.created_at)
            return claimed

        return claim(transaction)

    def settle(self, user_id: str, message_ids: Sequence[str]) -> None:
        """Mark texts answered (one batched write): the sweep stops looking at them."""
        if not message_ids:
            return
        batch = self.db.batch()
        collection = self._collection(user_id)
        for message_id in message_ids:
            batch.update(collection.document(message_id), {"settled": True})
        batch.commit()

    def release_claims(self, user_id: str, message_ids: Sequence[str]) -> None:
        """Hand texts of a turn that failed or died back to whoever answers next."""
        if not message_ids:
            return
        batch = self.db.batch()
        collection = self._collection(user_id)
        for message_id in message_ids:
            batch.update(collection.document(message_id), {"answered_by_turn": None})
        batch.commit()

    def count_redrive(self, user_id: str, message_id: str, seen: int) -> bool:
        """Record one more re-drive of a text; False if another sweep already did."""
        ref = self._collection(user_id).document(message_id)

        @firestore.transactional
        def bump(tx: firestore.Transaction) -> bool:
            snapshot = ref.get(transaction=tx)
            if not snapshot.exists or (snapshot.to_dict() or {}).get("redrives", 0) != seen:
                return False
            tx.update(ref, {"redrives": seen + 1})
            return True

        return bump(self.db.transaction())

    # -- the unanswered-text sweep (the only cross-user query on messages) --

    def unsettled_before(self, before: datetime, limit: int = 500) -> list[tuple[str, Message]]:
        """(user id, text) for inbound texts of any user received before `before` and still
        unanswered, oldest first."""
        query = (
            self.db.collection_group(self.collection)
            .where(filter=FieldFilter("settled", "==", False))
            .where(filter=FieldFilter("created_at", "<", before))
            .order_by("created_at")
            .limit(limit)
        )
        return [(doc.reference.parent.parent.id, self._decode(doc)) for doc in query.stream()]


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


class OccurrenceRepository(UserScopedRepository[ReminderOccurrence]):
    collection = "reminder_occurrences"
    model = ReminderOccurrence

    def upcoming(self, user_id: str, now: datetime, limit: int = 10) -> list[ReminderOccurrence]:
        found = self.list(user_id, where=[("status", "==", OccurrenceStatus.scheduled)])
        return sorted((o for o in found if o.due_at >= now), key=lambda o: o.due_at)[:limit]

    def unmentioned_missed(self, user_id: str) -> list[ReminderOccurrence]:
        return self.list(
            user_id,
            where=[("status", "==", OccurrenceStatus.missed), ("mentioned", "==", False)],
            order_by="due_at",
        )

    # -- sweeps across users (the only cross-user queries; used by the reminders function) --

    def _group(self):
        return self.db.collection_group(self.collection)

    def overdue(self, before: datetime, limit: int = 500) -> list[ReminderOccurrence]:
        """Scheduled or stuck-sending occurrences due before `before`, any user."""
        query = (
            self._group()
            .where(filter=FieldFilter("status", "in", [s.value for s in OPEN_OCCURRENCE]))
            .where(filter=FieldFilter("due_at", "<", before))
            .order_by("due_at")
            .limit(limit)
        )
        return [self._decode(doc) for doc in query.stream()]

    def not_enqueued_before(self, horizon: datetime, limit: int = 500) -> list[ReminderOccurrence]:
        query = (
            self._group()
            .where(filter=FieldFilter("status", "==", OccurrenceStatus.scheduled.value))
            .where(filter=FieldFilter("enqueued", "==", False))
            .where(filter=FieldFilter("due_at", "<", horizon))
            .limit(limit)
        )
        return [self._decode(doc) for doc in query.stream()]


class NoteRepository(UserScopedRepository[Note]):
    collection = "notes"
    model = Note


class AgentLogRepository(UserScopedRepository[AgentLog]):
    collection = "agent_logs"
    model = AgentLog


class MemoryRepository(UserScopedRepository[Memory]):
    collection = "memories"
    model = Memory
    # What the lexical path reads: everything but the embedding (1 KiB+ a memory it never uses).
    _WITHOUT_EMBEDDING = [n for n in Memory.model_fields if n != "id" and n not in VECTOR_FIELDS]

    def with_keyword(
        self, user_id: str, keyword: str, *, limit: int, active_only: bool = True
    ) -> list[Memory]:
        """Memories whose keywords hold `keyword`, at most `limit`, embeddings left out."""
        query = self._collection(user_id).where(
            filter=FieldFilter("keywords", "array_contains", keyword)
        )
        if active_only:
            query = query.where(filter=FieldFilter("active", "==", True))
        query = query.select(self._WITHOUT_EMBEDDING).limit(limit)
        return [self._decode(doc) for doc in query.stream()]

    def count(self, user_id: str, *, keyword: str | None = None, active_only: bool = True) -> int:
        """How many memories (holding `keyword`, if given): an aggregation, no documents read."""
        query = self._collection(user_id)
        if keyword is not None:
            query = query.where(filter=FieldFilter("keywords", "array_contains", keyword))
        if active_only:
            query = query.where(filter=FieldFilter("active", "==", True))
        [[result]] = query.count().get()
        return int(result.value)

    def delete_with_history(self, user_id: str, memory_id: str) -> list[str]:
        """Delete a memory and the older versions it replaced (inactive, reached through
        `related_ids`): forgetting a fact must not leave its history behind."""
        deleted: list[str] = []
        pending = [memory_id]
        while pending:
            current = pending.pop()
            memory = self.get(user_id, current)
            if memory is None or current in deleted:
                continue
            if current != memory_id and memory.active:
                continue  # a related memory still in force is not history
            self.delete(user_id, current)
            deleted.append(current)
            pending.extend(memory.related_ids)
        return deleted

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

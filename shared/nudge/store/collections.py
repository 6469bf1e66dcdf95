"""Repositories for the per-user collections."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from nudge.memory.text import memory_terms, question_mask
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
    utcnow,
)
from nudge.store.codec import VECTOR_FIELDS, encode_fields, to_document
from nudge.store.memory_terms import MemoryTermIndex, encode_entry
from nudge.store.repository import NotFound, UserScopedRepository
from nudge.store.vector_shards import Extras, StoredVectors, VectorShards

if TYPE_CHECKING:
    from nudge.store.memory_vectors import MemoryVectorCache

# Memories a bulk write holds: with up to 32 term and 64 vector shard merges, within
# Firestore's 500 writes a batch.
BULK_LIMIT = 400
# And at most about this many bytes a batch: 400 long memories (4,000 characters, a vector and
# five sentence vectors each) come to some 5 MB, over the emulator's 4 MiB gRPC message (the
# cloud's commit limit is 10 MiB).
BULK_BYTES = 2_000_000


def _write_size(memory: Memory) -> int:
    """Roughly what writing a memory and its index entries sends: the text and words twice
    (the document and its term entry), its vector as doubles in the document and float16 in
    its vector shard, its sentence vectors in float16."""
    words = len(memory.content.encode()) + sum(len(k) + 4 for k in memory.keywords)
    vector = len(memory.embedding or ()) * 10
    sentences = sum(len(v) * 2 for v in memory.sentence_embeddings or ())
    return 2 * words + vector + sentences + 512


def _bulk_parts(items: Mapping[str, Memory]) -> Iterator[dict[str, Memory]]:
    """`items` in parts that each fit one batch (BULK_LIMIT memories, BULK_BYTES)."""
    part: dict[str, Memory] = {}
    size = 0
    for memory_id, memory in items.items():
        cost = _write_size(memory)
        if part and (len(part) == BULK_LIMIT or size + cost > BULK_BYTES):
            yield part
            part, size = {}, 0
        part[memory_id] = memory
        size += cost
    if part:
        yield part


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

    def follow_ups_due(self, before: datetime, limit: int = 500) -> list[ReminderOccurrence]:
        """Sent occurrences whose pending follow-up is due before `before`, any user."""
        query = (
            self._group()
            .where(filter=FieldFilter("status", "==", OccurrenceStatus.sent.value))
            .where(filter=FieldFilter("follow_up_due_at", "<", before))
            .order_by("follow_up_due_at")
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

    def change(
        self, user_id: str, doc_id: str, decide: Callable[[Note], dict[str, Any] | None]
    ) -> tuple[Note, bool]:
        """Read the note, let `decide` name the fields to set (None: leave it), write them, in
        one transaction: two changes at once (appends from two texts, a sync's pull) both
        count. (The note as read, whether it was written.)"""
        ref = self._collection(user_id).document(doc_id)

        @firestore.transactional
        def run(transaction) -> tuple[Note, bool]:
            snapshot = ref.get(transaction=transaction)
            if not snapshot.exists:
                raise NotFound(f"{self.collection}/{doc_id}")
            note = self._decode(snapshot)
            fields = decide(note)
            if fields is None:
                return note, False
            transaction.update(ref, encode_fields({**fields, "updated_at": utcnow()}))
            return note, True

        return run(self.db.transaction())


class AgentLogRepository(UserScopedRepository[AgentLog]):
    collection = "agent_logs"
    model = AgentLog


class MemoryRepository(UserScopedRepository[Memory]):
    """Memories, and their entries in the per-user term index and vector shards, written
    together: every write here (add, patch, delete, bulk put, new embeddings) stages them in
    the same batch."""

    collection = "memories"
    model = Memory
    # Everything but the embedding (1 KiB+ a memory), for reads that do not need it.
    _WITHOUT_EMBEDDING = [
        n
        for n, field in Memory.model_fields.items()
        if n != "id" and n not in VECTOR_FIELDS and not field.exclude
    ]
    # The fields an index entry is made of.
    _INDEXED = frozenset({"content", "tags", "keywords", "active", "created_at"})

    def __init__(self, db: firestore.Client) -> None:
        super().__init__(db)
        self.terms = _process_wide(db).terms
        self.vector_shards = VectorShards(db)

    @property
    def vectors(self) -> MemoryVectorCache:
        """The in-process copy of users' embeddings (NumPy loads only where it is used)."""
        return _process_wide(self.db).vectors

    @staticmethod
    def _entry(memory: Memory) -> str:
        # Keywords beyond the memory's own words are context (what it was said in reply to).
        own = set(memory_terms(memory.content, memory.tags))
        return encode_entry(
            memory.content,
            memory.tags,
            active=memory.active,
            said_at=memory.created_at,
            context=[k for k in memory.keywords if k not in own],
        )

    def _stage_index(
        self,
        batch,
        user_id: str,
        entries: dict[str, str],
        vectors: Mapping[str, Sequence[float] | None] | None = None,
        extras: Mapping[str, Extras] | None = None,
    ) -> None:
        """Term entries and, when given, the same memories' vectors (None or empty: removed)
        and their extras (`VectorShards.stage_put`): their term shards are then marked changed
        too, which is how in-process vector copies learn to read those vector shards again."""
        self.terms.stage_put(batch, user_id, entries, new_embeddings=vectors is not None)
        if vectors is not None:
            self.vector_shards.stage_put(
                batch, user_id, {i: vector or None for i, vector in vectors.items()}, extras
            )

    @staticmethod
    def _extras(memory: Memory) -> Extras:
        return Extras(memory.sentence_embeddings, memory.lead_in_id, question_mask(memory.content))

    def add(self, user_id: str, item: Memory, *, doc_id: str | None = None) -> Memory:
        """Store a new memory (with `doc_id`, fail if it exists) and its index entry."""
        collection = self._collection(user_id)
        ref = collection.document(doc_id) if doc_id else collection.document()
        batch = self.db.batch()
        batch.create(ref, to_document(item))
        self._stage_index(
            batch,
            user_id,
            {ref.id: self._entry(item)},
            {ref.id: item.embedding} if item.embedding else None,
            {ref.id: self._extras(item)},
        )
        batch.commit()
        return item.model_copy(update={"id": ref.id})

    def _write_in_parts(
        self,
        user_id: str,
        items: Mapping[str, Memory],
        write_document: Callable[[Any, Any, Memory], None] | None,
        extras: Callable[[Memory], Extras],
    ) -> None:
        """Each part of `items` (`_bulk_parts`) in one batch: its documents (`write_document`
        (batch, reference, memory); None: the index only) with their index entries, vectors
        and extras, so a memory and its entries are never apart."""
        collection = self._collection(user_id)
        for part in _bulk_parts(items):
            batch = self.db.batch()
            if write_document is not None:
                for memory_id, memory in part.items():
                    write_document(batch, collection.document(memory_id), memory)
            self._stage_index(
                batch,
                user_id,
                {i: self._entry(m) for i, m in part.items()},
                {i: m.embedding for i, m in part.items()},
                {i: extras(m) for i, m in part.items()},
            )
            batch.commit()

    def put_many(self, user_id: str, items: dict[str, Memory]) -> None:
        """Set memories by id (replacing any there), each with its entries in the same batch:
        at most BULK_LIMIT (so the shard merges fit in Firestore's 500 writes), split further
        by size (BULK_BYTES: long memories). Replaced memories may carry new embeddings under
        unchanged entries: the vectors are staged too."""
        if len(items) > BULK_LIMIT:
            raise ValueError(f"at most {BULK_LIMIT} memories a batch")
        self._write_in_parts(
            user_id,
            items,
            lambda batch, ref, memory: batch.set(ref, to_document(memory)),
            self._extras,
        )

    def patch(self, user_id: str, doc_id: str, **fields) -> None:
        """Like `update` without reading back; a change to what the index holds (content,
        tags, active, date) re-writes the entry in the same batch, as does a new embedding (the
        shard's update time is what in-process vector copies check), whose sentence vectors
        are `sentence_embeddings` (none if not given)."""
        sentence_vectors = fields.pop("sentence_embeddings", ())
        if not (self._INDEXED | set(VECTOR_FIELDS)) & fields.keys():
            super().patch(user_id, doc_id, **fields)
            return
        current = self.get(user_id, doc_id)
        if current is None:
            raise NotFound(f"{self.collection}/{doc_id}")
        changed = current.model_copy(update=fields)
        batch = self.db.batch()
        batch.update(
            self._collection(user_id).document(doc_id),
            encode_fields({**fields, "updated_at": utcnow()}),
        )
        vectors = {doc_id: fields["embedding"]} if "embedding" in fields else None
        self._stage_index(
            batch,
            user_id,
            {doc_id: self._entry(changed)},
            vectors,
            {doc_id: Extras(sentence_vectors, changed.lead_in_id, question_mask(changed.content))},
        )
        batch.commit()

    def update(self, user_id: str, doc_id: str, **fields) -> Memory:
        self.patch(user_id, doc_id, **fields)
        return self.require(user_id, doc_id)

    def delete(self, user_id: str, doc_id: str) -> None:
        batch = self.db.batch()
        batch.delete(self._collection(user_id).document(doc_id))
        self.terms.stage_delete(batch, user_id, [doc_id])
        self.vector_shards.stage_delete(batch, user_id, [doc_id])
        batch.commit()

    def get_many(
        self, user_id: str, ids: Sequence[str], *, embeddings: bool = False
    ) -> list[Memory]:
        """The memories with these ids that exist, in the order asked (one `get_all`)."""
        if not ids:
            return []
        collection = self._collection(user_id)
        refs = [collection.document(i) for i in ids]
        fields = None if embeddings else self._WITHOUT_EMBEDDING
        found = {
            snapshot.id: self._decode(snapshot)
            for snapshot in self.db.get_all(refs, field_paths=fields)
            if snapshot.exists
        }
        return [found[i] for i in ids if i in found]

    def set_embeddings(self, user_id: str, items: dict[str, Memory]) -> None:
        """New embeddings (`embedding` and `sentence_embeddings`, after a change of embedder),
        in the vector shards too, with the memories' index entries staged again in the same
        batch: their term shards' update times tell the in-process vector copies to read them
        again."""
        if len(items) > BULK_LIMIT:
            raise ValueError(f"at most {BULK_LIMIT} memories a batch")
        self._write_in_parts(
            user_id,
            items,
            lambda batch, ref, memory: batch.update(ref, {"embedding": Vector(memory.embedding)}),
            self._extras,
        )

    def record_access(self, user_id: str, ids: Sequence[str], at: datetime) -> None:
        """Last access and count for recalled memories: one batch, one round trip."""
        batch = self.db.batch()
        for memory_id in ids:
            batch.update(
                self._collection(user_id).document(memory_id),
                {"last_accessed_at": at, "access_count": firestore.Increment(1)},
            )
        batch.commit()

    def rebuild_terms(self, user_id: str) -> int:
        """Write the term entry and vector of every memory of the user (for memories stored
        before the index, or before its current version; idempotent), then the built marker.
        Reads every memory with its embedding, BULK_LIMIT at a time: once a user. Returns
        how many."""
        part: dict[str, Memory] = {}
        done = 0

        def write() -> None:
            # The index only; the sentence vectors are not in the documents: kept as they are
            # (which are questions is read from the text).
            self._write_in_parts(
                user_id, part, None, lambda m: Extras(None, m.lead_in_id, question_mask(m.content))
            )

        for doc in self._collection(user_id).stream():
            part[doc.id] = self._decode(doc)
            if len(part) == BULK_LIMIT:
                write()
                done, part = done + len(part), {}
        if part:
            write()
            done += len(part)
        batch = self.db.batch()
        self.terms.stage_built(batch, user_id)
        batch.commit()
        return done

    def count(self, user_id: str, *, active_only: bool = True) -> int:
        """How many memories: an aggregation, no documents read."""
        query = self._collection(user_id)
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
        embeddings: bool = True,
    ) -> list[tuple[Memory, float]]:
        """Memories closest to `query_vector` by cosine distance, nearest first.

        The pre-filter on `active` needs a composite vector index in the cloud (declared in
        infra/); the emulator needs none.
        """
        query = self._collection(user_id)
        if active_only:
            query = query.where(filter=FieldFilter("active", "==", True))
        if not embeddings:  # recall needs the distance, not the vectors (1 KiB+ each)
            query = query.select([*self._WITHOUT_EMBEDDING, "vector_distance"])
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


class _ProcessWide:
    """What a process keeps between requests for one Firestore client: the parsed term-index
    shards and the embeddings copy. Every request builds a new `Store`; without this, each
    agent turn would parse every shard and read every vector shard of the user again."""

    def __init__(self, db: firestore.Client) -> None:
        self.terms = MemoryTermIndex(db)
        self._db = weakref.ref(db)
        self._vectors: MemoryVectorCache | None = None
        self._lock = threading.Lock()

    @property
    def vectors(self) -> MemoryVectorCache:
        with self._lock:
            if self._vectors is None:
                from nudge.store.memory_vectors import MemoryVectorCache

                self._vectors = MemoryVectorCache(self._read_vectors)
            return self._vectors

    def _read_vectors(self, user_id: str, shards: Sequence[str]) -> StoredVectors:
        db = self._db()
        if db is None:
            return StoredVectors({}, {}, {}, {})
        return VectorShards(db).read(user_id, shards)


# Keyed weakly by client: a test's short-lived client takes its caches with it.
_PROCESS_WIDE: weakref.WeakKeyDictionary[Any, _ProcessWide] = weakref.WeakKeyDictionary()
_PROCESS_WIDE_LOCK = threading.Lock()


def _process_wide(db: firestore.Client) -> _ProcessWide:
    with _PROCESS_WIDE_LOCK:
        found = _PROCESS_WIDE.get(db)
        if found is None:
            found = _PROCESS_WIDE[db] = _ProcessWide(db)
        return found

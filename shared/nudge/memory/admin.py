"""Memory operations for people and benchmarks: ingest, search, export, re-embed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field

from nudge.memory.embedding import embed_memories
from nudge.memory.index_rebuild import rebuild_if_stale
from nudge.memory.recall import Mode, RecallHit, recall
from nudge.memory.text import Tags, keywords
from nudge.models import Memory, MemoryType, User
from nudge.store import Store
from nudge.store.collections import BULK_LIMIT

# Turns this close in time, one after the other, are one conversation (one session).
CONTEXT_GAP = timedelta(hours=6)
BATCH = BULK_LIMIT  # with the term-index shard merges, within Firestore's 500 writes


# The longest text one ingested item may have (a longer one stops the import at its line).
MAX_TEXT = 4000


class IngestItem(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    timestamp: datetime
    speaker: str | None = None
    # Optional search words the text lacks (what consolidation asks the LLM for).
    tags: Tags = Field(default_factory=list)


def read_jsonl(lines: Iterable[str]) -> Iterator[IngestItem]:
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                yield IngestItem.model_validate_json(line)
            except ValueError as exc:
                raise ValueError(f"line {number}: {exc}") from exc


def user_for(store: Store, phone: str) -> User:
    return store.users.find_by_phone(phone) or store.users.create(User(phone=phone))


def _replied_to(previous: IngestItem | None, item: IngestItem) -> IngestItem | None:
    """The question this item answers, if it follows one in the same conversation (the
    file's order, the same session: within CONTEXT_GAP): an answer rarely repeats the
    question's words ("How's the running going?" / "It's been great for my headspace")."""
    if previous is None or "?" not in previous.text:
        return None  # a reply to a statement (a reaction) would only echo its words
    gap = _aware(item.timestamp) - _aware(previous.timestamp)
    return previous if timedelta(0) <= gap <= CONTEXT_GAP else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ingest(store: Store, embedder, user_id: str, items: Iterable[IngestItem]) -> int:
    """Store items as memories (id `src-{item id}`, so ingesting twice changes nothing),
    through the same dated embedding and keywords as remembered facts; the words of the turn
    an item follows join its keywords as context (weighted lower by the lexical path)."""
    count = 0
    chunk: list[tuple[IngestItem, IngestItem | None]] = []
    previous: IngestItem | None = None

    def flush() -> None:
        nonlocal count
        if not chunk:
            return
        # What is stored is what is embedded (as `reembed` would): the speaker too.
        contents = [i.text if not i.speaker else f"{i.speaker}: {i.text}" for i, _ in chunk]
        vectors = embed_memories(
            embedder, [(c, i.timestamp.date()) for c, (i, _) in zip(contents, chunk, strict=True)]
        )
        memories: dict[str, Memory] = {}
        for (item, context), content, vector in zip(chunk, contents, vectors, strict=True):
            timestamp = _aware(item.timestamp)
            words = keywords(item.text, tags=item.tags)
            if context is not None:
                words = sorted(set(words) | set(keywords(context.text)))
            memories[f"src-{item.id}"] = Memory(
                content=content,
                memory_type=MemoryType.event,
                tags=item.tags,
                keywords=words,
                source_ids=[item.id],
                created_at=timestamp,
                updated_at=timestamp,
                valid_from=timestamp,
                embedding=vector.whole,
                sentence_embeddings=vector.sentences,
                lead_in_id=f"src-{context.id}" if context is not None else None,
            )
        # The memories and their term-index entries in one batch.
        store.memories.put_many(user_id, memories)
        count += len(chunk)
        chunk.clear()

    for item in items:
        chunk.append((item, _replied_to(previous, item)))
        previous = item
        if len(chunk) == BATCH:
            flush()
    flush()
    return count


def search(
    store: Store, embedder, user_id: str, query: str, *, k: int, mode: Mode = "fused"
) -> list[RecallHit]:
    """`nudge memory search`: recall as a turn does, except that a missing or older index is
    built here first, inline (the person ran a command and waits for it; the CLI has no queue
    or function to hand it to), so a command's answer is never from a partial index."""
    rebuild_if_stale(store, user_id)
    return recall(
        store, embedder, user_id, query, now=datetime.now(UTC), k=k, mode=mode, touch=False
    )


def source_id(hit: RecallHit) -> str:
    return hit.memory.source_ids[0] if hit.memory.source_ids else hit.memory.id or ""


def export(store: Store, user_id: str) -> Iterator[str]:
    for memory in store.memories.list(user_id):
        yield json.dumps(memory.model_dump(mode="json", exclude={"embedding"}))


def reembed(store: Store, embedder, user_ids: list[str]) -> int:
    """Recompute every memory's embedding with the current embedder (after changing it)."""
    done = 0
    for user_id in user_ids:
        memories = store.memories.list(user_id)
        for start in range(0, len(memories), BATCH):
            part = memories[start : start + BATCH]
            vectors = embed_memories(embedder, [(m.content, m.created_at.date()) for m in part])
            store.memories.set_embeddings(
                user_id,
                {
                    m.id or "": m.model_copy(
                        update={"embedding": v.whole, "sentence_embeddings": v.sentences}
                    )
                    for m, v in zip(part, vectors, strict=True)
                },
            )
            done += len(part)
    return done

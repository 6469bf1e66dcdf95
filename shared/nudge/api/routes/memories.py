"""Memories: what Nudge keeps about you, searched with the same ranking as the agent's recall,
and forgotten for good (with older versions of the same fact)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from nudge.api.context import ApiContext
from nudge.api.router import router
from nudge.models import Memory, MemoryType


class MemoryOut(BaseModel):
    id: str
    content: str
    memory_type: MemoryType
    tags: list[str]
    importance: float
    active: bool
    created_at: datetime
    invalidated_at: datetime | None = Field(description="when it stopped being true, if it did")
    archived_reason: str | None

    @classmethod
    def of(cls, memory: Memory) -> MemoryOut:
        return cls.model_validate(memory.model_dump(exclude={"embedding"}))


class MemoryList(BaseModel):
    memories: list[MemoryOut]


class MemoryQuery(BaseModel):
    limit: int = Field(100, ge=1, le=500)


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=500, description="what to look for")
    limit: int = Field(10, ge=1, le=50)
    include_past: bool = Field(False, description="also what is no longer true")


class SearchHit(BaseModel):
    memory: MemoryOut
    score: float


class SearchResults(BaseModel):
    hits: list[SearchHit]


class Forgotten(BaseModel):
    forgotten_ids: list[str] = Field(description="the memory and the older versions it replaced")


def _newest(ctx: ApiContext, *, active: bool, limit: int) -> list[Memory]:
    memories = ctx.store.memories.list(ctx.user_id, where=[("active", "==", active)])
    memories.sort(key=lambda m: m.created_at, reverse=True)
    return memories[:limit]


@router.route("GET", "/v1/memories", tag="memories", query=MemoryQuery, response=MemoryList)
def list_memories(ctx: ApiContext, query: MemoryQuery) -> MemoryList:
    """What Nudge remembers now, newest first."""
    return MemoryList(
        memories=[MemoryOut.of(m) for m in _newest(ctx, active=True, limit=query.limit)]
    )


@router.route("GET", "/v1/memories/history", tag="memories", query=MemoryQuery, response=MemoryList)
def memory_history(ctx: ApiContext, query: MemoryQuery) -> MemoryList:
    """What is kept as history: facts that stopped being true, and faded memories."""
    return MemoryList(
        memories=[MemoryOut.of(m) for m in _newest(ctx, active=False, limit=query.limit)]
    )


@router.route(
    "GET", "/v1/memories/search", tag="memories", query=SearchQuery, response=SearchResults
)
def search_memories(ctx: ApiContext, query: SearchQuery) -> SearchResults:
    """Search memories the way Nudge recalls them in a conversation (words and meaning)."""
    from nudge.memory.recall import recall

    tools = ctx.tools()
    hits = recall(
        ctx.store,
        tools.embedder,
        ctx.user_id,
        query.q,
        now=ctx.now,
        k=query.limit,
        touch=False,
        include_past=query.include_past,
        queue=ctx.deps.queue,
    )
    return SearchResults(
        hits=[SearchHit(memory=MemoryOut.of(h.memory), score=round(h.score, 4)) for h in hits]
    )


@router.route("GET", "/v1/memories/{memory_id}", tag="memories", response=MemoryOut)
def get_memory(ctx: ApiContext, memory_id: str) -> MemoryOut:
    """One memory."""
    return MemoryOut.of(ctx.store.memories.require(ctx.user_id, memory_id))


@router.route("DELETE", "/v1/memories/{memory_id}", tag="memories", response=Forgotten)
def forget_memory(ctx: ApiContext, memory_id: str) -> Forgotten:
    """Forget a memory for good, with its embedding and the older versions it replaced."""
    ctx.store.memories.require(ctx.user_id, memory_id)
    return Forgotten(forgotten_ids=ctx.store.memories.delete_with_history(ctx.user_id, memory_id))

"""remember / recall / forget: explicit long-term memory."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.memory.embedding import embed_memory
from nudge.memory.recall import RecallHit
from nudge.memory.recall import recall as recall_memories
from nudge.memory.text import SAME_FACT_DISTANCE, Tags, keywords
from nudge.models import Memory, MemoryType
from nudge.timezones import local_now


class RememberArgs(BaseModel):
    content: str = Field(min_length=2, max_length=1000, description="the fact, in one sentence")
    memory_type: MemoryType = Field(MemoryType.fact, description="what kind of memory this is")
    tags: Tags = Field(
        default_factory=list,
        description="up to 8 words they might search with later that the sentence lacks: "
        "broader topics and synonyms (e.g. food, restaurant for a favourite takeaway)",
    )


@tool("remember", RememberArgs)
def remember(ctx: ToolContext, args: RememberArgs) -> dict:
    """Save something the user explicitly asked you to remember, as one clear sentence."""
    today = local_now(ctx.timezone, ctx.now).date()
    vectors = embed_memory(ctx.embedder, args.content, today)
    for existing, distance in ctx.store.memories.nearest(ctx.user.id, vectors.whole, limit=1):
        same_words = existing.content.casefold().split() == args.content.casefold().split()
        if distance <= SAME_FACT_DISTANCE or same_words:
            ctx.store.memories.patch(
                ctx.user.id,
                existing.id or "",
                source_ids=existing.source_ids + ctx.source_message_ids,
                importance=min(1.0, existing.importance + 0.1),
            )
            return {"ok": True, "id": existing.id, "already_known": True}
    memory = ctx.store.memories.add(
        ctx.user.id,
        Memory(
            content=args.content,
            memory_type=args.memory_type,
            tags=args.tags,
            keywords=keywords(args.content, tags=args.tags),
            source_ids=ctx.source_message_ids,
            valid_from=ctx.now,
            importance=0.7,
            dynamic_importance=0.7,
            embedding=vectors.whole,
            sentence_embeddings=vectors.sentences,
        ),
    )
    return {"ok": True, "id": memory.id}


class RecallArgs(BaseModel):
    query: str = Field(min_length=1, max_length=500, description="what to look for")
    limit: int = Field(5, ge=1, le=10)
    include_past: bool = Field(
        False,
        description="also search what is no longer true (where they used to live, old plans)",
    )


@tool("recall", RecallArgs, reads_only=True)
def recall(ctx: ToolContext, args: RecallArgs) -> dict:
    """Search what the user told you before. Use it before saying you don't know."""
    hits = recall_memories(
        ctx.store,
        ctx.embedder,
        ctx.user.id,
        args.query,
        now=ctx.now,
        k=args.limit,
        include_past=args.include_past,
        queue=ctx.reminder_deps.queue if ctx.reminder_deps is not None else None,
    )
    return {"memories": [_shown(ctx, hit) for hit in hits]}


def _shown(ctx: ToolContext, hit: RecallHit) -> dict:
    memory = hit.memory
    shown = {
        "id": memory.id,
        "content": memory.content,
        "date": local_now(ctx.timezone, memory.created_at).date().isoformat(),
        "score": round(hit.score, 3),
        # Cosine distance when the vector path found it; lexical-only hits count as close.
        "distance": round(hit.distance if hit.distance is not None else 0.5, 3),
    }
    # History is marked so it is not told as current; a faded memory is archived, not untrue.
    if memory.invalidated_at is not None:
        ended = local_now(ctx.timezone, memory.invalidated_at).date().isoformat()
        shown["no_longer_true_since"] = ended
        shown["why"] = memory.archived_reason
    elif not memory.active:
        shown["archived"] = memory.archived_reason
    return shown


class ForgetArgs(BaseModel):
    memory_id: str | None = None
    query: str | None = Field(None, description="what to forget, if no id")


@tool("forget", ForgetArgs)
def forget(ctx: ToolContext, args: ForgetArgs) -> dict:
    """Delete a memory for good (with its embedding) when the user asks you to forget it."""
    memory_id = args.memory_id
    if memory_id is None:
        if not args.query:
            return {"question": "What should I forget?"}
        # The best match among everything stored, history included: a fact no longer true
        # is still kept until forgotten. The reply names what was forgotten, so a wrong pick
        # is seen, and forgetting a fact in force takes its older versions with it.
        hits = recall_memories(
            ctx.store,
            ctx.embedder,
            ctx.user.id,
            args.query,
            now=ctx.now,
            k=1,
            touch=False,
            include_past=True,
        )
        if not hits:
            return {"ok": False, "message": "I don't have anything like that."}
        memory_id = hits[0].memory.id
    memory = ctx.store.memories.get(ctx.user.id, memory_id or "")
    if memory is None:
        return {"ok": False, "message": "I don't have that memory."}
    ctx.store.memories.delete_with_history(ctx.user.id, memory_id or "")
    return {"ok": True, "forgot": memory.content}

"""remember / recall: explicit long-term memory."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import Memory, MemoryType
from nudge.timezones import local_now

_WORD = re.compile(r"[a-z0-9']+")
_STOPWORD_TEXT = (
    "a an and are as at be but by did do does for from had has have i i'm in is it its me "
    "my of on or our she that the their them they this to was we were what when where "
    "which who why will with you your "
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Two memories this close (cosine distance) say the same thing.
SAME_FACT_DISTANCE = 0.04


def keywords(text: str) -> list[str]:
    words = [w.strip("'").removesuffix("'s") for w in _WORD.findall(text.lower())]
    return sorted({w for w in words if w and w not in _STOPWORDS})[:40]


class RememberArgs(BaseModel):
    content: str = Field(min_length=2, max_length=1000, description="the fact, in one sentence")
    memory_type: MemoryType = Field(MemoryType.fact, description="what kind of memory this is")
    tags: list[str] = Field(default_factory=list, max_length=10)


@tool("remember", RememberArgs)
def remember(ctx: ToolContext, args: RememberArgs) -> dict:
    """Save something the user explicitly asked you to remember, as one clear sentence."""
    vector = ctx.embedder.embed_documents([args.content])[0]
    for existing, distance in ctx.store.memories.nearest(ctx.user.id, vector, limit=1):
        if distance <= SAME_FACT_DISTANCE:
            ctx.store.memories.update(
                ctx.user.id, existing.id, source_ids=existing.source_ids + ctx.source_message_ids
            )
            return {"ok": True, "id": existing.id, "already_known": True}
    memory = ctx.store.memories.add(
        ctx.user.id,
        Memory(
            content=args.content,
            memory_type=args.memory_type,
            tags=args.tags,
            keywords=keywords(args.content),
            source_ids=ctx.source_message_ids,
            valid_from=ctx.now,
            importance=0.7,
            embedding=vector,
        ),
    )
    return {"ok": True, "id": memory.id}


class RecallArgs(BaseModel):
    query: str = Field(min_length=1, max_length=500, description="what to look for")
    limit: int = Field(5, ge=1, le=10)


@tool("recall", RecallArgs)
def recall(ctx: ToolContext, args: RecallArgs) -> dict:
    """Search what the user told you before. Use it before saying you don't know."""
    vector = ctx.embedder.embed_query(args.query)
    hits = ctx.store.memories.nearest(ctx.user.id, vector, limit=args.limit)
    return {
        "memories": [
            {
                "content": memory.content,
                "date": local_now(ctx.timezone, memory.created_at).date().isoformat(),
                "distance": round(distance, 3),
            }
            for memory, distance in hits
        ]
    }

"""Recall: vector and lexical candidates, fused and re-ranked, cut to a token budget.

Vector search (`find_nearest`, pre-filtered to active memories of one user) finds paraphrases;
the lexical path (normalized keywords and LLM-written tags in an array field, counted and
fetched with `array_contains`, ranked by BM25, since Firestore has no full-text search) finds
names and rare words embeddings blur. The two rankings are fused with reciprocal rank fusion,
then re-ranked with recency and importance (after Generative
Agents), deduplicated and cut to a token budget. Access statistics are written in the
background so the turn does not wait for them.
"""

from __future__ import annotations

import logging
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Literal

from google.api_core.exceptions import GoogleAPIError
from google.cloud import firestore
from pydantic import BaseModel

from nudge.memory.text import MAX_QUERY_KEYWORDS, keywords
from nudge.models import Memory
from nudge.store import Store

log = logging.getLogger("nudge.memory")

Mode = Literal["fused", "vector", "lexical"]
RRF_K = 60
WEIGHTS = {"relevance": 1.0, "recency": 0.15, "importance": 0.15}
RECENCY_HALF_LIFE_DAYS = 30.0
BM25_K1 = 1.2
BM25_B = 0.75
# Memories are fetched for the rarest few words of a query, at most this many a word.
FETCHED_WORDS = 8
POSTINGS_LIMIT = 60
# Shared by every recall in the process (threads start on first use).
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="nudge-recall")


class RecallHit(BaseModel):
    memory: Memory
    score: float
    vector_rank: int | None = None
    lexical_rank: int | None = None
    # Cosine distance, when the vector path found it.
    distance: float | None = None


def lexical_candidates(
    store: Store, user_id: str, query: str, limit: int, *, include_past: bool = False
) -> list[Memory]:
    """Memories sharing the query's keywords, ranked by BM25 (Robertson's defaults).

    Each word's document frequency is a count (an aggregation: no documents read); memories
    are fetched only for the rarest FETCHED_WORDS words, at most POSTINGS_LIMIT each, so a
    turn reads a few hundred documents at most. Every word still scores: a memory's keywords
    say which words it holds. Keywords are sets (a word occurs once in a memory); the average
    length comes from the memories found.
    """
    words = keywords(query, limit=MAX_QUERY_KEYWORDS)
    if not words:
        return []
    active_only = not include_past
    total = _POOL.submit(store.memories.count, user_id, active_only=active_only)
    frequency = dict(
        zip(
            words,
            _POOL.map(
                lambda word: store.memories.count(user_id, keyword=word, active_only=active_only),
                words,
            ),
            strict=True,
        )
    )
    rarest = sorted((w for w in words if frequency[w]), key=lambda w: (frequency[w], w))
    fetched = _POOL.map(
        lambda word: store.memories.with_keyword(
            user_id, word, limit=POSTINGS_LIMIT, active_only=active_only
        ),
        rarest[:FETCHED_WORDS],
    )
    found = {memory.id: memory for memories in fetched for memory in memories}
    if not found:
        return []
    documents = max(total.result(), len(found))
    idf = {
        word: math.log(1 + (documents - n + 0.5) / (n + 0.5)) for word, n in frequency.items() if n
    }
    average_length = sum(len(m.keywords) for m in found.values()) / len(found) or 1.0

    def score(memory: Memory) -> float:
        length = 1 - BM25_B + BM25_B * len(memory.keywords) / average_length
        held = set(memory.keywords)
        saturation = (BM25_K1 + 1) / (1 + BM25_K1 * length)
        return sum(weight * saturation for word, weight in idf.items() if word in held)

    ranked = sorted(found.values(), key=lambda m: (-score(m), m.id or ""))
    return ranked[:limit]


def recall(
    store: Store,
    embedder,
    user_id: str,
    query: str,
    *,
    now: datetime,
    k: int = 10,
    mode: Mode = "fused",
    token_budget: int | None = None,
    touch: bool = True,
    include_past: bool = False,
) -> list[RecallHit]:
    """The memories that best answer `query`, best first. With `include_past`, also what is
    no longer true (invalidated or archived), for questions about the past and for forgetting."""
    pool = max(k * 3, 20)
    vector_ranked: list[tuple[Memory, float]] = []
    lexical_ranked: list[Memory] = []
    if mode in ("fused", "vector"):
        vector = embedder.embed_query(query)
        vector_ranked = store.memories.nearest(
            user_id, vector, limit=pool, active_only=not include_past
        )
    if mode in ("fused", "lexical"):
        try:
            lexical_ranked = lexical_candidates(
                store, user_id, query, pool, include_past=include_past
            )
        except GoogleAPIError:
            if mode == "lexical":
                raise
            # The vector path alone still answers; a turn is worth more than one ranking.
            log.warning("lexical recall failed; vector candidates only", exc_info=True)

    by_id: dict[str, RecallHit] = {}
    for rank, (memory, distance) in enumerate(vector_ranked, 1):
        by_id[memory.id or ""] = RecallHit(
            memory=memory, score=0.0, vector_rank=rank, distance=distance
        )
    for rank, memory in enumerate(lexical_ranked, 1):
        hit = by_id.setdefault(memory.id or "", RecallHit(memory=memory, score=0.0))
        hit.lexical_rank = rank
    for hit in by_id.values():
        relevance = sum(1 / (RRF_K + r) for r in (hit.vector_rank, hit.lexical_rank) if r)
        relevance *= RRF_K / 2  # about 1.0 for a memory ranked first by both paths
        age_days = max((now - (hit.memory.last_accessed_at or hit.memory.created_at)).days, 0)
        recency = 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
        importance = hit.memory.dynamic_importance
        hit.score = (
            WEIGHTS["relevance"] * relevance
            + (WEIGHTS["recency"] * recency + WEIGHTS["importance"] * importance) * relevance
        )
    ranked = sorted(by_id.values(), key=lambda h: -h.score)

    hits: list[RecallHit] = []
    seen: set[str] = set()
    used = 0
    for hit in ranked:
        key = " ".join(hit.memory.content.casefold().split())
        if key in seen:
            continue
        cost = len(hit.memory.content) // 4 + 8
        if token_budget is not None and used + cost > token_budget:
            break
        seen.add(key)
        used += cost
        hits.append(hit)
        if len(hits) == k:
            break
    if touch and hits:
        _touch_in_background(store, user_id, [h.memory.id or "" for h in hits], now)
    return hits


def _touch_in_background(store: Store, user_id: str, ids: list[str], now: datetime) -> None:
    def write() -> None:
        try:
            batch = store.db.batch()
            for memory_id in ids:
                batch.update(
                    store.memories._collection(user_id).document(memory_id),
                    {"last_accessed_at": now, "access_count": firestore.Increment(1)},
                )
            batch.commit()
        except Exception:  # statistics only: never worth failing a turn for
            log.warning("could not record memory access", exc_info=True)

    threading.Thread(target=write, daemon=True).start()

"""Recall: BM25 over all of a user's memories and vector neighbours, fused by score.

The lexical path is real BM25 over every memory of the user, from the per-user term index
(`nudge.store.memory_terms`); the vector path is `find_nearest` (or, in the local stack, a
per-process copy of the user's embeddings: `nudge.store.memory_vectors`), over the user's
active memories, asked without the words most of their memories hold. Fusion is score-aware:
each path's scores become standard scores over the candidates (both paths' pools), so a path
whose best memory stands far above its others moves the ranking more than a path whose pool
is flat (a weak embedder on chat text), and are combined with weights chosen on the
benchmark's development conversations, moved per query towards the path whose best candidate
stands out more (CONFIDENCE_MIX: its best score's margin over its third); lexical candidates
the vector pool missed get their real cosine similarity, so a memory strong on one path is
never lost for being absent from the other. A second hop adds the best memories' rarest words
to the query at a fraction of a weight (pseudo-relevance feedback: multi-part questions reach
the turn that shares words with the first answer, not with the question), and its ranking is
averaged with the first (HOP_MIX), so what the question itself found keeps half its say.
Memories said on days the
question names ("in June", "last week") are raised; recency and importance only break
near-ties. Access statistics are written before returning, in one batch.

Recall never builds a user's index. If it is missing or of an older version, the lexical path
reads the older term shards (version 1 holds the same entries; none: no lexical path), the
vector path is `find_nearest` (the vector shards are what is missing), and one background
rebuild is asked for (`nudge.memory.index_rebuild`).
"""

from __future__ import annotations

import heapq
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

from google.api_core.exceptions import GoogleAPIError
from pydantic import BaseModel

from nudge.memory import index_rebuild, query_dates
from nudge.memory.lexical import Corpus
from nudge.memory.text import terms
from nudge.models import Memory
from nudge.store import Store

if TYPE_CHECKING:
    from nudge.queue.client import TaskQueue

log = logging.getLogger("nudge.memory")

Mode = Literal["fused", "vector", "lexical"]
# Fusion weights, chosen on the development conversations of the long bench sets (hard,
# chatty, long) with the MiniLM embedder (`bench_memory.py --tune`).
LEXICAL_WEIGHT = 0.4
VECTOR_WEIGHT = 0.6
MIN_SIMILARITY_SPREAD = 0.2
# How a path's scores are put on one scale: "z" (standard scores over the candidates) or
# "minmax" (BM25 / its best, cosine between the pool's weakest neighbour and the best).
NORMALISATION = "z"
# How the scaled scores are combined: "score" (weighted sum) or "rrf" (reciprocal rank
# fusion, k=RRF_K), and how much each query's own weights follow each path's confidence
# (its top score's margin over its MARGIN_AT-th; 0: fixed weights).
FUSION = "score"
RRF_K = 60
CONFIDENCE_MIX = 0.5
# A path's confidence: its top score's margin over its MARGIN_AT-th (over the third, not
# the tenth: whether one memory stands out, not whether a few do).
MARGIN_AT = 3
# In process, a memory that answers another (an imported chat turn after a question) is at
# least this share of its lead-in's similarity: "What got you into pottery, Leah?" / "A coworker
# dragged me to a trial class".
LEAD_IN_WEIGHT = 0.8
# In process, a question's vectors (a one-sentence question, or a question sentence of a
# longer memory) count this share: a question is near the questions asked of recall, and
# it is what its answer follows, not what answers them (its answer gets LEAD_IN_WEIGHT of
# its full similarity).
QUESTION_WEIGHT = 0.75
# The vector path leaves out words this common (with at least this many memories).
COMMON_SHARE = 0.1
COMMON_MIN_MEMORIES = 50
# Second hop: words of the best FEEDBACK_MEMORIES first-pass memories join the query.
FEEDBACK_MEMORIES = 3
FEEDBACK_TERMS = 8
FEEDBACK_WEIGHT = 0.75
# The second pass's share of the final score (1: it replaces the first; below 1, a memory the
# question itself ranked high keeps some of that when the added words pull in others).
HOP_MIX = 0.5
# A memory said on a day the question names: this share of its relevance more.
DATE_BONUS = 0.3
# Tie-breakers only: at most this much of a relevance of 1.
RECENCY_WEIGHT = 0.02
IMPORTANCE_WEIGHT = 0.02
RECENCY_HALF_LIFE_DAYS = 30.0
# Shared by every recall in the process (threads start on first use).
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="nudge-recall")


class RecallHit(BaseModel):
    memory: Memory
    score: float
    vector_rank: int | None = None
    lexical_rank: int | None = None
    # Cosine distance, when known (the vector path found it, or its embedding was read).
    distance: float | None = None


def _vector_search() -> str:
    from nudge.settings import get_settings

    return get_settings().memory_vector_search


class UserIndex(NamedTuple):
    # BM25 over the user's term shards; None: the user has no term index at all yet.
    corpus: Corpus | None
    # Of the current VERSION: every memory also has its vector shard entry.
    current: bool


def load_index(store: Store, user_id: str, *, include_past: bool = False) -> UserIndex:
    """The user's term index as stored, current or not (it is never built here)."""
    found = store.memories.terms.read(user_id)
    if found.version is None:
        return UserIndex(None, False)
    return UserIndex(Corpus(found.shards, include_past=include_past), found.current)


def _request_rebuild(queue: TaskQueue | None, user_id: str) -> None:
    from nudge.settings import get_settings

    if queue is None:
        from nudge.queue.client import default_task_queue

        queue = default_task_queue()
    index_rebuild.request_rebuild(queue, get_settings(), user_id)


def query_terms(query: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term in terms(query):
        weights[term] = 1.0  # a word said twice in a question is not twice as asked
    return weights


def _without_common_words(query: str, corpus: Corpus | None) -> str:
    """The query as the vector path embeds it: without the words in more than COMMON_SHARE
    of the user's memories (a speaker's name in a chat of two), which a static embedding
    would weigh like any other and so pull in every greeting that names them."""
    if corpus is None or corpus.size < COMMON_MIN_MEMORIES:
        return query
    kept = [
        word
        for word in query.split()
        if not (stems := terms(word))
        or corpus.document_frequency(stems[0]) <= COMMON_SHARE * corpus.size
    ]
    return " ".join(kept) or query


def _expanded(corpus: Corpus, query: dict[str, float], best: list[str]) -> dict[str, float]:
    """The query with the rarest words of its best memories added at FEEDBACK_WEIGHT."""
    votes: dict[str, float] = {}
    for memory_id in best[:FEEDBACK_MEMORIES]:
        for term in set(corpus.terms_of(memory_id)):
            if term not in query:
                votes[term] = votes.get(term, 0.0) + corpus.idf(corpus.document_frequency(term))
    chosen = sorted(votes, key=lambda t: (-votes[t], t))[:FEEDBACK_TERMS]
    if not chosen:
        return query
    top = votes[chosen[0]]
    return query | {t: FEEDBACK_WEIGHT * votes[t] / top for t in chosen}


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _normalised(scores: dict[str, float]) -> dict[str, float]:
    best = max(scores.values(), default=0.0)
    return {i: s / best for i, s in scores.items()} if best > 0 else {}


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
    queue: TaskQueue | None = None,
) -> list[RecallHit]:
    """The memories that best answer `query`, best first. With `include_past`, also what is
    no longer true (invalidated or archived), for questions about the past and for forgetting.
    `queue`: where a rebuild of an index that is not current is asked for (None: the
    process's task queue)."""
    pool = max(k * 3, 30)
    active_only = not include_past
    corpus: Corpus | None = None
    current = False
    rebuild = None
    try:
        corpus, current = load_index(store, user_id, include_past=include_past)
    except GoogleAPIError:
        if mode == "lexical":
            raise
        # The vector path alone still answers; a turn is worth more than one ranking.
        log.warning("lexical recall failed; vector candidates only", exc_info=True)
    else:
        if not current:
            # Asked while the paths run; waited for (briefly) before returning.
            rebuild = _POOL.submit(_request_rebuild, queue, user_id)
            if corpus is None:
                log.info("user %s has no memory term index yet: no lexical recall", user_id)
            else:
                log.info(
                    "user %s has an older memory index: its term shards and find_nearest "
                    "until the rebuild",
                    user_id,
                )

    vector_future = None
    # The in-process copy reads the vector shards, complete only in a current index.
    in_process = corpus is not None and current and _vector_search() == "in_process"
    if mode in ("fused", "vector"):
        embedded = _without_common_words(query, corpus)
        shards = corpus.shards if corpus is not None else []
        loaded_near: dict[str, Memory] = {}  # what find_nearest returned, whole

        def vector_path() -> tuple[list[float], list[tuple[str, float]], dict[str, float]]:
            """The query vector, the nearest pool (id, similarity), and every similarity
            known (all of the user's memories in process; the pool's with find_nearest)."""
            vector = embedder.embed_query(embedded)
            if in_process:
                every = store.memories.vectors.similarities(
                    user_id,
                    shards,
                    vector,
                    active_only=active_only,
                    lead_in_weight=LEAD_IN_WEIGHT,
                    question_weight=QUESTION_WEIGHT,
                )
                nearest = heapq.nsmallest(pool, every, key=lambda i: (-every[i], i))
                return vector, [(i, every[i]) for i in nearest], every
            found = store.memories.nearest(
                user_id, vector, limit=pool, active_only=active_only, embeddings=False
            )
            loaded_near.update({m.id or "": m for m, _ in found})
            pairs = [(m.id or "", 1.0 - d) for m, d in found]
            return vector, pairs, dict(pairs)

        vector_future = _POOL.submit(vector_path)

    lexical: dict[str, float] = {}
    asked = query_terms(query)
    if mode in ("fused", "lexical") and corpus is not None:
        lexical = corpus.bm25(asked)
    lexical_ranked = sorted(lexical, key=lambda i: (-lexical[i], i))
    # The best lexical candidates are read (with embeddings when fusion needs their cosine
    # and the vector path does not know it) while the vector query runs.
    prefetched = _POOL.submit(
        store.memories.get_many,
        user_id,
        lexical_ranked[:pool],
        embeddings=mode == "fused" and not in_process,
    )

    query_vector: list[float] = []
    neighbours: list[tuple[str, float]] = []
    known_similarity: dict[str, float] = {}
    if vector_future is not None:
        query_vector, neighbours, known_similarity = vector_future.result()

    loaded: dict[str, Memory] = {m.id or "": m for m in prefetched.result()}
    if vector_future is not None:
        loaded |= loaded_near
    similarity = dict(neighbours)
    vector_rank = {i: r for r, (i, _) in enumerate(neighbours, 1)}
    lexical_rank = {i: r for r, i in enumerate(lexical_ranked[:pool], 1)}

    if mode == "vector":
        order = [i for i, _ in neighbours]
        scores = similarity
    elif mode == "lexical":
        order = lexical_ranked[:pool]
        scores = lexical
    else:
        order, scores = _fuse(
            store, user_id, corpus, asked, lexical, similarity, known_similarity, loaded,
            query_vector, pool, now, query,
        )  # fmt: skip

    missing = [i for i in order[:pool] if i not in loaded]
    if missing:
        loaded |= {m.id or "": m for m in store.memories.get_many(user_id, missing)}

    # The same text said twice is shown once, at the better rank: the newer saying of it.
    newest: dict[str, str] = {}
    for memory_id in order:
        memory = loaded.get(memory_id)
        if memory is not None:
            key = " ".join(memory.content.casefold().split())
            kept = loaded.get(newest.get(key, ""))
            if kept is None or memory.created_at > kept.created_at:
                newest[key] = memory_id

    hits: list[RecallHit] = []
    seen: set[str] = set()
    used = 0
    for ranked_id in order:
        if ranked_id not in loaded:
            continue
        key = " ".join(loaded[ranked_id].content.casefold().split())
        if key in seen:
            continue
        memory_id = newest[key]
        memory = loaded[memory_id]
        cost = len(memory.content) // 4 + 8
        if token_budget is not None and used + cost > token_budget:
            break
        seen.add(key)
        used += cost
        hits.append(
            RecallHit(
                memory=memory,
                score=scores.get(memory_id, 0.0),
                vector_rank=vector_rank.get(memory_id),
                lexical_rank=lexical_rank.get(memory_id),
                distance=1.0 - similarity[memory_id] if memory_id in similarity else None,
            )
        )
        if len(hits) == k:
            break
    if touch and hits:
        try:
            store.memories.record_access(user_id, [h.memory.id or "" for h in hits], now)
        except GoogleAPIError:  # statistics only: never worth failing a turn for
            log.warning("could not record memory access", exc_info=True)
    if rebuild is not None:
        rebuild.result()  # never raises; bounded by the enqueue's timeout
    return hits


def _margin(scores: dict[str, float]) -> float:
    """How far a path's best candidate stands out: 1 - its MARGIN_AT-th score / its first."""
    top = sorted(scores.values(), reverse=True)[:MARGIN_AT]
    if not top or top[0] <= 0:
        return 0.0
    return 1.0 - max(top[-1], 0.0) / top[0]


def _standardised(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    mean = sum(scores.values()) / len(scores)
    spread = math.sqrt(sum((s - mean) ** 2 for s in scores.values()) / len(scores)) or 1.0
    return {i: (s - mean) / spread for i, s in scores.items()}


def _weights(lexical_norm: dict[str, float], vector_norm: dict[str, float]) -> tuple[float, float]:
    """The paths' weights for this query: the fixed ones, moved by CONFIDENCE_MIX towards
    each path's share of the two margins."""
    if CONFIDENCE_MIX <= 0:
        return LEXICAL_WEIGHT, VECTOR_WEIGHT
    lexical_margin = LEXICAL_WEIGHT * _margin(lexical_norm)
    vector_margin = VECTOR_WEIGHT * _margin(vector_norm)
    if lexical_margin + vector_margin <= 0:
        return LEXICAL_WEIGHT, VECTOR_WEIGHT
    share = lexical_margin / (lexical_margin + vector_margin)
    lexical = (1 - CONFIDENCE_MIX) * LEXICAL_WEIGHT + CONFIDENCE_MIX * share
    return lexical, 1.0 - lexical


def _fuse(
    store: Store,
    user_id: str,
    corpus: Corpus | None,
    asked: dict[str, float],
    lexical: dict[str, float],
    similarity: dict[str, float],
    known_similarity: dict[str, float],
    loaded: dict[str, Memory],
    query_vector: list[float],
    pool: int,
    now: datetime,
    query: str,
) -> tuple[list[str], dict[str, float]]:
    """Both paths' candidates, ranked by their normalised scores combined (see the module)."""

    def candidates(scores: dict[str, float]) -> list[str]:
        return sorted(scores, key=lambda i: (-scores[i], i))[:pool]

    def combine(lexical_scores: dict[str, float]) -> dict[str, float]:
        ids = set(candidates(lexical_scores)) | vector_pool
        for memory_id in ids:
            if memory_id not in similarity and memory_id in known_similarity:
                similarity[memory_id] = known_similarity[memory_id]
        unknown = [i for i in ids if i not in similarity and i not in loaded]
        if unknown and query_vector:
            for memory in store.memories.get_many(user_id, unknown, embeddings=True):
                loaded[memory.id or ""] = memory
        for memory_id in ids:
            if memory_id not in similarity and query_vector:
                embedding = loaded[memory_id].embedding if memory_id in loaded else None
                similarity[memory_id] = _cosine(query_vector, embedding) if embedding else 0.0
        lexical_norm = _normalised(lexical_scores)
        if NORMALISATION == "z":
            # Each path's scores as standard scores over the candidates: a path whose best
            # memory stands far above its others moves the ranking more than a flat one.
            lexical_scaled = _standardised({i: lexical_scores.get(i, 0.0) for i in ids})
            vector_scaled = _standardised({i: similarity.get(i, 0.0) for i in ids})
            lexical_weight, vector_weight = _weights(
                lexical_norm, _normalised({i: similarity.get(i, 0.0) for i in ids})
            )
        else:
            lexical_scaled = {i: lexical_norm.get(i, 0.0) for i in ids}
            values = [similarity[i] for i in ids if i in similarity]
            high = max(values, default=0.0)
            # The floor is the pool's weakest neighbour (beyond the pool the vector path has
            # no say), and at least MIN_SIMILARITY_SPREAD below the best: among a few
            # memories, a hair's difference in cosine is not the whole scale.
            low = min((s for i, s in similarity.items() if i in vector_pool), default=0.0)
            low = min(low, high - MIN_SIMILARITY_SPREAD)
            spread = high - low
            vector_scaled = {}
            for memory_id in ids:
                vector_scaled[memory_id] = 0.0
                if spread > 0 and memory_id in similarity:
                    vector_scaled[memory_id] = max(0.0, (similarity[memory_id] - low) / spread)
            lexical_weight, vector_weight = _weights(lexical_norm, vector_scaled)
        if FUSION == "rrf":
            lexical_order = candidates(lexical_scores)
            vector_order = sorted(ids, key=lambda i: (-vector_scaled[i], i))
            fused = dict.fromkeys(ids, 0.0)
            for rank, memory_id in enumerate(lexical_order, 1):
                fused[memory_id] += lexical_weight / (RRF_K + rank)
            for rank, memory_id in enumerate(vector_order, 1):
                fused[memory_id] += vector_weight / (RRF_K + rank)
            return fused
        return {
            i: lexical_weight * lexical_scaled[i] + vector_weight * vector_scaled[i] for i in ids
        }

    vector_pool = set(similarity)  # before combine() adds the lexical candidates' cosines
    fused = combine(lexical)
    if corpus is not None and lexical:
        best = candidates(fused)
        expanded = _expanded(corpus, asked, best)
        if expanded is not asked:
            first, second = fused, combine(corpus.bm25(expanded))
            fused = {
                i: (1 - HOP_MIX) * first.get(i, 0.0) + HOP_MIX * second.get(i, 0.0)
                for i in first.keys() | second.keys()
            }

    # On a scale of 0 to 1 from here: the date bonus is relative, the tie-breakers absolute.
    low, high = min(fused.values(), default=0.0), max(fused.values(), default=0.0)
    if high > low:
        fused = {i: (score - low) / (high - low) for i, score in fused.items()}
    named = query_dates.spans(query, now)
    days = corpus.days() if (named and corpus is not None) else {}
    for memory_id in fused:
        bonus = 0.0
        day = days.get(memory_id)
        if day is not None and query_dates.matches(day, named):
            bonus += DATE_BONUS * fused[memory_id]  # relative: a date alone is no answer
        memory = loaded.get(memory_id)
        if memory is not None:
            age_days = max((now - (memory.last_accessed_at or memory.created_at)).days, 0)
            bonus += RECENCY_WEIGHT * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
            bonus += IMPORTANCE_WEIGHT * memory.dynamic_importance
        fused[memory_id] += bonus
    return candidates(fused), fused

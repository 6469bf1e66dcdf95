"""Nearest memories by cosine from an in-process copy of a user's embeddings.

The local stack's alternative to `find_nearest` (`NUDGE_MEMORY_VECTOR_SEARCH=in_process`): the
Firestore emulator answers `find_nearest` by scanning and decoding every vector, some 600 ms
at 10,000 memories, while a matrix product over the same vectors takes a few milliseconds.
The copy is read from the user's vector shards (`vector_shards`: float16 unit vectors, 64
documents, one `get_all`), not from every memory document, and kept in step with the term
index (`memory_terms`): every write of a memory's embedding stages its index entry in the same
batch, so a term shard whose update time did not change has no changed vector, and only the
vector shards of changed term shards are read again. In the cloud the vector index serves
`find_nearest` (a cold instance would still read 64 shards of the user first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nudge.store import memory_terms, vector_shards
from nudge.store.memory_terms import ParsedShard

_USERS_KEPT = 8  # users whose embeddings a process keeps (10,000 of 384 dims: about 15 MB)


@dataclass
class _ShardVectors:
    ids: list[str]
    matrix: np.ndarray  # one unit row a memory
    active: np.ndarray  # which rows are active memories
    # Sentence vectors (`vector_shards`: a memory of several sentences), one row each, with
    # the row of the memory each belongs to.
    sentences: np.ndarray
    owners: np.ndarray
    # (row, the id of the memory it answers), for the rows that answer one.
    lead_ins: list[tuple[int, str]]
    # Which rows, and which sentence rows, are questions (`text.question_mask`).
    questions: np.ndarray
    sentence_questions: np.ndarray


def _unit_rows(blobs: list[bytes], dimension: int) -> np.ndarray:
    flat = np.frombuffer(b"".join(blobs), dtype=vector_shards.DTYPE)
    matrix = flat.reshape(-1, dimension).astype(np.float32)
    # Unit length again: float16 rounds each component.
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return matrix


def _vector_shards(shard: ParsedShard) -> list[str]:
    """The vector shards of a term shard's memories (all of a shard's ids share its hash)."""
    if not shard.entries:
        return []
    return vector_shards.shards_of_term_shard(int(memory_terms.shard_of(next(iter(shard.entries)))))


def _decode(shard: ParsedShard, stored: vector_shards.StoredVectors) -> list[_ShardVectors]:
    """A term shard's vectors, one matrix a dimension (a half-done re-embed mixes them)."""
    encoded = stored.vectors
    by_size: dict[int, list[str]] = {}
    for memory_id in shard.entries:
        if memory_id in encoded:
            by_size.setdefault(len(encoded[memory_id]), []).append(memory_id)
    rows = []
    for size, ids in by_size.items():
        dimension = size // np.dtype(vector_shards.DTYPE).itemsize
        matrix = _unit_rows([encoded[i] for i in ids], dimension)
        active = np.array([shard.entries[i].active for i in ids], dtype=bool)
        # Sentence vectors of the same dimension only (a whole number of rows of it).
        said = [
            (n, blob)
            for n, i in enumerate(ids)
            if (blob := stored.sentences.get(i)) and len(blob) % size == 0
        ]
        sentences = _unit_rows([blob for _, blob in said], dimension)
        owners = np.array([n for n, blob in said for _ in range(len(blob) // size)], dtype=int)
        lead_ins = [(n, stored.lead_ins[i]) for n, i in enumerate(ids) if i in stored.lead_ins]
        masks = [int(stored.questions.get(i, 0)) for i in ids]
        questions = np.array([bool(mask & 1) for mask in masks], dtype=bool)
        sentence_questions = np.array(
            [bool(masks[n] >> (k + 1) & 1) for n, blob in said for k in range(len(blob) // size)],
            dtype=bool,
        )
        rows.append(
            _ShardVectors(
                ids, matrix, active, sentences, owners, lead_ins, questions, sentence_questions
            )
        )
    return rows


class MemoryVectorCache:
    def __init__(self, read_shards: Callable[[str, Sequence[str]], vector_shards.StoredVectors]):
        # (user id, vector shard names) -> their encoded vectors (`vector_shards`).
        self._read = read_shards
        # user -> {id(term shard): (that shard, its rows)}: the shard is held, so its id is not
        # reused by another while cached.
        self._users: OrderedDict[str, dict[int, tuple[ParsedShard, list[_ShardVectors]]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def _rows(self, user_id: str, shards: list[ParsedShard]) -> list[_ShardVectors]:
        with self._lock:
            kept = dict(self._users.get(user_id, {}))
        by_shard: dict[int, tuple[ParsedShard, list[_ShardVectors]]] = {}
        stale: list[ParsedShard] = []
        for shard in shards:
            cached = kept.get(id(shard))
            if cached is not None and cached[0] is shard:
                by_shard[id(shard)] = cached
            else:
                stale.append(shard)
        if stale:
            stored = self._read(user_id, [v for shard in stale for v in _vector_shards(shard)])
            for shard in stale:
                by_shard[id(shard)] = (shard, _decode(shard, stored))
        with self._lock:
            self._users[user_id] = by_shard
            self._users.move_to_end(user_id)
            while len(self._users) > _USERS_KEPT:
                self._users.popitem(last=False)
        return [row for _, rows in by_shard.values() for row in rows]

    def similarities(
        self,
        user_id: str,
        shards: list[ParsedShard],
        query_vector: Sequence[float],
        *,
        active_only: bool = True,
        lead_in_weight: float = 0.0,
        question_weight: float = 1.0,
    ) -> dict[str, float]:
        """Cosine similarity of every memory of the user (active ones unless told) to the
        query, from the shards the term index just read: a memory's best vector (the whole
        text or one sentence; a question's times `question_weight`: a question is near other
        questions, and it is not what answers them), or `lead_in_weight` of the memory it
        answers, at its full similarity, if more (the answer to "What got you into pottery?"
        rarely says pottery)."""
        query = np.asarray(query_vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if norm == 0:
            return {}
        query /= norm
        scored = []
        own: dict[str, float] = {}  # undiscounted: what a lead-in passes on
        for row in self._rows(user_id, shards):
            if row.matrix.shape[1] != query.shape[0]:
                continue  # embedded by another model: `nudge memory reembed` aligns them
            best = row.matrix @ query
            scores = np.where(row.questions, question_weight * best, best)
            if len(row.owners):
                sentence = row.sentences @ query
                np.maximum.at(best, row.owners, sentence)
                asked = np.where(row.sentence_questions, question_weight * sentence, sentence)
                np.maximum.at(scores, row.owners, asked)
            if lead_in_weight > 0:
                own.update(zip(row.ids, best.tolist(), strict=True))
            scored.append((row, scores))
        if lead_in_weight > 0 and any(row.lead_ins for row, _ in scored):
            for row, scores in scored:
                for n, lead_in in row.lead_ins:
                    if lead_in in own:
                        scores[n] = max(scores[n], lead_in_weight * own[lead_in])
        found: dict[str, float] = {}
        for row, scores in scored:
            kept = np.flatnonzero(row.active) if active_only else range(len(row.ids))
            found.update((row.ids[n], float(scores[n])) for n in kept)
        return found

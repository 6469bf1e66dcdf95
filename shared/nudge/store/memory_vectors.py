"""Nearest memories by cosine from an in-process copy of a user's embeddings.

The local stack's alternative to `find_nearest` (`NUDGE_MEMORY_VECTOR_SEARCH=in_process`): the
Firestore emulator answers `find_nearest` by scanning and decoding every vector, some 600 ms
at 10,000 memories, while a matrix product over the same vectors takes a few milliseconds.
The copy is kept in step with the term index (`memory_terms`): every write of a memory (and
of its embedding) stages its index entry in the same batch, so a shard whose update time did
not change holds no changed embedding, and only the memories of changed shards are read
again. In the cloud the vector index serves `find_nearest`, and a cold instance would read
every embedding of the user first: there it stays off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nudge.store.memory_terms import ParsedShard

_USERS_KEPT = 8  # users whose embeddings a process keeps (10,000 memories: about 15 MB)


@dataclass
class _ShardVectors:
    shard: ParsedShard  # the parsed shard these rows were read for (identity = version)
    ids: list[str]
    matrix: np.ndarray  # one unit row a memory
    active_ids: list[str]
    active_matrix: np.ndarray  # the rows of the active memories only


class MemoryVectorCache:
    def __init__(self, read_embeddings: Callable[[str, Sequence[str]], dict[str, list[float]]]):
        # (user id, memory ids) -> {memory id: embedding}, for the memories that have one.
        self._read = read_embeddings
        self._users: OrderedDict[str, dict[int, _ShardVectors]] = OrderedDict()
        self._lock = threading.Lock()

    def _rows(self, user_id: str, shards: list[ParsedShard]) -> list[_ShardVectors]:
        with self._lock:
            kept = dict(self._users.get(user_id, {}))
        rows: list[_ShardVectors] = []
        stale: list[ParsedShard] = []
        for shard in shards:
            cached = kept.get(id(shard))
            if cached is not None and cached.shard is shard:
                rows.append(cached)
            else:
                stale.append(shard)
        if stale:
            wanted = [i for shard in stale for i in shard.entries]
            embeddings = self._read(user_id, wanted)
            for shard in stale:
                ids = [i for i in shard.entries if embeddings.get(i)]
                matrix = np.asarray([embeddings[i] for i in ids], dtype=np.float32)
                if ids:
                    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                    matrix /= np.maximum(norms, 1e-12)
                active = [n for n, i in enumerate(ids) if shard.entries[i].active]
                rows.append(
                    _ShardVectors(
                        shard,
                        ids,
                        matrix,
                        [ids[n] for n in active],
                        matrix[active] if ids else matrix,
                    )
                )
        with self._lock:
            self._users[user_id] = {id(r.shard): r for r in rows}
            self._users.move_to_end(user_id)
            while len(self._users) > _USERS_KEPT:
                self._users.popitem(last=False)
        return rows

    def similarities(
        self,
        user_id: str,
        shards: list[ParsedShard],
        query_vector: Sequence[float],
        *,
        active_only: bool = True,
    ) -> dict[str, float]:
        """Cosine similarity of every memory of the user (active ones unless told) to the
        query, from the shards the term index just read."""
        query = np.asarray(query_vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if norm == 0:
            return {}
        query /= norm
        found: dict[str, float] = {}
        for row in self._rows(user_id, shards):
            ids, matrix = (
                (row.active_ids, row.active_matrix) if active_only else (row.ids, row.matrix)
            )
            if not ids or matrix.shape[1] != query.shape[0]:
                continue  # embedded by another model: `nudge memory reembed` aligns them
            found.update(zip(ids, (matrix @ query).tolist(), strict=True))
        return found

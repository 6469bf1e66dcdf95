"""Every memory's embedding, also kept compact in a few per-user shard documents.

`users/{user_id}/memory_vectors/{shard}` holds `vectors.{memory_id}` = the unit-normalised
embedding as float16, little-endian (768 bytes at 384 dimensions, a quarter of what the
memory document's `Vector` of doubles takes). A process's first vector recall of a user
(`memory_vectors`, the local stack's in-process search) reads these SHARDS documents in one
`get_all` instead of every memory document: the emulator decodes 10,000 memory documents in
some 20 s, 64 shard documents in a fraction of a second.

A memory's vector shard is its term-index shard (`memory_terms.shard_of`) or that plus 32:
the same hash modulo 64. Every write that changes an embedding stages the memory's term entry
in the same batch and bumps a counter on its term shard, so the term shard's update time,
read on every recall anyway, tells which vector shards to read again. Writes are field-path
merges and field deletes, never read-modify-write: a redelivered write leaves the same shards.

The cap: an entry is 2 bytes a dimension plus the memory id, so within Firestore's 1 MiB a
document 64 shards hold about 80,000 memories of 384 dimensions, 40,000 of 768, 10,000 of
3,072 (less about a tenth for the hash's unevenness). A write beyond it fails with
Firestore's document-size error. Written in every environment (see README "Memory").
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from google.cloud import firestore

from nudge.store import memory_terms

COLLECTION = "memory_vectors"
SHARDS = 2 * memory_terms.SHARDS  # a vector shard n belongs to term shard n % 32
# float16, little-endian: struct's code, and NumPy's dtype to read it.
STRUCT_CODE, DTYPE = "e", "<f2"


def shard_of(memory_id: str) -> str:
    return f"{zlib.crc32(memory_id.encode()) % SHARDS:02d}"


def shards_of_term_shard(term_shard: int) -> list[str]:
    return [f"{n:02d}" for n in range(term_shard, SHARDS, memory_terms.SHARDS)]


def encode(vector: Sequence[float]) -> bytes:
    """The unit vector as float16 little-endian (struct: no NumPy on the write path). A zero
    vector stays zero (it is near nothing, as its cosine was before)."""
    norm = math.sqrt(math.fsum(x * x for x in vector))
    if not vector or not math.isfinite(norm):
        raise ValueError("an embedding must be a non-empty vector of finite numbers")
    return struct.pack(f"<{len(vector)}{STRUCT_CODE}", *(x / (norm or 1.0) for x in vector))


class VectorShards:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def _shard(self, user_id: str, shard: str) -> firestore.DocumentReference:
        return self.db.collection("users").document(user_id).collection(COLLECTION).document(shard)

    def stage_put(self, batch, user_id: str, vectors: Mapping[str, Sequence[float] | None]) -> None:
        """Set (or, for None, remove) memories' vectors: one merge a shard. Staged through
        `MemoryRepository._stage_index`, with the term entries marked changed in the batch."""
        by_shard: dict[str, dict[str, Any]] = {}
        for memory_id, vector in vectors.items():
            value = firestore.DELETE_FIELD if vector is None else encode(vector)
            by_shard.setdefault(shard_of(memory_id), {})[memory_id] = value
        for shard, part in by_shard.items():
            batch.set(self._shard(user_id, shard), {"vectors": part}, merge=True)

    def stage_delete(self, batch, user_id: str, memory_ids: Iterable[str]) -> None:
        self.stage_put(batch, user_id, dict.fromkeys(memory_ids))

    def read(self, user_id: str, shards: Iterable[str]) -> dict[str, bytes]:
        """memory id -> encoded vector, from these shards (one `get_all`)."""
        refs = [self._shard(user_id, s) for s in sorted(set(shards))]
        found: dict[str, bytes] = {}
        for snapshot in self.db.get_all(refs) if refs else ():
            if snapshot.exists:
                found |= (snapshot.to_dict() or {}).get("vectors", {})
        return found

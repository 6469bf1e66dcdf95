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

A memory's extras go with its embedding: `sentences.{memory_id}`, each sentence's unit
vector concatenated, for a memory of several (`nudge.memory.embedding`), and `lead_ins.
{memory_id}`, the id of the memory it answers (an imported chat turn after a question, also
in the memory document); and `questions.{memory_id}`, which of its vectors are questions
(`text.question_mask`, from its text); in-process recall scores a memory by its best vector,
a question's at a discount, or a share of its lead-in's. A rebuild from the memory documents,
which do not hold the sentence vectors, keeps those there (which are questions is read from
the text again); a lead-in, where the turn was said, stays until the memory goes.

The cap: an entry is 2 bytes a dimension plus the memory id (and as much again for each
sentence vector), so within Firestore's 1 MiB a document 64 shards hold about 80,000
one-sentence memories of 384 dimensions, 40,000 of 768, 10,000 of 3,072 (less about a tenth
for the hash's unevenness; a chat turn of three sentences counts four). A write beyond it
fails with Firestore's document-size error. Written in every environment (see README
"Memory").
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

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


class StoredVectors(NamedTuple):
    """What shards hold: memory id -> encoded embedding, -> its sentences' vectors, -> the id
    of the memory it answers."""

    vectors: dict[str, bytes]
    sentences: dict[str, bytes]
    lead_ins: dict[str, str]
    # memory id -> which of its vectors are questions (`text.question_mask`); none: none.
    questions: dict[str, int]


class Extras(NamedTuple):
    """What a memory's vector shard holds besides its embedding (see the module)."""

    # None: the sentence vectors stay as they are (a rebuild from the memory documents).
    sentences: Sequence[Sequence[float]] | None = ()
    lead_in: str | None = None
    # Which vectors are questions (`text.question_mask`); None: as they are.
    questions: int | None = 0


class VectorShards:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def _shard(self, user_id: str, shard: str) -> firestore.DocumentReference:
        return self.db.collection("users").document(user_id).collection(COLLECTION).document(shard)

    def stage_put(
        self,
        batch,
        user_id: str,
        vectors: Mapping[str, Sequence[float] | None],
        extras: Mapping[str, Extras] | None = None,
    ) -> None:
        """Set (or, for None, remove) memories' vectors: one merge a shard. With `extras`,
        each set memory's sentence vectors become those given (none: removed; None: kept) and
        a lead-in given is set; without, they stay. A lead-in goes only with its memory.
        Staged through `MemoryRepository._stage_index`, with the term entries marked changed
        in the batch."""
        gone = firestore.DELETE_FIELD
        by_shard: dict[str, dict[str, dict[str, Any]]] = {}
        for memory_id, vector in vectors.items():
            part = by_shard.setdefault(
                shard_of(memory_id),
                {"vectors": {}, "sentences": {}, "lead_ins": {}, "questions": {}},
            )
            if vector is None:
                for field in part.values():
                    field[memory_id] = gone
                continue
            part["vectors"][memory_id] = encode(vector)
            if extras is not None:
                extra = extras.get(memory_id) or Extras()
                if extra.sentences is not None:
                    encoded = b"".join(encode(v) for v in extra.sentences)
                    part["sentences"][memory_id] = encoded or gone
                if extra.questions is not None:
                    part["questions"][memory_id] = extra.questions or gone
                if extra.lead_in:  # where a turn was said: kept until the memory goes
                    part["lead_ins"][memory_id] = extra.lead_in
        for shard, part in by_shard.items():
            # An empty map under merge would replace the whole field: only what is said.
            batch.set(self._shard(user_id, shard), {k: v for k, v in part.items() if v}, merge=True)

    def stage_delete(self, batch, user_id: str, memory_ids: Iterable[str]) -> None:
        self.stage_put(batch, user_id, dict.fromkeys(memory_ids))

    def read(self, user_id: str, shards: Iterable[str]) -> StoredVectors:
        """The vectors of these shards' memories (one `get_all`)."""
        refs = [self._shard(user_id, s) for s in sorted(set(shards))]
        found = StoredVectors({}, {}, {}, {})
        for snapshot in self.db.get_all(refs) if refs else ():
            if snapshot.exists:
                data = snapshot.to_dict() or {}
                found.vectors.update(data.get("vectors", {}))
                found.sentences.update(data.get("sentences", {}))
                found.lead_ins.update(data.get("lead_ins", {}))
                found.questions.update(data.get("questions", {}))
        return found

"""How a memory is embedded: its dated text as a whole and, when it has several, each of its
sentences (`text.sentences`). Vector recall in process scores a memory by its best vector, so
a question about one sentence of a long turn meets that sentence, not the turn's average.
The whole vector is the memory's `embedding` (find_nearest, same-fact checks); the sentence
vectors live only in the vector shards (`nudge.store.vector_shards`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from nudge.memory.text import dated, sentences


class MemoryEmbedding(NamedTuple):
    whole: list[float]
    sentences: list[list[float]]


def embed_memories(embedder, items: Sequence[tuple[str, date]]) -> list[MemoryEmbedding]:
    """Each (content, day)'s vectors, in one embedder call for all of them."""
    texts = [dated(content, day) for content, day in items]
    split = [sentences(content) for content, _ in items]
    vectors = embedder.embed_documents(texts + [s for parts in split for s in parts])
    wholes, rest = vectors[: len(texts)], vectors[len(texts) :]
    found = []
    for whole, parts in zip(wholes, split, strict=True):
        found.append(MemoryEmbedding(list(whole), [list(v) for v in rest[: len(parts)]]))
        rest = rest[len(parts) :]
    return found


def embed_memory(embedder, content: str, day: date) -> MemoryEmbedding:
    return embed_memories(embedder, [(content, day)])[0]

"""BM25 over every memory of a user, from the per-user term index (no candidate cut).

Okapi BM25 with Lucene's IDF, log(1 + (N - n + 0.5) / (n + 0.5)): a word in half of all
memories (a speaker's name in a two-person chat) weighs about 0.7, a word in one memory of a
thousand about 7. Query terms are weighted (a second hop adds terms at a fraction of a weight).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from nudge.store.memory_terms import ParsedShard

# Robertson's defaults, as Lucene and Elasticsearch use them.
BM25_K1 = 1.2
BM25_B = 0.75
# "lucene": log(1 + (N - n + 0.5) / (n + 0.5)), never zero; "robertson": the classic
# log((N - n + 0.5) / (n + 0.5)) floored at 0, which gives a word in half the memories nothing.
IDF = "lucene"


@dataclass
class Corpus:
    """A user's indexed memories, as recall sees them (active only unless history is asked)."""

    shards: list[ParsedShard]
    include_past: bool = False

    def __post_init__(self) -> None:
        lengths = [
            e.length for s in self.shards for e in s.entries.values() if self._counts(e.active)
        ]
        self.size = len(lengths)
        self.average_length = (sum(lengths) / len(lengths)) if lengths else 1.0

    def _counts(self, active: bool) -> bool:
        return active or self.include_past

    def day(self, memory_id: str) -> date | None:
        for shard in self.shards:
            entry = shard.entries.get(memory_id)
            if entry is not None:
                return entry.day
        return None

    def days(self) -> dict[str, date]:
        return {
            i: e.day for s in self.shards for i, e in s.entries.items() if self._counts(e.active)
        }

    def postings(self, term: str) -> list[tuple[str, int, int]]:
        """(memory id, term frequency, memory length) of the memories holding `term`."""
        found = []
        for shard in self.shards:
            for memory_id, tf in shard.postings.get(term, ()):
                entry = shard.entries[memory_id]
                if self._counts(entry.active):
                    found.append((memory_id, tf, entry.length))
        return found

    def idf(self, document_frequency: int) -> float:
        n = document_frequency
        if IDF == "robertson":
            return max(0.0, math.log((self.size - n + 0.5) / (n + 0.5)))
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def bm25(self, query: Mapping[str, float]) -> dict[str, float]:
        """Every memory holding a query term, with its BM25 score (weighted query terms)."""
        scores: dict[str, float] = {}
        for term, weight in query.items():
            postings = self.postings(term)
            if not postings:
                continue
            idf = self.idf(len(postings)) * weight
            for memory_id, tf, length in postings:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * length / self.average_length)
                scores[memory_id] = scores.get(memory_id, 0.0) + idf * tf * (BM25_K1 + 1) / (
                    tf + norm
                )
        return scores

    def terms_of(self, memory_id: str) -> tuple[str, ...]:
        for shard in self.shards:
            entry = shard.entries.get(memory_id)
            if entry is not None:
                return entry.terms
        return ()

    def document_frequency(self, term: str) -> int:
        return len(self.postings(term))

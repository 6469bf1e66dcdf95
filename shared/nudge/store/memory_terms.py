"""A compact per-user term index: what BM25 needs of every memory, in a few shard documents.

Firestore has no full-text search, and counting and fetching postings word by word reads a
truncated candidate list. Instead each memory has one short entry, in one of SHARDS documents
`users/{user_id}/memory_terms/{shard}` chosen by a hash of its id:

    entries.{memory_id} = "A 20260801 melanie run:2 headspace"

(A active or P past, the day it was said, then its terms with counts above one). Recall reads
the shards in one `get_all` and scores every memory of the user: exact document frequencies and
lengths, no truncation. An entry is about 120 bytes, so 32 shards hold some 250,000 memories
within Firestore's 1 MiB a document. Every memory write stages its entry in the same batch
(`set` with merge, or a field delete), so a redelivered write leaves the same index. Parsed
shards are kept per process, keyed by update time: a shard no one wrote is not parsed again.
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from google.cloud import firestore

from nudge.memory.text import TERM_STOPWORDS, memory_terms

COLLECTION = "memory_terms"
SHARDS = 32
# The document saying every memory of the user has an entry and a vector shard entry
# (`vector_shards`): written with a new user, or after a rebuild. A user whose marker is of an
# older VERSION (1: terms only, the same entries) or missing is rebuilt in the background
# (`nudge.memory.index_rebuild`); recall meanwhile reads what there is (`read`).
BUILT = "built"
VERSION = 2
# A context word (from the turn a memory answered) counts this much of a word of its own.
CONTEXT_WEIGHT = 0.5
_PARSED_LIMIT = 512  # shards kept parsed in a process (16 users of 32 shards)


def shard_of(memory_id: str) -> str:
    return f"{zlib.crc32(memory_id.encode()) % SHARDS:02d}"


def encode_entry(
    content: str,
    tags: Iterable[str],
    *,
    active: bool,
    said_at: datetime,
    context: Iterable[str] = (),
) -> str:
    """`context`: words of what the memory was said in reply to (stored in its keywords, not
    its text), counted at CONTEXT_WEIGHT: an answer is found by the question's words too."""
    counts: dict[str, float] = dict(Counter(memory_terms(content, tags)))
    for term in context:
        if term not in counts and term not in TERM_STOPWORDS:
            counts[term] = CONTEXT_WEIGHT
    words = " ".join(t if n == 1 else f"{t}:{n:g}" for t, n in counts.items())
    return f"{'A' if active else 'P'} {said_at:%Y%m%d} {words}".rstrip()


@dataclass(slots=True)
class TermEntry:
    """One memory as the index holds it."""

    active: bool
    day: date
    length: float
    terms: tuple[str, ...]


@dataclass
class ParsedShard:
    entries: dict[str, TermEntry] = field(default_factory=dict)
    # term -> [(memory id, term frequency)]
    postings: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


def parse_shard(raw: dict[str, str]) -> ParsedShard:
    """Parse a shard's entries: on the path of a process's first recall of a user (10,000
    memories: some 0.1 s), so the loop is kept lean (days parsed once, no partition for the
    common word said once)."""
    shard = ParsedShard()
    entries, postings = shard.entries, shard.postings
    days: dict[str, date] = {}
    for memory_id, entry in raw.items():
        flag, said, *words = entry.split(" ")
        day = days.get(said)
        if day is None:
            day = days[said] = date(int(said[:4]), int(said[4:6]), int(said[6:8]))
        length = 0.0
        for n, word in enumerate(words):
            tf = 1.0
            if ":" in word:
                word, _, count = word.partition(":")
                words[n] = word
                tf = float(count)
            length += tf
            found = postings.get(word)
            if found is None:
                postings[word] = [(memory_id, tf)]
            else:
                found.append((memory_id, tf))
        entries[memory_id] = TermEntry(flag == "A", day, length, tuple(words))
    return shard


class MemoryTermIndex:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self._parsed: OrderedDict[str, tuple[Any, ParsedShard]] = OrderedDict()
        self._lock = threading.Lock()

    def _shard(self, user_id: str, shard: str) -> firestore.DocumentReference:
        return self.db.collection("users").document(user_id).collection(COLLECTION).document(shard)

    # -- writes: staged in the caller's batch, next to the memory's own write --

    def stage_put(
        self, batch, user_id: str, entries: dict[str, str], *, new_embeddings: bool = False
    ) -> None:
        """Set entries (memory id -> encoded entry): one merge a shard, so a batch of many
        memories stays within Firestore's writes a batch. With `new_embeddings`, the shards
        are changed even where the entries are not (a counter), so their update times tell
        in-process vector copies (`memory_vectors`) to read those memories again."""
        by_shard: dict[str, dict[str, str]] = {}
        for memory_id, entry in entries.items():
            by_shard.setdefault(shard_of(memory_id), {})[memory_id] = entry
        for shard, part in by_shard.items():
            fields: dict[str, Any] = {"entries": part}
            if new_embeddings:
                fields["embeddings_written"] = firestore.Increment(1)
            batch.set(self._shard(user_id, shard), fields, merge=True)

    def stage_delete(self, batch, user_id: str, memory_ids: Iterable[str]) -> None:
        by_shard: dict[str, dict[str, Any]] = {}
        for memory_id in memory_ids:
            by_shard.setdefault(shard_of(memory_id), {})[memory_id] = firestore.DELETE_FIELD
        for shard, part in by_shard.items():
            batch.set(self._shard(user_id, shard), {"entries": part}, merge=True)

    # -- reads --

    def stage_built(self, batch, user_id: str) -> None:
        """Record that every memory of the user is indexed: with a new user (nothing to
        index yet), or after a rebuild."""
        batch.set(self._shard(user_id, BUILT), {"version": VERSION})

    def read(self, user_id: str) -> TermShards:
        """Every shard of the user, parsed, whatever their built marker says, with the
        marker's version: recall reads them while a rebuild is pending too (a version-1
        index holds every memory's entry; without a marker, only what was written since the
        index)."""
        refs = [self._shard(user_id, f"{n:02d}") for n in range(SHARDS)]
        refs.append(self._shard(user_id, BUILT))
        found = TermShards(shards=[], version=None)
        for snapshot in self.db.get_all(refs):
            if not snapshot.exists:
                continue
            if snapshot.id == BUILT:
                found.version = _version(snapshot)
                continue
            key = snapshot.reference.path
            with self._lock:
                cached = self._parsed.get(key)
                if cached is not None and cached[0] == snapshot.update_time:
                    self._parsed.move_to_end(key)
                    found.shards.append(cached[1])
                    continue
            parsed = parse_shard((snapshot.to_dict() or {}).get("entries", {}))
            with self._lock:
                self._parsed[key] = (snapshot.update_time, parsed)
                while len(self._parsed) > _PARSED_LIMIT:
                    self._parsed.popitem(last=False)
            found.shards.append(parsed)
        return found

    def built_version(self, user_id: str) -> int | None:
        """The version of the user's built marker (one document read; None: never built)."""
        snapshot = self._shard(user_id, BUILT).get()
        return _version(snapshot) if snapshot.exists else None


def _version(marker) -> int:
    # Version-1 markers were `{"built": True}`, without a version.
    return int((marker.to_dict() or {}).get("version", 1))


@dataclass
class TermShards:
    """A user's term shards as stored, and the version of the index they make up."""

    shards: list[ParsedShard]
    # The built marker's VERSION; None: never built (the entries are only the memories
    # written since the index existed).
    version: int | None

    @property
    def current(self) -> bool:
        """Built at this VERSION: every memory has its entry and its vector shard entry."""
        return self.version is not None and self.version >= VERSION

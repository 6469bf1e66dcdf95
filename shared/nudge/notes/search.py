"""BM25 over one person's notes (title counted twice: it is what they name a note by).

Firestore has no full-text search, and a person's notes are few enough to rank in memory.
"""

from __future__ import annotations

import math
from collections import Counter

from pydantic import BaseModel

from nudge.models import Note
from nudge.notes.words import terms

K1 = 1.2
B = 0.75
MAX_NOTES_READ = 1000


class NoteHit(BaseModel):
    note: Note
    score: float


def note_terms(note: Note) -> list[str]:
    return terms(note.title) * 2 + terms(
        " ".join([note.body, note.summary or "", " ".join(note.tags)])
    )


def rank_notes(notes: list[Note], query: str, *, k: int = 5) -> list[NoteHit]:
    query_terms = list(dict.fromkeys(terms(query)))
    if not notes or not query_terms:
        return []
    documents = [Counter(note_terms(note)) for note in notes]
    lengths = [sum(d.values()) for d in documents]
    average = sum(lengths) / len(lengths) or 1.0
    containing = {t: sum(1 for d in documents if t in d) for t in query_terms}
    hits = []
    for note, counts, length in zip(notes, documents, lengths, strict=True):
        score = 0.0
        for term in query_terms:
            tf = counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (len(notes) - containing[term] + 0.5) / (containing[term] + 0.5))
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        if score > 0:
            hits.append(NoteHit(note=note, score=score))
    return sorted(hits, key=lambda h: (-h.score, -h.note.updated_at.timestamp()))[:k]


def find_notes(store, user_id: str, query: str, *, k: int = 5) -> list[NoteHit]:
    notes = store.notes.list(user_id, order_by="updated_at", descending=True, limit=MAX_NOTES_READ)
    return rank_notes(notes, query, k=k)

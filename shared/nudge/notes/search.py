"""BM25 over one person's notes (title counted twice: it is what they name a note by).

Firestore has no full-text search, and a person's notes are few enough to rank in memory.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from pydantic import BaseModel

from nudge.models import Note
from nudge.notes.words import terms

K1 = 1.2
B = 0.75
MAX_NOTES_READ = 1000
# The best match is the one meant when it scores this much above the next; else they're asked.
CLEAR_LEAD = 1.5
# "my note about the garden", "the garden note": the words naming a note, not its name.
_NOTE_WORDS = re.compile(
    r"^\s*(?:(?:my|the|a|that)\s+)?(?:notes?\s+(?:about|on|for|called|titled|named)\s+"
    r"(?:(?:my|the)\s+)?)?|\s+notes?\s*$",
    re.I,
)


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


def note_name(said: str) -> str:
    """What names the note in "my note about the garden" / "the garden note": "garden"."""
    return _NOTE_WORDS.sub("", said).strip(" \t.!?\"'“”‘’")


class NotePick(BaseModel):
    note: Note | None = None  # the one meant
    close: list[Note] = []  # several match about as well: ask which
    read: list[Note] = []  # the notes looked through (linking needs them too)


def pick_note(store, user_id: str, said: str) -> NotePick:
    """The note `said` names: its title (words normalized; of two so titled, the newer), else
    the clear best by words; several close: those; none: neither."""
    notes = store.notes.list(user_id, order_by="updated_at", descending=True, limit=MAX_NOTES_READ)
    wanted = terms(said)
    if wanted and (titled := [n for n in notes if terms(n.title) == wanted]):
        return NotePick(note=titled[0], read=notes)
    hits = rank_notes(notes, said)
    if not hits:
        return NotePick(read=notes)
    if len(hits) == 1 or hits[0].score >= CLEAR_LEAD * hits[1].score:
        return NotePick(note=hits[0].note, read=notes)
    close = [h.note for h in hits if h.score * CLEAR_LEAD > hits[0].score]
    return NotePick(close=close, read=notes)

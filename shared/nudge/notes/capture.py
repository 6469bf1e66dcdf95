"""Save a note, and link it both ways to the notes whose titles it mentions (or that mention
its title)."""

from __future__ import annotations

import re

from google.api_core.exceptions import Conflict
from google.cloud import firestore

from nudge.memory.text import keywords
from nudge.models import Note
from nudge.notes.words import terms
from nudge.store import Store

MAX_TITLE_WORDS = 8
MAX_NOTES_LINKED_FROM = 1000


def title_for(content: str) -> str:
    """A title from the note itself: the part before a colon if short, else its first words."""
    first_line = content.strip().splitlines()[0] if content.strip() else "note"
    head, sep, _ = first_line.partition(":")
    if sep and 0 < len(head.split()) <= MAX_TITLE_WORDS:
        return head.strip()
    words = first_line.split()
    return " ".join(words[:MAX_TITLE_WORDS]) + ("..." if len(words) > MAX_TITLE_WORDS else "")


def note_keywords(note: Note) -> list[str]:
    text = " ".join([note.title, note.body, note.summary or ""])
    return keywords(text, tags=note.tags, limit=200)


def mentions(text: str, title: str) -> bool:
    """Whether `text` names the note titled `title` (whole words, any case). Titles of a
    single ordinary word ("ideas") would link everything, so they need two words or more."""
    if len(terms(title)) < 2:
        return False
    pattern = r"(?<![\w])" + r"\s+".join(map(re.escape, title.split())) + r"(?![\w])"
    return re.search(pattern, text, re.I) is not None


def save_note(store: Store, user_id: str, note: Note, *, doc_id: str) -> tuple[Note, list[Note]]:
    """Store `note` under `doc_id` (a repeat finds it) and link it; (the note, notes linked)."""
    note = note.model_copy(update={"keywords": note_keywords(note)})
    try:
        saved = store.notes.add(user_id, note, doc_id=doc_id)
    except Conflict:
        saved = store.notes.require(user_id, doc_id)
    linked = link_note(store, user_id, saved)
    return saved, linked


def link_note(store: Store, user_id: str, note: Note) -> list[Note]:
    text = " ".join([note.title, note.body, note.summary or ""])
    others = store.notes.list(user_id, limit=MAX_NOTES_LINKED_FROM)
    linked = []
    for other in others:
        if other.id == note.id:
            continue
        other_text = " ".join([other.title, other.body, other.summary or ""])
        if mentions(text, other.title) or mentions(other_text, note.title):
            linked.append(other)
    if linked:
        # ArrayUnion: both sides, idempotent, and safe against a concurrent save.
        batch = store.db.batch()
        notes = store.notes._collection(user_id)
        batch.update(
            notes.document(note.id), {"linked_ids": firestore.ArrayUnion([o.id for o in linked])}
        )
        for other in linked:
            batch.update(notes.document(other.id), {"linked_ids": firestore.ArrayUnion([note.id])})
        batch.commit()
    return linked

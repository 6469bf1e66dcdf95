"""Save a note or add to one, and link it both ways to the notes whose titles it mentions (or
that mention its title)."""

from __future__ import annotations

import re
from datetime import datetime

from google.api_core.exceptions import Conflict
from google.cloud import firestore

from nudge.memory.text import keywords
from nudge.models import Note, NoteAppend
from nudge.notes.words import terms
from nudge.store import Store

MAX_TITLE_WORDS = 8
MAX_NOTES_LINKED_FROM = 1000
# One Notion paragraph's text: an append is one block, so the page reads back as the note does.
MAX_APPEND_CHARS = 2000
# A note appended to stays well inside one Notion page create (100 blocks of 2000) and one
# Firestore document (1 MiB, with its appends' record).
MAX_NOTE_CHARS = 50_000


class NoteFull(ValueError):
    """The note is as long as a note gets: start another."""


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


def append_text(
    store: Store,
    user_id: str,
    note_id: str,
    text: str,
    *,
    append_id: str,
    now: datetime,
    others: list[Note] | None = None,
) -> tuple[Note, list[Note], bool]:
    """Add `text` on a line of its own at the note's end, once per `append_id` (a repeated turn
    adds nothing), its words re-indexed and its links redone like a saved note's (against
    `others`, the person's notes just read, if given); recorded in `appends` for the Notion
    sync to push. (The note now, notes linked, whether it was added.)"""
    text = text.strip()
    if not text or len(text) > MAX_APPEND_CHARS:
        raise ValueError(f"an append is 1 to {MAX_APPEND_CHARS} characters")
    changed: list[Note] = []

    def decide(note: Note) -> dict | None:
        if append_id in note.appends:
            return None
        body = f"{note.body}\n{text}" if note.body else text
        if len(body) > MAX_NOTE_CHARS:
            raise NoteFull(note.title)
        entry = NoteAppend(text=text, at=now, seq=len(note.appends))
        edited = note.model_copy(
            update={"body": body, "appends": {**note.appends, append_id: entry}}
        )
        edited.keywords = note_keywords(edited)
        changed[:] = [edited]
        return {
            "body": body,
            "keywords": edited.keywords,
            f"appends.{append_id}": entry.model_dump(),
        }

    read, added = store.notes.change(user_id, note_id, decide)
    note = changed[0] if added else read
    return note, link_note(store, user_id, note, others=others), added


def link_note(
    store: Store, user_id: str, note: Note, *, others: list[Note] | None = None
) -> list[Note]:
    text = " ".join([note.title, note.body, note.summary or ""])
    if others is None:
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

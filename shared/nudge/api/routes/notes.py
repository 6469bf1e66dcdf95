"""Notes: listed, searched (the same BM25 as "find my note about ..."), added and deleted."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from nudge.api.context import ApiContext
from nudge.api.router import router
from nudge.models import Note


class NoteOut(BaseModel):
    id: str
    title: str
    body: str
    summary: str | None
    tags: list[str]
    linked_ids: list[str]
    source_url: str | None
    third_party: bool = Field(description="written from a video or page, not by you")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls.model_validate({**note.model_dump(), "third_party": note.untrusted})


class NoteList(BaseModel):
    notes: list[NoteOut]


class NoteQuery(BaseModel):
    q: str = Field("", max_length=300, description="words to search for; empty: newest")
    limit: int = Field(50, ge=1, le=200)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5000)
    title: str | None = Field(None, max_length=120)


@router.route("GET", "/v1/notes", tag="notes", query=NoteQuery, response=NoteList)
def list_notes(ctx: ApiContext, query: NoteQuery) -> NoteList:
    """Your notes, newest first, or the best matches for `q`."""
    from nudge.notes.search import find_notes

    if query.q.strip():
        notes = [hit.note for hit in find_notes(ctx.store, ctx.user_id, query.q, k=query.limit)]
    else:
        notes = ctx.store.notes.list(
            ctx.user_id, order_by="updated_at", descending=True, limit=query.limit
        )
    return NoteList(notes=[NoteOut.of(n) for n in notes])


@router.route("POST", "/v1/notes", tag="notes", body=NoteCreate, response=NoteOut, status=201)
def create_note(ctx: ApiContext, body: NoteCreate) -> NoteOut:
    """Save a note (as texting "note: ..." does; notes naming each other are linked)."""
    from nudge.agent.tools.notes import SaveNoteArgs, save_note

    result = save_note(ctx.tools(), SaveNoteArgs(content=body.body, title=body.title))
    return NoteOut.of(ctx.store.notes.require(ctx.user_id, result["id"]))


@router.route("GET", "/v1/notes/{note_id}", tag="notes", response=NoteOut)
def get_note(ctx: ApiContext, note_id: str) -> NoteOut:
    """One note."""
    return NoteOut.of(ctx.store.notes.require(ctx.user_id, note_id))


@router.route("DELETE", "/v1/notes/{note_id}", tag="notes")
def delete_note(ctx: ApiContext, note_id: str) -> None:
    """Delete a note."""
    ctx.store.notes.require(ctx.user_id, note_id)
    ctx.store.notes.delete(ctx.user_id, note_id)

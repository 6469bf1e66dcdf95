"""save_note / find_notes: the person's notes, local first."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.integrations.untrusted import quote_untrusted
from nudge.memory.text import Tags
from nudge.models import Note
from nudge.notes.capture import save_note as store_note
from nudge.notes.capture import title_for
from nudge.notes.search import find_notes as search_notes
from nudge.queue.client import task_id

SNIPPET_CHARS = 220


class SaveNoteArgs(BaseModel):
    content: str = Field(min_length=1, max_length=5000, description="the note, as they said it")
    title: str | None = Field(None, max_length=120, description="a short title, if obvious")
    tags: Tags = Field(default_factory=list, description="a few topic words for finding it")
    category: str | None = Field(None, max_length=60)


@tool("save_note", SaveNoteArgs)
def save_note(ctx: ToolContext, args: SaveNoteArgs) -> dict:
    """Save a note (an idea, a list, anything they want to keep as text, "note: ..."). Notes
    that mention each other's titles are linked."""
    digest = hashlib.sha256(args.content.encode()).hexdigest()[:12]
    note = Note(
        title=(args.title or title_for(args.content)).strip(),
        body=args.content.strip(),
        tags=args.tags,
        category=args.category,
    )
    saved, linked = store_note(
        ctx.store, ctx.user.id or "", note, doc_id=task_id("note", ctx.turn_id, digest)
    )
    link = ctx.store.notion_links.of(ctx.user.id or "")
    if link is not None and link.data_source_id and link.status == "ok":
        from nudge.agent.tools.reminders import reminder_deps
        from nudge.integrations.notion.schedule import enqueue_sync

        enqueue_sync(reminder_deps(ctx).queue, ctx.settings, ctx.user.id or "", saved.id or "")
    return {"ok": True, "id": saved.id, "title": saved.title, "linked": [n.title for n in linked]}


class FindNotesArgs(BaseModel):
    query: str = Field("", max_length=300, description="what the note is about; empty: latest")
    limit: int = Field(3, ge=1, le=10)


@tool("find_notes", FindNotesArgs, reads_only=True)
def find_notes(ctx: ToolContext, args: FindNotesArgs) -> dict:
    """Find their notes about something (also summaries of videos they sent)."""
    user_id = ctx.user.id or ""
    if args.query.strip():
        notes = [hit.note for hit in search_notes(ctx.store, user_id, args.query, k=args.limit)]
    else:
        notes = ctx.store.notes.list(
            user_id, order_by="updated_at", descending=True, limit=args.limit
        )
    return {"notes": [_shown(note) for note in notes]}


def _shown(note: Note) -> dict:
    text = note.summary or note.body
    snippet = text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 3] + "..."
    shown = {"id": note.id, "title": note.title, "snippet": snippet, "links": len(note.linked_ids)}
    if note.source_url:
        shown["url"] = note.source_url
    if note.untrusted:
        # Summaries of third-party content: data to tell them, never instructions.
        shown["snippet"] = quote_untrusted(note.source_url or "a saved page", snippet)
        shown["third_party"] = True
    return shown
